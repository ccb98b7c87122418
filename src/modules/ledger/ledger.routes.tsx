import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError } from '../../platform/errors.js';
import { parseForm } from '../../platform/forms.js';
import type { Viewer } from '../../platform/views/render.js';
import { getVisibleAsk } from '../asks/index.js';
import { canSeeCommunity, getCommunityAccess, type CommunityAccess } from '../communities/index.js';
import { canSeeAllyNames, canSeeAttendance } from './ledger.policy.js';
import {
  askCalendar,
  attendanceCsv,
  buildLedger,
  buildLedgerWithRows,
  communityCalendar,
  deleteFeed,
  feedOwner,
  feedStatus,
  feedUrl,
  getLedgerAccess,
  ledgerCsv,
  ledgerJson,
  ownCalendar,
  resetFeed,
  type FeedWords,
} from './ledger.service.js';
import { CalendarAccountPage, LedgerPage } from './ledger.views.js';

type Params = { slug?: string; id?: string; token?: string };

function sendCalendar(reply: FastifyReply, body: string, options: { private: boolean }) {
  return reply
    .header('cache-control', options.private ? 'private, no-store' : 'no-cache')
    .header('x-robots-tag', 'noindex')
    .type('text/calendar; charset=utf-8')
    .send(body);
}

function sendCsv(reply: FastifyReply, body: string, filename: string) {
  return reply.header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="${filename}"`).type('text/csv; charset=utf-8').send(body);
}

/** The ledger, its CSV and API; the community, ask and private calendar feeds; the page of the private feed. */
export function registerLedgerRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  async function visibleLedger(request: FastifyRequest, viewer: Viewer | undefined): Promise<CommunityAccess> {
    const access = await getLedgerAccess(ctx, (request.params as Params).slug ?? '', viewer);
    if (!access) throw new HttpError(404, 'not_found');
    return access;
  }

  function words(t: (key: string) => string): FeedWords {
    return { online: t('calendar.online'), waitlisted: t('calendar.waitlisted') };
  }

  // ---- ledger -----------------------------------------------------------------------------------------

  app.get('/c/:slug/ledger', guarded(anyone), async (request, reply) => {
    const viewer = request.viewer;
    const access = await visibleLedger(request, viewer);
    const ledger = await buildLedger(ctx, access);
    return reply.page(
      request.i18n.t('ledger.title', { name: access.community.name }),
      <LedgerPage ctx={reply.pageContext()} ledger={ledger} community={access.community} names={canSeeAllyNames(viewer, access)} />,
    );
  });

  app.get('/c/:slug/ledger.csv', guarded(anyone), async (request, reply) => {
    const viewer = request.viewer;
    const access = await visibleLedger(request, viewer);
    const ledger = await buildLedgerWithRows(ctx, access);
    return sendCsv(reply, ledgerCsv(ledger, viewer), `${access.community.slug}-ledger.csv`);
  });

  app.get('/api/v1/communities/:slug/ledger', guarded(anyone), async (request, reply) => {
    const access = await visibleLedger(request, request.viewer);
    return reply.header('cache-control', 'no-store').send(ledgerJson(await buildLedger(ctx, access)));
  });

  app.get('/asks/:id/attendance.csv', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = await getVisibleAsk(db, (request.params as Params).id ?? '', viewer);
    if (!found) throw new HttpError(404, 'not_found');
    if (!canSeeAttendance(viewer, found.access)) throw new HttpError(403, 'authorization_error');
    return sendCsv(reply, await attendanceCsv(ctx, found.ask.id), `attendance-${found.ask.id}.csv`);
  });

  // ---- calendars --------------------------------------------------------------------------------------

  app.get('/c/:slug/calendar.ics', guarded(anyone), async (request, reply) => {
    const viewer = request.viewer;
    const access = await getCommunityAccess(db, (request.params as Params).slug ?? '', viewer);
    if (!access || !canSeeCommunity(viewer, access)) throw new HttpError(404, 'not_found');
    return sendCalendar(reply, await communityCalendar(ctx, access, words(request.i18n.t)), { private: viewer !== undefined });
  });

  app.get('/asks/:id/calendar.ics', guarded(anyone), async (request, reply) => {
    const viewer = request.viewer;
    const found = await getVisibleAsk(db, (request.params as Params).id ?? '', viewer);
    if (!found) throw new HttpError(404, 'not_found');
    return sendCalendar(reply, askCalendar(ctx, found.ask, found.access.community.name, words(request.i18n.t)), { private: viewer !== undefined });
  });

  app.get('/calendar/:token.ics', guarded(anyone), async (request, reply) => {
    const owner = await feedOwner(ctx, (request.params as Params).token ?? '');
    if (!owner) throw new HttpError(404, 'not_found');
    // Calendar apps fetch without cookies: the feed speaks the owner's language, not the request's.
    const { t } = ctx.i18n.translator(owner.locale ?? ctx.config.defaultLocale);
    return sendCalendar(reply, await ownCalendar(ctx, owner.userId, { ...words(t), name: t('calendar.ownName') }), { private: true });
  });

  // ---- the private feed's page ------------------------------------------------------------------------

  app.get('/account/calendar', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const feed = await feedStatus(ctx, viewer.id);
    const off = (request.query as Record<string, unknown>).off === '1';
    return reply.page(
      request.i18n.t('calendar.account.title'),
      <CalendarAccountPage ctx={reply.pageContext()} feed={feed} notice={off ? request.i18n.t('calendar.account.deleted') : undefined} />,
    );
  });

  app.post('/account/calendar/reset', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    if (!parseForm({}, request.body ?? {}).ok) throw new HttpError(400, 'bad_request');
    const token = await resetFeed(ctx, { userId: viewer.id, requestId: request.id });
    // The address is shown on this answer only (no redirect): it is never stored where it could be shown again.
    reply.header('cache-control', 'no-store');
    return reply.page(
      request.i18n.t('calendar.account.title'),
      <CalendarAccountPage ctx={reply.pageContext()} feed={await feedStatus(ctx, viewer.id)} newUrl={feedUrl(ctx, token)} />,
    );
  });

  app.post('/account/calendar/delete', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    if (!parseForm({}, request.body ?? {}).ok) throw new HttpError(400, 'bad_request');
    await deleteFeed(ctx, { userId: viewer.id, requestId: request.id });
    return reply.redirect('/account/calendar?off=1', 303);
  });
}
