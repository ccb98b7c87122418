import type { AuditRow } from '../../platform/audit.js';
import type { JobRow, JobState } from '../../platform/jobs/index.js';
import type { OutboxMail } from '../../platform/mail/mail.repository.js';
import { CsrfField, SubNav } from '../../platform/views/layout.js';
import type { PageContext } from '../../platform/views/render.js';

const STATES: JobState[] = ['pending', 'running', 'failed', 'done'];

function AdminNav({ ctx, current }: { ctx: PageContext; current: string }) {
  const { t } = ctx.i18n;
  const links = [
    ['/admin', t('admin.nav.overview')],
    ['/admin/users', t('admin.users.title')],
    ['/admin/jobs', t('admin.nav.jobs')],
    ['/admin/mail', t('admin.nav.mail')],
    ['/admin/audit', t('admin.nav.audit')],
  ] as const;
  return <SubNav label={t('admin.nav.label')} links={links} current={current} />;
}

function OlderLink({ ctx, href }: { ctx: PageContext; href: string | undefined }) {
  if (!href) return null;
  return (
    <p>
      <a href={href}>{ctx.i18n.t('admin.older')}</a>
    </p>
  );
}

export function AdminHome({ ctx, counts, mailMode }: { ctx: PageContext; counts: Record<JobState, number>; mailMode: 'smtp' | 'outbox' }) {
  const { t, formatNumber } = ctx.i18n;
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <AdminNav ctx={ctx} current="/admin" />
      <h2>{t('admin.jobs.title')}</h2>
      <dl class="stats">
        {STATES.map((state) => (
          <div>
            <dt>{t(`admin.jobs.state.${state}`)}</dt>
            <dd>
              <a href={`/admin/jobs?state=${state}`}>{formatNumber(counts[state])}</a>
            </dd>
          </div>
        ))}
      </dl>
      <h2>{t('admin.mail.title')}</h2>
      <p>{mailMode === 'smtp' ? t('admin.mail.modeSmtp') : t('admin.mail.modeOutbox')}</p>
    </section>
  );
}

export function JobsPage({ ctx, state, jobs, older }: { ctx: PageContext; state: JobState; jobs: JobRow[]; older: string | undefined }) {
  const { t, formatDate, formatNumber } = ctx.i18n;
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">{t('admin.jobs.title')}</h1>
      <AdminNav ctx={ctx} current="/admin/jobs" />
      <SubNav
        label={t('admin.jobs.filter')}
        links={STATES.map((s) => [`/admin/jobs?state=${s}`, t(`admin.jobs.state.${s}`)] as const)}
        current={`/admin/jobs?state=${state}`}
      />
      {jobs.length === 0 ? (
        <p>{t('admin.jobs.none')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="jobs-caption">
          <table>
            <caption id="jobs-caption">{t(`admin.jobs.state.${state}`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.jobs.id')}</th>
                <th scope="col">{t('admin.jobs.kind')}</th>
                <th scope="col">{t('admin.jobs.attempts')}</th>
                <th scope="col">{t('admin.jobs.when')}</th>
                <th scope="col">{t('admin.jobs.error')}</th>
                {state === 'failed' ? <th scope="col">{t('admin.jobs.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr>
                  <td>{formatNumber(job.id, { useGrouping: false })}</td>
                  <td>
                    <code>{job.kind}</code>
                  </td>
                  <td>
                    {formatNumber(job.attempts)} / {formatNumber(job.maxAttempts)}
                  </td>
                  <td>{formatDate(job.finishedAt ?? job.runAt, 'datetime')}</td>
                  <td>{job.lastError ?? '—'}</td>
                  {state === 'failed' ? (
                    <td>
                      <form method="post" action={`/admin/jobs/${job.id}/retry`}>
                        <CsrfField ctx={ctx} />
                        <button type="submit" class="button button-small">
                          {t('admin.jobs.retry')}
                          <span class="visually-hidden"> {formatNumber(job.id, { useGrouping: false })}</span>
                        </button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <OlderLink ctx={ctx} href={older} />
    </section>
  );
}

export function OutboxPage({ ctx, mails, older }: { ctx: PageContext; mails: OutboxMail[]; older: string | undefined }) {
  const { t, formatDate } = ctx.i18n;
  return (
    <section aria-labelledby="mail-title">
      <h1 id="mail-title">{t('admin.mail.title')}</h1>
      <AdminNav ctx={ctx} current="/admin/mail" />
      <p>{t('admin.mail.explain')}</p>
      {mails.length === 0 ? (
        <p>{t('admin.mail.none')}</p>
      ) : (
        <ul class="card-list">
          {mails.map((mail) => (
            <li class="card">
              <h2 class="card-title">
                <a href={`/admin/mail/${mail.id}`}>{mail.subject}</a>
              </h2>
              <p class="muted">
                {t('admin.mail.to')} {mail.toAddress} · {formatDate(mail.createdAt, 'datetime')}
              </p>
            </li>
          ))}
        </ul>
      )}
      <OlderLink ctx={ctx} href={older} />
    </section>
  );
}

export function MailPage({ ctx, mail }: { ctx: PageContext; mail: OutboxMail }) {
  const { t, formatDate } = ctx.i18n;
  return (
    <article aria-labelledby="mail-subject">
      <p>
        <a href="/admin/mail">{t('admin.mail.back')}</a>
      </p>
      <h1 id="mail-subject">{mail.subject}</h1>
      <dl class="meta">
        <dt>{t('admin.mail.to')}</dt>
        <dd>{mail.toAddress}</dd>
        <dt>{t('admin.mail.date')}</dt>
        <dd>{formatDate(mail.createdAt, 'datetime')}</dd>
      </dl>
      {/* The plain-text part, shown as text: mail bodies are never rendered as HTML here. */}
      <pre class="mail-body">{mail.textBody}</pre>
    </article>
  );
}

export function AuditPage({ ctx, entries, older }: { ctx: PageContext; entries: AuditRow[]; older: string | undefined }) {
  const { t, formatDate } = ctx.i18n;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('admin.audit.title')}</h1>
      <AdminNav ctx={ctx} current="/admin/audit" />
      {entries.length === 0 ? (
        <p>{t('admin.audit.none')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="audit-caption">
          <table>
            <caption id="audit-caption">{t('admin.audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.when')}</th>
                <th scope="col">{t('admin.audit.who')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.subject')}</th>
                <th scope="col">{t('admin.audit.request')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr>
                  <td>{formatDate(entry.at, 'datetime')}</td>
                  <td>{entry.actorName ?? '—'}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>{entry.subjectType ? `${entry.subjectType} ${entry.subjectId ?? ''}` : '—'}</td>
                  <td>
                    <code>{entry.requestId ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <OlderLink ctx={ctx} href={older} />
    </section>
  );
}
