import { LOCALES, type Locale } from '../i18n.js';
import type { Children, PageContext } from './render.js';

const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español' };

/** A row of links between sibling pages; the current one is marked for assistive technology. */
export function SubNav({ label, links, current }: { label: string; links: ReadonlyArray<readonly [string, string]>; current: string }) {
  return (
    <nav aria-label={label} class="subnav">
      <ul>
        {links.map(([href, text]) => (
          <li>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The hidden CSRF field every form carries. */
export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken} />;
}

function LanguageSwitcher({ ctx }: { ctx: PageContext }) {
  const { t, locale } = ctx.i18n;
  return (
    <form class="language-switcher" method="post" action="/language">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="next" value={ctx.path} />
      <fieldset>
        <legend>{t('layout.language')}</legend>
        {LOCALES.map((code) =>
          code === locale ? (
            <span class="language-current" lang={code} aria-current="true">
              {LANGUAGE_NAMES[code]}
            </span>
          ) : (
            <button type="submit" name="locale" value={code} lang={code}>
              {LANGUAGE_NAMES[code]}
            </button>
          ),
        )}
      </fieldset>
    </form>
  );
}

/** The header's links, as the modules declare them for this viewer, and sign-out for signed-in people. */
function HeaderNav({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <ul class="nav-list">
      {ctx.links.nav.map(({ href, label }) => (
        <li>
          <a href={href}>{t(label)}</a>
        </li>
      ))}
      {ctx.viewer ? (
        <li>
          <form method="post" action="/logout" class="inline-form">
            <CsrfField ctx={ctx} />
            <button type="submit" class="link-button">
              {t('layout.nav.logout')}
            </button>
          </form>
        </li>
      ) : null}
    </ul>
  );
}

/** The one base layout: skip link, landmarks, header with language switcher, footer. */
export function Layout({ ctx, title, children }: { ctx: PageContext; title: string; children: Children }) {
  const { t, locale, dir } = ctx.i18n;
  return (
    <html lang={locale} dir={dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · Alongside`}</title>
        <link rel="stylesheet" href={ctx.assets.css} />
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        <script src={ctx.assets.js} nonce={ctx.nonce} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('layout.skip')}
        </a>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/">
              Alongside
            </a>
            <nav aria-label={t('layout.nav.label')}>
              <HeaderNav ctx={ctx} />
            </nav>
            <LanguageSwitcher ctx={ctx} />
          </div>
        </header>
        <main id="main" tabIndex={-1} class="wrap">
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>{t('layout.footer.tagline')}</p>
            <p>{t('layout.footer.privacy')}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
