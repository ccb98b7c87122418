import type { FastifyInstance } from 'fastify';
import { admins, guarded } from '../../platform/auth.js';
import { listAudit } from '../../platform/audit.js';
import { HttpError } from '../../platform/errors.js';
import { countJobsByState, listJobs, retryJob, type JobState } from '../../platform/jobs/index.js';
import { findOutboxMail, listOutbox } from '../../platform/mail/mail.repository.js';
import type { AppContext } from '../../platform/module.js';
import { AdminHome, AuditPage, JobsPage, MailPage, OutboxPage } from './admin.views.js';
import { registerAdminUsersRoutes } from './users.routes.js';

const PAGE = 50;
const JOB_STATES = new Set<JobState>(['pending', 'running', 'done', 'failed']);

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

function olderHref<T extends { id: number }>(base: string, rows: T[]): string | undefined {
  const last = rows.at(-1);
  if (rows.length < PAGE || !last) return undefined;
  return `${base}${base.includes('?') ? '&' : '?'}before=${last.id}`;
}

/** The instance admin area: background jobs, the local mail outbox and the audit log. */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  const mailMode = ctx.config.smtpUrl ? 'smtp' : 'outbox';
  // Every page here is for instance admins only: the guard sends others to sign in or refuses them.
  const admin = guarded(admins);

  app.get('/admin', admin, async (request, reply) => {
    const counts = await countJobsByState(db.kysely);
    return reply.page(request.i18n.t('admin.title'), <AdminHome ctx={reply.pageContext()} counts={counts} mailMode={mailMode} />);
  });

  app.get('/admin/jobs', admin, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const state = JOB_STATES.has(query.state as JobState) ? (query.state as JobState) : 'failed';
    const jobs = await listJobs(db.kysely, state, PAGE, positiveInt(query.before));
    return reply.page(
      request.i18n.t('admin.jobs.title'),
      <JobsPage ctx={reply.pageContext()} state={state} jobs={jobs} older={olderHref(`/admin/jobs?state=${state}`, jobs)} />,
    );
  });

  app.post('/admin/jobs/:id/retry', admin, async (request, reply) => {
    const id = positiveInt((request.params as Record<string, unknown>).id);
    if (id === undefined || !(await retryJob(db.kysely, id))) throw new HttpError(404, 'not_found');
    return reply.redirect('/admin/jobs?state=failed', 303);
  });

  app.get('/admin/mail', admin, async (request, reply) => {
    const mails = await listOutbox(db.kysely, PAGE, positiveInt((request.query as Record<string, unknown>).before));
    return reply.page(request.i18n.t('admin.mail.title'), <OutboxPage ctx={reply.pageContext()} mails={mails} older={olderHref('/admin/mail', mails)} />);
  });

  app.get('/admin/mail/:id', admin, async (request, reply) => {
    const id = positiveInt((request.params as Record<string, unknown>).id);
    const mail = id === undefined ? undefined : await findOutboxMail(db.kysely, id);
    if (!mail) throw new HttpError(404, 'not_found');
    return reply.page(mail.subject, <MailPage ctx={reply.pageContext()} mail={mail} />);
  });

  app.get('/admin/audit', admin, async (request, reply) => {
    const entries = await listAudit(db.kysely, PAGE, positiveInt((request.query as Record<string, unknown>).before));
    return reply.page(request.i18n.t('admin.audit.title'), <AuditPage ctx={reply.pageContext()} entries={entries} older={olderHref('/admin/audit', entries)} />);
  });

  registerAdminUsersRoutes(app, ctx);
}
