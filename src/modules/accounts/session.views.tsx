import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';

export interface LoginForm {
  email: string;
  next: string;
}

/** The sign-in form; `failed` shows one message that never says which part was wrong. */
export type LoginNotice = 'challenge_expired' | 'verified' | 'reset';

const NOTICE_KEYS: Record<LoginNotice, string> = {
  challenge_expired: 'login.challengeExpired',
  verified: 'account.login.verified',
  reset: 'account.login.reset',
};

export function LoginPage({ ctx, form, failed, notice }: { ctx: PageContext; form: LoginForm; failed: boolean; notice?: LoginNotice | undefined }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      {notice && !failed ? (
        <div class="alert" role="status">
          <p>{t(NOTICE_KEYS[notice])}</p>
        </div>
      ) : null}
      {failed ? (
        <div class="alert alert-error" role="alert" id="login-error">
          <p>{t('login.failed')}</p>
        </div>
      ) : null}
      <form method="post" action="/login" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="next" value={form.next} />
        <div class="field">
          <label for="email">{t('login.email')}</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            maxLength={254}
            value={form.email}
            aria-describedby={failed ? 'login-error' : undefined}
            aria-invalid={failed ? 'true' : undefined}
          />
        </div>
        <div class="field">
          <label for="password">{t('login.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxLength={1024}
            aria-describedby={failed ? 'login-error' : undefined}
            aria-invalid={failed ? 'true' : undefined}
          />
        </div>
        <button type="submit" class="button">
          {t('login.submit')}
        </button>
      </form>
      <ul class="after-form">
        <li>
          <a href="/forgot-password">{t('login.forgot')}</a>
        </li>
        <li>
          <a href="/signup">{t('login.noAccount')}</a>
        </li>
      </ul>
    </section>
  );
}
