import { ErrorSummary, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import { formatRecoveryCode, groupKey, type SetupDetails, type TwoFactorStatus } from './two-factor.service.js';

function BackLink({ ctx }: { ctx: PageContext }) {
  return (
    <p>
      <a href="/account/two-factor">{ctx.i18n.t('twofactor.back')}</a>
    </p>
  );
}

/** The forms of the two-factor page, each with its own state so that one refusal shows next to its form. */
export interface TwoFactorForms {
  setup: FormState;
  disable: FormState;
  regenerate: FormState;
}

/** Whether two-step sign-in is on, with the forms to turn it on or off and to renew recovery codes. */
export function TwoFactorPage({
  ctx,
  status,
  forms,
  notice,
}: {
  ctx: PageContext;
  status: TwoFactorStatus;
  forms: TwoFactorForms;
  notice?: 'disabled';
}) {
  const { t, formatDate } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="twofactor-title">
      <h1 id="twofactor-title">{t('twofactor.title')}</h1>
      {notice === 'disabled' ? (
        <div class="alert" role="status">
          <p>{t('twofactor.disabledNotice')}</p>
        </div>
      ) : null}
      <p class="lead">{t('twofactor.intro')}</p>
      {status.enabled ? (
        <>
          <p>
            <strong>{t('twofactor.statusOn', { date: formatDate(status.enabledAt ?? new Date(), 'date') })}</strong>
          </p>
          <p>{t('twofactor.codesLeft', { n: status.recoveryCodesLeft })}</p>

          <h2 id="regenerate-title">{t('twofactor.regenerate.title')}</h2>
          <p>{t('twofactor.regenerate.help')}</p>
          <ErrorSummary ctx={ctx} state={forms.regenerate} labels={{ code: t('twofactor.anyCode') }} />
          <form method="post" action="/account/two-factor/recovery-codes" class="stack" novalidate aria-labelledby="regenerate-title">
            <CsrfField ctx={ctx} />
            <TextField
              name="code"
              label={t('twofactor.anyCode')}
              hint={t('twofactor.anyCodeHint')}
              state={forms.regenerate}
              autocomplete="one-time-code"
              required
              maxLength={64}
            />
            <button type="submit" class="button">
              {t('twofactor.regenerate.submit')}
            </button>
          </form>

          <h2 id="disable-title">{t('twofactor.disable.title')}</h2>
          <p>{t('twofactor.disable.help')}</p>
          <ErrorSummary ctx={ctx} state={forms.disable} labels={{ password: t('twofactor.password'), code: t('twofactor.anyCode') }} />
          <form method="post" action="/account/two-factor/disable" class="stack" novalidate aria-labelledby="disable-title">
            <CsrfField ctx={ctx} />
            <TextField
              name="password"
              type="password"
              label={t('twofactor.password')}
              state={forms.disable}
              autocomplete="current-password"
              required
              maxLength={1024}
            />
            <TextField
              name="code"
              label={t('twofactor.anyCode')}
              hint={t('twofactor.anyCodeHint')}
              state={forms.disable}
              autocomplete="one-time-code"
              required
              maxLength={64}
            />
            <button type="submit" class="button">
              {t('twofactor.disable.submit')}
            </button>
          </form>
        </>
      ) : (
        <>
          <p>
            <strong>{t('twofactor.statusOff')}</strong>
          </p>
          <h2 id="setup-title">{t('twofactor.setup.title')}</h2>
          <p>{t('twofactor.setup.help')}</p>
          <ErrorSummary ctx={ctx} state={forms.setup} labels={{ password: t('twofactor.password') }} />
          <form method="post" action="/account/two-factor/setup" class="stack" novalidate aria-labelledby="setup-title">
            <CsrfField ctx={ctx} />
            <TextField
              name="password"
              type="password"
              label={t('twofactor.password')}
              hint={t('twofactor.setup.passwordHint')}
              state={forms.setup}
              autocomplete="current-password"
              required
              maxLength={1024}
            />
            <button type="submit" class="button">
              {t('twofactor.setup.submit')}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/**
 * Adding the key to an authenticator app, then the first code. `setup` is only given right after
 * the password was checked: a refused code does not show the key again.
 */
export function SetupPage({ ctx, setup, form }: { ctx: PageContext; setup: SetupDetails | undefined; form: FormState }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="setup-title">
      <h1 id="setup-title">{t('twofactor.setup.title')}</h1>
      <ErrorSummary ctx={ctx} state={form} labels={{ code: t('twofactor.code') }} />
      {setup ? (
        <>
          <h2>{t('twofactor.setup.scanTitle')}</h2>
          <p>{t('twofactor.setup.scanHelp')}</p>
          <p>
            <img src={setup.qr} width={220} height={220} alt={t('twofactor.setup.qrAlt')} />
          </p>
          <h2 id="key-title">{t('twofactor.setup.keyTitle')}</h2>
          <p>{t('twofactor.setup.keyHelp')}</p>
          <p>
            <code>{groupKey(setup.secret)}</code>
          </p>
          <p class="field-hint">{t('twofactor.setup.keyDetails')}</p>
        </>
      ) : (
        <>
          <p>{t('twofactor.setup.startAgainHelp')}</p>
          <p>
            <a href="/account/two-factor">{t('twofactor.setup.startAgain')}</a>
          </p>
        </>
      )}
      <h2 id="confirm-title">{t('twofactor.setup.confirmTitle')}</h2>
      <form method="post" action="/account/two-factor/enable" class="stack" novalidate aria-labelledby="confirm-title">
        <CsrfField ctx={ctx} />
        <TextField
          name="code"
          label={t('twofactor.code')}
          hint={t('twofactor.codeHint')}
          state={form}
          autocomplete="one-time-code"
          inputMode="numeric"
          required
          maxLength={7}
        />
        <button type="submit" class="button">
          {t('twofactor.setup.confirm')}
        </button>
      </form>
    </section>
  );
}

/** New recovery codes, shown this once. */
export function RecoveryCodesPage({ ctx, codes, reason }: { ctx: PageContext; codes: string[]; reason: 'enabled' | 'regenerated' }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow stack" aria-labelledby="codes-title">
      <h1 id="codes-title">{reason === 'enabled' ? t('twofactor.codes.enabledTitle') : t('twofactor.codes.regeneratedTitle')}</h1>
      <div class="alert" role="status">
        <p>{reason === 'enabled' ? t('twofactor.codes.enabledNotice') : t('twofactor.codes.regeneratedNotice')}</p>
      </div>
      <h2>{t('twofactor.codes.title')}</h2>
      <p>{t('twofactor.codes.help')}</p>
      <ul class="recovery-codes" aria-label={t('twofactor.codes.title')}>
        {codes.map((code) => (
          <li>
            <code>{formatRecoveryCode(code)}</code>
          </li>
        ))}
      </ul>
      <p>{t('twofactor.codes.once')}</p>
      <BackLink ctx={ctx} />
    </section>
  );
}

const SECOND_STEP = {
  totp: {
    name: 'code',
    label: 'twofactor.code',
    hint: 'twofactor.codeHint',
    help: 'login.secondStep.help',
    autocomplete: 'one-time-code',
    inputMode: 'numeric',
    maxLength: 7,
    switchHref: '/login/two-factor?method=recovery',
    switchLabel: 'login.secondStep.useRecovery',
  },
  recovery: {
    name: 'recovery_code',
    label: 'twofactor.recoveryCode',
    hint: 'twofactor.recoveryCodeHint',
    help: 'login.secondStep.recoveryHelp',
    autocomplete: 'off',
    inputMode: undefined,
    maxLength: 64,
    switchHref: '/login/two-factor',
    switchLabel: 'login.secondStep.useApp',
  },
} as const;

/** The second sign-in step: a code from the app, or (method=recovery) a recovery code. */
export function SecondStepPage({
  ctx,
  form,
  method,
  exhausted,
}: {
  ctx: PageContext;
  form: FormState;
  method: 'totp' | 'recovery';
  exhausted: boolean;
}) {
  const { t } = ctx.i18n;
  const choice = SECOND_STEP[method];
  if (exhausted) {
    return (
      <section class="narrow stack" aria-labelledby="second-title">
        <h1 id="second-title">{t('login.secondStep.title')}</h1>
        <div class="alert alert-error" role="alert">
          <p>{t('login.secondStep.exhausted')}</p>
        </div>
        <p>
          <a href="/login">{t('login.secondStep.again')}</a>
        </p>
      </section>
    );
  }
  return (
    <section class="narrow stack" aria-labelledby="second-title">
      <h1 id="second-title">{t('login.secondStep.title')}</h1>
      {/* The same form either way: the field asks for an app code or for a recovery code. */}
      <p>{t(choice.help)}</p>
      <ErrorSummary ctx={ctx} state={form} labels={{ [choice.name]: t(choice.label) }} />
      <form method="post" action="/login/two-factor" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          name={choice.name}
          label={t(choice.label)}
          hint={t(choice.hint)}
          state={form}
          autocomplete={choice.autocomplete}
          inputMode={choice.inputMode}
          required
          maxLength={choice.maxLength}
        />
        <button type="submit" class="button">
          {t('login.secondStep.submit')}
        </button>
      </form>
      <p>
        <a href={choice.switchHref}>{t(choice.switchLabel)}</a>
      </p>
    </section>
  );
}
