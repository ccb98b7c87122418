import { CheckboxField, ErrorSummary, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { Children, PageContext } from '../../platform/views/render.js';
import type { SessionView } from './accounts.service.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';

/** Messages shown once after a redirect, chosen by a query flag (never free text from the URL). */
export const FLASHES = [
  'verified',
  'verifySent',
  'alreadyVerified',
  'passwordChanged',
  'emailRequested',
  'emailChanged',
  'sessionEnded',
  'sessionsEnded',
  'sessionGone',
] as const;
export type Flash = (typeof FLASHES)[number];

function FlashMessage({ ctx, flash }: { ctx: PageContext; flash: Flash | undefined }) {
  if (!flash) return null;
  return (
    <div class="alert" role="status">
      <p>{ctx.i18n.t(`account.flash.${flash}`)}</p>
    </div>
  );
}

function Narrow({ id, title, children }: { id: string; title: string; children: Children }) {
  return (
    <section class="narrow" aria-labelledby={id}>
      <h1 id={id}>{title}</h1>
      {children}
    </section>
  );
}

/** The field where a person chooses a password: its rules as a hint, never echoed back. */
function NewPasswordField({ ctx, label, state }: { ctx: PageContext; label: string; state: FormState }) {
  return (
    <TextField
      name="password"
      type="password"
      label={label}
      hint={passwordHint(ctx)}
      state={state}
      autocomplete="new-password"
      required
      maxLength={PASSWORD_MAX}
    />
  );
}

function passwordHint(ctx: PageContext): string {
  return ctx.i18n.t('account.password.hint', { min: PASSWORD_MIN, max: PASSWORD_MAX });
}

/** The sign-up form. */
export function SignupPage({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  const labels = { email: t('account.field.email'), display_name: t('account.field.displayName'), password: t('account.field.newPassword') };
  return (
    <Narrow id="signup-title" title={t('account.signup.title')}>
      <p>{t('account.signup.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action="/signup" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="email" type="email" label={labels.email} state={state} autocomplete="email" required maxLength={254} />
        <TextField
          name="display_name"
          label={labels.display_name}
          hint={t('account.signup.displayNameHint')}
          state={state}
          autocomplete="nickname"
          required
          maxLength={80}
        />
        <NewPasswordField ctx={ctx} label={labels.password!} state={state} />
        <button type="submit" class="button">
          {t('account.signup.submit')}
        </button>
      </form>
      <p>
        {t('account.signup.haveAccount')} <a href="/login">{t('account.signup.signIn')}</a>
      </p>
    </Narrow>
  );
}

/** The same answer for every sign-up: whether the address was new is told only to its mailbox. */
export function CheckInboxPage({ ctx, kind }: { ctx: PageContext; kind: 'signup' | 'reset' }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="inbox-title" title={t('account.inbox.title')}>
      <div class="alert" role="status">
        <p>{t(kind === 'signup' ? 'account.inbox.signup' : 'account.inbox.reset')}</p>
      </div>
      <p>{t('account.inbox.spam')}</p>
      <p>
        <a href="/login">{t('account.signup.signIn')}</a>
      </p>
    </Narrow>
  );
}

/** A link that is unknown, used or expired: one message for all three. */
export function LinkInvalidPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="link-title" title={t('account.link.invalidTitle')}>
      <p>{t('account.link.invalid')}</p>
      <ul>
        <li>
          <a href="/forgot-password">{t('account.link.newReset')}</a>
        </li>
        <li>
          <a href="/verify-email/resend">{t('account.link.newVerify')}</a>
        </li>
      </ul>
    </Narrow>
  );
}

/** The page behind a mailed link: a button does the work, so mail scanners that fetch links do not use them up. */
export function ConfirmLinkPage({ ctx, action, token, kind }: { ctx: PageContext; action: string; token: string; kind: 'verify' | 'changeEmail' }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="confirm-title" title={t(`account.confirm.${kind}.title`)}>
      <p>{t(`account.confirm.${kind}.lead`)}</p>
      <form method="post" action={action}>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="token" value={token} />
        <button type="submit" class="button">
          {t(`account.confirm.${kind}.submit`)}
        </button>
      </form>
    </Narrow>
  );
}

/** The address change could not be made (someone else has that address now), said without naming anyone. */
export function EmailTakenPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="taken-title" title={t('account.confirm.changeEmail.refusedTitle')}>
      <p>{t('account.confirm.changeEmail.refused')}</p>
      <p>
        <a href="/account">{t('account.backToAccount')}</a>
      </p>
    </Narrow>
  );
}

/** Asks for a new verification link. */
export function ResendVerificationPage({ ctx, verified }: { ctx: PageContext; verified: boolean }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="resend-title" title={t('account.resend.title')}>
      {verified ? (
        <p>{t('account.flash.alreadyVerified')}</p>
      ) : (
        <>
          <p>{t('account.resend.lead')}</p>
          <form method="post" action="/verify-email/resend">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button">
              {t('account.resend.submit')}
            </button>
          </form>
        </>
      )}
      <p>
        <a href="/account">{t('account.backToAccount')}</a>
      </p>
    </Narrow>
  );
}

/** What a person who has not confirmed their address sees when they try to act: why, and the link again. */
export function ConfirmFirstPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx.i18n;
  return (
    <Narrow id="confirm-first-title" title={t('account.confirmFirst.title')}>
      <p>{t('account.confirmFirst.lead')}</p>
      <form method="post" action="/verify-email/resend">
        <CsrfField ctx={ctx} />
        <button type="submit" class="button">
          {t('account.resend.submit')}
        </button>
      </form>
      <p>
        <a href="/account/profile">{t('account.confirmFirst.profile')}</a>
      </p>
    </Narrow>
  );
}

/** Asks for a reset link by address. */
export function ForgotPasswordPage({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  const labels = { email: t('account.field.email') };
  return (
    <Narrow id="forgot-title" title={t('account.forgot.title')}>
      <p>{t('account.forgot.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action="/forgot-password" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="email" type="email" label={labels.email} state={state} autocomplete="email" required maxLength={254} />
        <button type="submit" class="button">
          {t('account.forgot.submit')}
        </button>
      </form>
    </Narrow>
  );
}

/** The new-password form behind a reset link. */
export function ResetPasswordPage({ ctx, token, state }: { ctx: PageContext; token: string; state: FormState }) {
  const { t } = ctx.i18n;
  const labels = { password: t('account.field.newPassword') };
  return (
    <Narrow id="reset-title" title={t('account.reset.title')}>
      <p>{t('account.reset.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action="/reset-password" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="token" value={token} />
        <NewPasswordField ctx={ctx} label={labels.password!} state={state} />
        <button type="submit" class="button">
          {t('account.reset.submit')}
        </button>
      </form>
    </Narrow>
  );
}

export interface AccountSummary {
  displayName: string;
  email: string;
  verified: boolean;
}


/** The account overview: who you are here, and where to change each part. */
export function AccountHubPage({ ctx, account, flash }: { ctx: PageContext; account: AccountSummary; flash: Flash | undefined }) {
  const { t } = ctx.i18n;
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{t('account.hub.title')}</h1>
      <FlashMessage ctx={ctx} flash={flash} />
      {account.verified ? null : (
        <div class="alert" role="note" aria-labelledby="verify-banner-title">
          <h2 id="verify-banner-title" class="alert-title">
            {t('account.hub.unverifiedTitle')}
          </h2>
          <p>{t('account.hub.unverified', { email: account.email })}</p>
          <form method="post" action="/verify-email/resend">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-small">
              {t('account.resend.submit')}
            </button>
          </form>
        </div>
      )}
      <dl class="meta">
        <div>
          <dt>{t('account.field.displayName')}</dt>
          <dd>{account.displayName}</dd>
        </div>
        <div>
          <dt>{t('account.field.email')}</dt>
          <dd>
            {account.email} ({account.verified ? t('account.hub.verified') : t('account.hub.notVerified')})
          </dd>
        </div>
      </dl>
      <nav aria-labelledby="account-settings-title">
        <h2 id="account-settings-title">{t('account.hub.settings')}</h2>
        <ul>
          {ctx.links.account.map(({ href, label }) => (
            <li>
              <a href={href}>{t(label)}</a>
            </li>
          ))}
        </ul>
      </nav>
    </section>
  );
}

/** The change-password form; "sign out everywhere else" starts checked. */
export function ChangePasswordPage({ ctx, state }: { ctx: PageContext; state: FormState }) {
  const { t } = ctx.i18n;
  const labels = {
    current_password: t('account.field.currentPassword'),
    password: t('account.field.newPassword'),
    sign_out_others: t('account.password.signOutOthers'),
  };
  return (
    <Narrow id="password-title" title={t('account.password.title')}>
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action="/account/password" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="current_password" type="password" label={labels.current_password} state={state} autocomplete="current-password" required />
        <NewPasswordField ctx={ctx} label={labels.password!} state={state} />
        <CheckboxField name="sign_out_others" label={labels.sign_out_others} hint={t('account.password.signOutOthersHint')} state={state} />
        <CheckboxField name="keep_tokens" label={t('account.password.keepTokens')} hint={t('account.password.keepTokensHint')} state={state} />
        <button type="submit" class="button">
          {t('account.password.submit')}
        </button>
      </form>
      <p>
        <a href="/account">{t('account.backToAccount')}</a>
      </p>
    </Narrow>
  );
}

/** The change-address form. */
export function ChangeEmailPage({ ctx, state, currentEmail }: { ctx: PageContext; state: FormState; currentEmail: string }) {
  const { t } = ctx.i18n;
  const labels = { current_password: t('account.field.currentPassword'), email: t('account.field.newEmail') };
  return (
    <Narrow id="email-title" title={t('account.email.title')}>
      <p>{t('account.email.current', { email: currentEmail })}</p>
      <p>{t('account.email.lead')}</p>
      <ErrorSummary ctx={ctx} state={state} labels={labels} />
      <form method="post" action="/account/email" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField name="email" type="email" label={labels.email} state={state} autocomplete="email" required maxLength={254} />
        <TextField name="current_password" type="password" label={labels.current_password} state={state} autocomplete="current-password" required />
        <button type="submit" class="button">
          {t('account.email.submit')}
        </button>
      </form>
      <p>
        <a href="/account">{t('account.backToAccount')}</a>
      </p>
    </Narrow>
  );
}

/** Where the person is signed in, without addresses: a device hint and coarse dates. */
export function SessionsPage({ ctx, sessions, flash }: { ctx: PageContext; sessions: SessionView[]; flash: Flash | undefined }) {
  const { t, formatDate } = ctx.i18n;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">{t('account.sessions.title')}</h1>
      <FlashMessage ctx={ctx} flash={flash} />
      <p>{t('account.sessions.lead')}</p>
      <ul class="stack">
        {sessions.map((session, index) => (
          <li class="card">
            <h2 class="card-title" id={`session-${index}`}>
              {session.deviceHint ?? t('account.sessions.unknownDevice')}
              {session.current ? <> ({t('account.sessions.current')})</> : null}
            </h2>
            <dl class="meta">
              <div>
                <dt>{t('account.sessions.started')}</dt>
                <dd>{formatDate(session.createdAt)}</dd>
              </div>
              <div>
                <dt>{t('account.sessions.lastSeen')}</dt>
                <dd>{formatDate(session.lastSeenAt)}</dd>
              </div>
            </dl>
            {session.current ? null : (
              <form method="post" action="/account/sessions/end">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="session" value={session.id} />
                <button type="submit" class="button button-small" aria-describedby={`session-${index}`}>
                  {t('account.sessions.end')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <form method="post" action="/account/sessions/end-others">
          <CsrfField ctx={ctx} />
          <button type="submit" class="button">
            {t('account.sessions.endOthers')}
          </button>
        </form>
      ) : (
        <p>{t('account.sessions.onlyThis')}</p>
      )}
      <p>
        <a href="/account">{t('account.backToAccount')}</a>
      </p>
    </section>
  );
}
