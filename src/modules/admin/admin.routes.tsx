import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { admins, guarded } from '../../platform/auth.js';
import { listAudit } from '../../platform/audit.js';
import { HttpError } from '../../platform/errors.js';
import { countJobsByState, listJobs, retryJob, type JobState } from '../../platform/jobs/index.js';
import { findOutboxMail, listOutbox } from '../../platform/mail/mail.repository.js';
import type { AppContext } from '../../platform/module.js';
import { cursorCodec, markDeprecated, nextUrl, pageOf, readPage } from '../../platform/pagination.js';
import { AdminHome, AuditPage, JobsPage, MailPage, OutboxPage } from './admin.views.js';
import { registerAdminUsersRoutes } from './users.routes.js';

const PAGE = 50;
const JOB_STATES = new Set<JobState>(['pending', 'running', 'done', 'failed']);

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** The admin lists go back in time by row id; each list has its own cursors. */
const CURSORS = { jobs: cursorCodec('admin-jobs', ['int']), mail: cursorCodec('admin-mail', ['int']), audit: cursorCodec('admin-audit', ['int']) };

/**
 * The id a page of an admin list starts before: from `cursor`, or from `before=<id>` of the
 * previous release (answered with a `Deprecation` header).
 */
function beforeId(request: FastifyRequest, reply: FastifyReply, list: keyof typeof CURSORS): { limit: number; before: number | undefined } {
  const query = request.query as Record<string, unknown>;
  const legacy = positiveInt(query.before);
  if (query.cursor === undefined && legacy !== undefined) {
    markDeprecated(reply, nextUrl(request, CURSORS[list].encode([legacy]), 'before') ?? request.url);
    return { limit: PAGE, before: legacy };
  }
  const page = readPage(request, reply, CURSORS[list], { default: PAGE, max: PAGE });
  return { limit: page.limit, before: page.after?.[0] };
}

/** The rows of the page and the address of the older ones. */
function older<T extends { id: number }>(request: FastifyRequest, reply: FastifyReply, rows: T[], limit: number, list: keyof typeof CURSORS) {
  const { items, next } = pageOf(request, reply, rows, limit, (last) => CURSORS[list].encode([last.id]), { legacy: 'before' });
  return { items, older: next ?? undefined };
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
    const page = beforeId(request, reply, 'jobs');
    const { items, older: olderPage } = older(request, reply, await listJobs(db.kysely, state, page.limit + 1, page.before), page.limit, 'jobs');
    return reply.page(request.i18n.t('admin.jobs.title'), <JobsPage ctx={reply.pageContext()} state={state} jobs={items} older={olderPage} />);
  });

  app.post('/admin/jobs/:id/retry', admin, async (request, reply) => {
    const id = positiveInt((request.params as Record<string, unknown>).id);
    if (id === undefined || !(await retryJob(db.kysely, id))) throw new HttpError(404, 'not_found');
    return reply.redirect('/admin/jobs?state=failed', 303);
  });

  app.get('/admin/mail', admin, async (request, reply) => {
    const page = beforeId(request, reply, 'mail');
    const { items, older: olderPage } = older(request, reply, await listOutbox(db.kysely, page.limit + 1, page.before), page.limit, 'mail');
    return reply.page(request.i18n.t('admin.mail.title'), <OutboxPage ctx={reply.pageContext()} mails={items} older={olderPage} />);
  });

  app.get('/admin/mail/:id', admin, async (request, reply) => {
    const id = positiveInt((request.params as Record<string, unknown>).id);
    const mail = id === undefined ? undefined : await findOutboxMail(db.kysely, id);
    if (!mail) throw new HttpError(404, 'not_found');
    return reply.page(mail.subject, <MailPage ctx={reply.pageContext()} mail={mail} />);
  });

  app.get('/admin/audit', admin, async (request, reply) => {
    const page = beforeId(request, reply, 'audit');
    const { items, older: olderPage } = older(request, reply, await listAudit(db.kysely, page.limit + 1, page.before), page.limit, 'audit');
    return reply.page(request.i18n.t('admin.audit.title'), <AuditPage ctx={reply.pageContext()} entries={items} older={olderPage} />);
  });

  registerAdminUsersRoutes(app, ctx);
}
