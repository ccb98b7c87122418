import type { PageContext } from '../../platform/views/render.js';

const STEPS = ['ask', 'show', 'record'] as const;
const PROMISES = ['lead', 'private', 'noBadges', 'pace'] as const;

/** The front page: what Alongside is, in plain words. */
export function HomePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <>
      <section class="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t('home.title')}</h1>
        <p class="lead">{t('home.lead')}</p>
      </section>
      <section aria-labelledby="how-title">
        <h2 id="how-title">{t('home.how.title')}</h2>
        <ol class="steps">
          {STEPS.map((step) => (
            <li class="card">
              <h3 class="card-title">{t(`home.how.${step}.title`)}</h3>
              <p>{t(`home.how.${step}.text`)}</p>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="promises-title">
        <h2 id="promises-title">{t('home.promises.title')}</h2>
        <ul class="promises">
          {PROMISES.map((promise) => (
            <li>
              <strong>{t(`home.promises.${promise}.title`)}</strong> {t(`home.promises.${promise}.text`)}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
