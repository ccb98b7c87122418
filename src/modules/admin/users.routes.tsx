import type { FastifyInstance } from 'fastify';
import { admins, guarded, viewerOf } from '../../platform/auth.js';
import type { AppContext } from '../../platform/module.js';
import { cursorCodec, markDeprecated, nextUrl, pageOf, readPage, type PageRequest } from '../../platform/pagination.js';
import { HttpError } from '../../platform/errors.js';
import { canSuspend, listPeople, setModeratorRole, setSuspension } from '../profile/index.js';
import { UsersPage } from './users.views.js';
import { UUID_PATTERN } from '../../platform/ids.js';

const PAGE = 50;
/** The people list goes back by creation time (to the microsecond) and id. */
const PEOPLE_CURSOR = cursorCodec('admin-people', ['timestamp', 'uuid']);
/** `before=<time>_<id>` of the previous release. */
const LEGACY_BEFORE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function queryString(value: unknown, max: number): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** The admin list of people, with suspension. */
export function registerAdminUsersRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  app.get('/admin/users', guarded(admins), async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const email = queryString(query.email, 254);
    // An address never holds control characters: searching for one finds nobody (the database would refuse a NUL).
    // eslint-disable-next-line no-control-regex
    const searchable = !/[\u0000-\u001F\u007F]/.test(email);
    const legacy = LEGACY_BEFORE.exec(queryString(query.before, 80));
    let page: PageRequest<[string, string]>;
    if (query.cursor === undefined && legacy) {
      page = { limit: PAGE, after: [legacy[1]!, legacy[2]!] };
      markDeprecated(reply, nextUrl(request, PEOPLE_CURSOR.encode(page.after!), 'before') ?? request.url);
    } else {
      page = readPage(request, reply, PEOPLE_CURSOR, { default: PAGE, max: PAGE });
    }
    const rows = searchable ? await listPeople(db, { limit: page.limit + 1, ...(page.after ? { before: page.after } : {}), ...(email ? { email } : {}) }) : [];
    const { items, next } = pageOf(request, reply, rows, page.limit, (last) => PEOPLE_CURSOR.encode(last.position), { legacy: 'before' });
    const done = query.done === 'appointed' || query.done === 'removed' ? request.i18n.t(`admin.users.${query.done}`) : undefined;
    return reply.page(request.i18n.t('admin.users.title'), <UsersPage ctx={reply.pageContext()} users={items} email={email} older={next ?? undefined} notice={done} />);
  });

  // Admins appoint and remove the instance's moderators; admins themselves are not changed here.
  for (const action of ['make-moderator', 'remove-moderator'] as const) {
    app.post(`/admin/users/:id/${action}`, guarded(admins), async (request, reply) => {
      const viewer = viewerOf(request);
      const id = String((request.params as Record<string, unknown>).id);
      if (!UUID_PATTERN.test(id) || id === viewer.id) throw new HttpError(id === viewer.id ? 403 : 404, id === viewer.id ? 'authorization_error' : 'not_found');
      const outcome = await setModeratorRole(db, { actor: viewer, userId: id, moderator: action === 'make-moderator', requestId: request.id });
      if (outcome === 'not_found') throw new HttpError(404, 'not_found');
      if (outcome === 'admin') throw new HttpError(403, 'authorization_error');
      return reply.redirect(`/admin/users?done=${action === 'make-moderator' ? 'appointed' : 'removed'}`, 303);
    });
  }

  for (const action of ['suspend', 'unsuspend'] as const) {
    app.post(`/admin/users/:id/${action}`, guarded(admins), async (request, reply) => {
      const viewer = viewerOf(request);
      const id = String((request.params as Record<string, unknown>).id);
      if (!UUID_PATTERN.test(id)) throw new HttpError(404, 'not_found');
      // Nobody suspends themselves: an admin could lock the instance out of its only admin.
      if (!canSuspend(viewer, id)) throw new HttpError(403, 'authorization_error');
      const outcome = await setSuspension(db, { actorId: viewer.id, userId: id, suspend: action === 'suspend', requestId: request.id });
      if (outcome === 'admin') throw new HttpError(403, 'authorization_error');
      if (outcome === 'not_found') throw new HttpError(404, 'not_found');
      return reply.redirect('/admin/users', 303);
    });
  }
}
