import { ChoiceGroup, ErrorSummary, TextField, type FormState } from '../../platform/views/form.js';
import { CsrfField } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';
import type { ApiTokenRecord } from './api-tokens.repository.js';

/** The longest token name, as the database allows. */
export const TOKEN_NAME_MAX = 60;

function scopeLabel(ctx: PageContext, scope: 'read' | 'write'): string {
  return ctx.i18n.t(scope === 'write' ? 'tokens.scope.write' : 'tokens.scope.read');
}

function TokenTable({ ctx, tokens }: { ctx: PageContext; tokens: ApiTokenRecord[] }) {
  const { t, formatDate } = ctx.i18n;
  if (tokens.length === 0) return <p>{t('tokens.list.none')}</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="tokens-caption">
      <table>
        <caption id="tokens-caption">{t('tokens.list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('tokens.list.name')}</th>
            <th scope="col">{t('tokens.list.scope')}</th>
            <th scope="col">{t('tokens.list.created')}</th>
            <th scope="col">{t('tokens.list.lastUsed')}</th>
            <th scope="col">{t('tokens.list.expires')}</th>
            <th scope="col">{t('tokens.list.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr>
              <th scope="row">{token.name}</th>
              <td>{scopeLabel(ctx, token.scope)}</td>
              <td>{formatDate(token.createdAt)}</td>
              {/* The day is enough for the person to spot a token they no longer use. */}
              <td>{token.lastUsedAt ? formatDate(token.lastUsedAt) : t('tokens.list.never')}</td>
              <td>{token.expiresAt ? formatDate(token.expiresAt) : t('tokens.list.noExpiry')}</td>
              <td>
                <form method="post" action={`/account/tokens/${token.id}/revoke`} class="inline-form">
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="button button-small">
                    {t('tokens.revoke')}
                    <span class="visually-hidden"> {token.name}</span>
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The person's API tokens, the form to create one, and a revoke button for each. */
export function TokensPage({ ctx, tokens, form, revoked }: { ctx: PageContext; tokens: ApiTokenRecord[]; form: FormState; revoked: boolean }) {
  const { t } = ctx.i18n;
  const labels = { name: t('tokens.create.name'), scope: t('tokens.create.scope') };
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('tokens.title')}</h1>
      <p>{t('tokens.intro')}</p>
      {revoked ? (
        <div class="alert" role="status">
          <p>{t('tokens.revoked')}</p>
        </div>
      ) : null}
      <h2>{t('tokens.list.title')}</h2>
      <TokenTable ctx={ctx} tokens={tokens} />
      <h2 id="create-token">{t('tokens.create.title')}</h2>
      <ErrorSummary ctx={ctx} state={form} labels={labels} />
      <form method="post" action="/account/tokens" class="stack" novalidate aria-labelledby="create-token">
        <CsrfField ctx={ctx} />
        <TextField name="name" label={labels.name} hint={t('tokens.create.nameHint')} state={form} required maxLength={TOKEN_NAME_MAX} autocomplete="off" />
        <ChoiceGroup
          name="scope"
          type="radio"
          legend={labels.scope}
          hint={t('tokens.create.scopeHint')}
          state={form}
          options={[
            { value: 'read', label: t('tokens.create.scopeRead') },
            { value: 'write', label: t('tokens.create.scopeWrite') },
          ]}
        />
        <ChoiceGroup
          name="expires"
          type="radio"
          legend={t('tokens.create.expires')}
          hint={t('tokens.create.expiresHint')}
          state={form}
          options={[
            { value: '30', label: t('tokens.create.expiresDays', { days: 30 }) },
            { value: '90', label: t('tokens.create.expiresDays', { days: 90 }) },
            { value: '365', label: t('tokens.create.expiresDays', { days: 365 }) },
            { value: 'never', label: t('tokens.create.expiresNever') },
          ]}
        />
        <button type="submit" class="button">
          {t('tokens.create.submit')}
        </button>
      </form>
    </section>
  );
}

/** The one time a new token is shown, with advice on keeping it. */
export function TokenCreatedPage({ ctx, token, name, scope }: { ctx: PageContext; token: string; name: string; scope: 'read' | 'write' }) {
  const { t } = ctx.i18n;
  return (
    <section class="narrow" aria-labelledby="token-created-title">
      <h1 id="token-created-title">{t('tokens.created.title')}</h1>
      <div class="alert" role="status">
        <p>{t('tokens.created.once')}</p>
      </div>
      <div class="field">
        <label for="new-token">{t('tokens.created.label', { name, scope: scopeLabel(ctx, scope) })}</label>
        <input id="new-token" type="text" readOnly value={token} autocomplete="off" spellcheck={false} aria-describedby="token-advice" />
      </div>
      <p id="token-advice">{t('tokens.created.advice')}</p>
      <p>{t('tokens.created.lost')}</p>
      <p>
        <a href="/account/tokens">{t('tokens.created.back')}</a>
      </p>
    </section>
  );
}
