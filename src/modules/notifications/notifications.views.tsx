import { CheckboxField, ErrorSummary, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './notifications.kinds.js';

function labels(ctx: PageContext): Record<string, string> {
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, ctx.i18n.t(`notifications.kind.${k}`)]));
}

/** The person's mail preferences: one checkbox per kind. */
export function PreferencesPage({ ctx, state, saved }: { ctx: PageContext; state: FormState; saved: boolean }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">{t('notifications.title')}</h1>
      {saved ? (
        <div class="alert" role="status">
          <p>{t('notifications.saved')}</p>
        </div>
      ) : null}
      <p>{t('notifications.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={labels(ctx)} />
      <form method="post" action="/account/notifications" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>{t('notifications.legend')}</legend>
          {NOTIFICATION_KINDS.map((kind) => (
            <CheckboxField name={kind} label={t(`notifications.kind.${kind}`)} hint={t(`notifications.hint.${kind}`)} state={state} />
          ))}
        </fieldset>
        <p class="muted">{t('notifications.restNote')}</p>
        <button type="submit">{t('notifications.submit')}</button>
      </form>
    </section>
  );
}

/** The unsubscribe link's page: a button (prefetching the link changes nothing), or the outcome. */
export function UnsubscribePage({ ctx, kind, action, subscribed }: { ctx: PageContext; kind: NotificationKind; action: string; subscribed: boolean }) {
  const { t } = ctx.i18n;
  const name = t(`notifications.kind.${kind}`);
  return (
    <section aria-labelledby="unsubscribe-title">
      <h1 id="unsubscribe-title">{t('notifications.unsubscribe.title')}</h1>
      {subscribed ? (
        <>
          <p>{t('notifications.unsubscribe.lead', { kind: name })}</p>
          <form method="post" action={action}>
            <button type="submit">{t('notifications.unsubscribe.submit', { kind: name })}</button>
          </form>
        </>
      ) : (
        <div class="alert" role="status">
          <p>{t('notifications.unsubscribe.done', { kind: name })}</p>
        </div>
      )}
      <p>
        <a href="/account/notifications">{t('notifications.unsubscribe.manage')}</a>
      </p>
    </section>
  );
}

/** A link whose signature does not match, or whose account is gone. */
export function InvalidLinkPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="unsubscribe-title">
      <h1 id="unsubscribe-title">{t('notifications.unsubscribe.invalidTitle')}</h1>
      <p>{t('notifications.unsubscribe.invalid')}</p>
      <p>
        <a href="/account/notifications">{t('notifications.unsubscribe.manage')}</a>
      </p>
    </section>
  );
}
