import type { FastifyInstance } from 'fastify';
import { admins, guarded, viewerOf } from '../../platform/auth.js';
import type { AppContext } from '../../platform/module.js';
import { HttpError } from '../../platform/errors.js';
import { canSuspend, listPeople, setSuspension } from '../profile/index.js';
import { UsersPage } from './users.views.js';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function queryString(value: unknown, max: number): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** The admin list of people, with suspension. */
export function registerAdminUsersRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  app.get('/admin/users', guarded(admins), async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const email = queryString(query.email, 254);
    const before = queryString(query.before, 80);
    const users = await listPeople(db, { limit: PAGE, ...(before ? { before } : {}), ...(email ? { email } : {}) });
    const last = users.at(-1);
    const older = users.length === PAGE && last ? `/admin/users?before=${encodeURIComponent(last.cursor)}` : undefined;
    return reply.page(request.i18n.t('admin.users.title'), <UsersPage ctx={reply.pageContext()} users={users} email={email} older={older} />);
  });

  for (const action of ['suspend', 'unsuspend'] as const) {
    app.post(`/admin/users/:id/${action}`, guarded(admins), async (request, reply) => {
      const viewer = viewerOf(request);
      const id = String((request.params as Record<string, unknown>).id);
      if (!UUID.test(id)) throw new HttpError(404, 'not_found');
      // Nobody suspends themselves: an admin could lock the instance out of its only admin.
      if (!canSuspend(viewer, id)) throw new HttpError(403, 'authorization_error');
      const outcome = await setSuspension(db, { actorId: viewer.id, userId: id, suspend: action === 'suspend', requestId: request.id });
      if (outcome === 'admin') throw new HttpError(403, 'authorization_error');
      if (outcome === 'not_found') throw new HttpError(404, 'not_found');
      return reply.redirect('/admin/users', 303);
    });
  }
}
