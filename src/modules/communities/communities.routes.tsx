import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, loadedRecord, moderators, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { API_PAGE, pageOf, readPage } from '../../platform/pagination.js';
import { parseForm, problemErrors, text, translateErrors, type FieldError } from '../../platform/forms.js';
import type { FormState } from '../../platform/views/form.js';
import type { Viewer } from '../../platform/views/render.js';
import type { Place } from '../profile/index.js';
import { MODERATION_FORM, parseCommunityForm, parseCommunityJson, parseJoinAnswers } from './communities.forms.js';
import { canProposeCommunity, decideModeration, type CommunityAction } from './communities.policy.js';
import type { CommunityRecord } from './communities.repository.js';
import {
  acceptInvite,
  actOnPerson,
  createInvite,
  decideJoinRequest,
  COMMUNITY_CURSOR,
  MEMBERSHIP_CURSOR,
  editCommunity,
  follow,
  inviteTarget,
  leave,
  listCommunities,
  moderateCommunity,
  moderationQueue,
  peopleOf,
  proposeCommunity,
  requestToJoin,
  unfollow,
  viewCommunity,
  type ChangeResult,
  type CommunityView,
  type PersonAction,
} from './communities.service.js';
import {
  CommunityFormPage,
  CommunityListPage,
  CommunityPage,
  ConflictPage,
  InviteGonePage,
  InvitePage,
  ModerationPage,
  PeoplePage,
} from './communities.views.js';
import { UUID_PATTERN } from '../../platform/ids.js';

/** The community list's page on the web: as the API's by default. */
const LIST_PAGE = { default: 20, max: 100 };
const SLUG = /^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$/;
const TOKEN_FORM = { token: text({ min: 1, max: 100 }) };

function slugParam(request: FastifyRequest): string {
  const slug = (request.params as { slug?: string }).slug ?? '';
  if (!SLUG.test(slug)) throw new HttpError(404, 'not_found');
  return slug;
}

function uuidParam(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name] ?? '';
  if (!UUID_PATTERN.test(value)) throw new HttpError(404, 'not_found');
  return value;
}

function query(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** The JSON shape of a community. */
function communityJson(record: CommunityRecord, view?: CommunityView) {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    kind: record.kind,
    status: record.status,
    mission: record.mission,
    ledBy: record.ledBy,
    serves: record.serves,
    online: record.online,
    area: record.areaLabel ? { label: record.areaLabel, placeId: record.areaPlaceId, lat: record.areaLat, lon: record.areaLon } : null,
    languages: record.languages,
    howToHelp: record.howToHelp,
    donationChannels: record.donationChannels,
    ledgerVisibility: record.ledgerVisibility,
    joinQuestions: record.joinQuestions,
    createdAt: record.createdAt.toISOString(),
    ...(view ? { viewerRole: view.access.role, joinRequestPending: view.pendingRequest } : {}),
  };
}

function placeDetail(request: FastifyRequest, error: FieldError, candidates: Place[]): string {
  const message = request.i18n.t(error.key, error.values);
  if (candidates.length === 0) return message;
  const choices = candidates.map((p) => `${p.name}${p.region ? `, ${p.region}` : ''}, ${p.country} (areaPlaceId ${p.id})`).join('; ');
  return request.i18n.t('communities.error.placeChoicesApi', { message, choices });
}

/** Communities: the list, proposals, a community's page, its people, invitations, and the moderators' queue; as pages and under /api/v1. */
export function registerCommunityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  /** The community as the viewer may see it, or 404. */
  async function visible(request: FastifyRequest): Promise<CommunityView> {
    const view = await viewCommunity(db, slugParam(request), request.viewer);
    if (!view) throw new HttpError(404, 'not_found');
    return view;
  }

  /** Refuses what the policy refuses: 404 when hidden, 403 when forbidden; a conflict is returned for the caller to explain. */
  function authorize(view: CommunityView, action: CommunityAction): 'allow' | 'conflict' {
    const decision = view.can(action);
    if (decision === 'hidden') throw new HttpError(404, 'not_found');
    if (decision === 'forbidden') throw new HttpError(403, 'authorization_error');
    return decision;
  }

  // The community of `:slug`, loaded and authorized by each route's guard before its handler runs
  // (and before its body is validated): 404 when hidden, 403 when forbidden, and the decision kept
  // so that the handler can explain a conflict.
  const theCommunity = loadedRecord<{ view: CommunityView; decision: 'allow' | 'conflict' }>('community');
  const community = (action?: CommunityAction) =>
    theCommunity.check(async (request) => {
      const found = await visible(request);
      return { view: found, decision: action ? authorize(found, action) : 'allow' };
    });

  function conflictPage(reply: FastifyReply, view: CommunityView, key: string) {
    reply.code(409);
    const message = reply.request.i18n.t(key);
    return reply.page(message, <ConflictPage ctx={reply.pageContext()} message={message} back={`/c/${view.record.slug}`} />);
  }

  function conflictProblem(request: FastifyRequest, reply: FastifyReply, key: string) {
    return sendProblem(request, reply, 409, 'conflict', { detail: request.i18n.t(key) });
  }

  // ---- List and proposals -------------------------------------------------------------------------

  app.get('/communities', guarded(anyone), async (request, reply) => {
    const page = readPage(request, reply, COMMUNITY_CURSOR, LIST_PAGE);
    const rows = await listCommunities(db, request.viewer, page);
    const { items, next } = pageOf(request, reply, rows, page.limit, (c) => COMMUNITY_CURSOR.encode([c.id]));
    return reply.page(request.i18n.t('communities.list.title'), <CommunityListPage ctx={reply.pageContext()} items={items} next={next} />);
  });

  function renderForm(reply: FastifyReply, mode: 'propose' | 'edit', action: string, state: FormState, candidates: Place[] = []) {
    const { t } = reply.request.i18n;
    return reply.page(
      mode === 'propose' ? t('communities.propose.title') : t('communities.edit.title'),
      <CommunityFormPage ctx={reply.pageContext()} state={state} mode={mode} action={action} candidates={candidates} />,
    );
  }

  app.get('/communities/new', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    if (!canProposeCommunity(viewer)) throw new HttpError(403, 'authorization_error');
    return renderForm(reply, 'propose', '/communities/new', { values: { kind: 'community', ledgerVisibility: 'public' }, errors: {} });
  });

  app.post('/communities/new', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    if (!canProposeCommunity(viewer)) throw new HttpError(403, 'authorization_error');
    const parsed = parseCommunityForm(request.body);
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return renderForm(reply, 'propose', '/communities/new', { values: parsed.echo, errors });
    }
    const result = await proposeCommunity(db, { viewer, community: parsed.value, requestId: request.id });
    if (!result.ok) {
      reply.code(422);
      return renderForm(reply, 'propose', '/communities/new', { values: echoBody(request.body), errors: translateErrors(request.i18n, result.errors) }, result.candidates);
    }
    return reply.redirect(`/c/${result.slug}`, 303);
  });

  // ---- A community --------------------------------------------------------------------------------

  function renderCommunity(reply: FastifyReply, view: CommunityView, joinState: FormState = { values: {}, errors: {} }) {
    return reply.page(view.record.name, <CommunityPage ctx={reply.pageContext()} view={view} joinState={joinState} />);
  }

  app.get('/c/:slug', guarded(anyone, community()), async (request, reply) => renderCommunity(reply, theCommunity.of(request).view));

  app.get('/c/:slug/edit', guarded(signedIn, community('edit')), async (request, reply) => {
    const view = theCommunity.of(request).view;
    return renderForm(reply, 'edit', `/c/${view.record.slug}/edit`, { values: formValues(view.record), errors: {} });
  });

  app.post('/c/:slug/edit', guarded(signedIn, community('edit')), async (request, reply) => {
    const viewer = viewerOf(request);
    const view = theCommunity.of(request).view;
    const action = `/c/${view.record.slug}/edit`;
    const parsed = parseCommunityForm(request.body, { edit: true });
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return renderForm(reply, 'edit', action, { values: parsed.echo, errors });
    }
    const result = await editCommunity(db, {
      viewer,
      communityId: view.record.id,
      slug: view.record.slug,
      community: { ...parsed.value, kind: view.record.kind },
      requestId: request.id,
    });
    if (!result.ok) {
      reply.code(422);
      return renderForm(reply, 'edit', action, { values: echoBody(request.body), errors: translateErrors(request.i18n, result.errors) }, result.candidates);
    }
    return reply.redirect(`/c/${view.record.slug}`, 303);
  });

  /** A page form that changes the viewer's own standing: follow, unfollow, leave, step down. */
  function ownChange(path: string, action: CommunityAction, run: (viewer: Viewer, view: CommunityView, requestId: string) => Promise<ChangeResult>, conflictKey: string) {
    app.post(path, guarded(signedIn, community(action)), async (request, reply) => {
      const viewer = viewerOf(request);
      const { view, decision } = theCommunity.of(request);
      if (decision === 'conflict') return conflictPage(reply, view, conflictKey);
      const result = await run(viewer, view, request.id);
      if (result === 'not_found') throw new HttpError(404, 'not_found');
      if (result === 'conflict') return conflictPage(reply, view, conflictKey);
      return reply.redirect(`/c/${view.record.slug}`, 303);
    });
  }

  ownChange('/c/:slug/follow', 'follow', (viewer, view, requestId) => follow(db, { viewer, communityId: view.record.id, requestId }), 'communities.error.alreadyIn');
  ownChange('/c/:slug/unfollow', 'unfollow', (viewer, view, requestId) => unfollow(db, { viewer, communityId: view.record.id, requestId }), 'communities.error.leaveInstead');
  ownChange('/c/:slug/leave', 'leave', (viewer, view, requestId) => leave(db, { viewer, communityId: view.record.id, requestId }), 'communities.error.lastOrganizer');
  ownChange(
    '/c/:slug/step-down',
    'step_down',
    (viewer, view, requestId) => leave(db, { viewer, communityId: view.record.id, requestId, stepDownOnly: true }),
    'communities.error.lastOrganizer',
  );

  app.post('/c/:slug/join', guarded(signedIn, community('request_join')), async (request, reply) => {
    const viewer = viewerOf(request);
    const { view, decision } = theCommunity.of(request);
    if (decision === 'conflict') return conflictPage(reply, view, 'communities.error.alreadyIn');
    const parsed = parseJoinAnswers(request.body, view.record.joinQuestions.length, 'form');
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return renderCommunity(reply, view, { values: parsed.echo, errors });
    }
    const result = await requestToJoin(db, { viewer, communityId: view.record.id, answers: parsed.value, requestId: request.id });
    if (result === 'not_found') throw new HttpError(404, 'not_found');
    if (result === 'conflict') return conflictPage(reply, view, 'communities.error.requestWaiting');
    return reply.redirect(`/c/${view.record.slug}`, 303);
  });

  // ---- People (organizers) ------------------------------------------------------------------------

  async function renderPeople(reply: FastifyReply, view: CommunityView, invite?: { url: string; expiresAt: Date }) {
    const people = await peopleOf(db, view.record.id);
    return reply.page(
      reply.request.i18n.t('communities.people.title', { name: view.record.name }),
      <PeoplePage ctx={reply.pageContext()} view={view} people={people} invite={invite} />,
    );
  }

  app.get('/c/:slug/people', guarded(signedIn, community('manage_people')), async (request, reply) => {
    const view = theCommunity.of(request).view;
    return renderPeople(reply, view);
  });

  app.post('/c/:slug/invites', guarded(signedIn, community('invite')), async (request, reply) => {
    const viewer = viewerOf(request);
    const view = theCommunity.of(request).view;
    if (!parseForm({}, request.body).ok) throw new HttpError(400, 'bad_request');
    const invite = await createInvite(db, { viewer, communityId: view.record.id, requestId: request.id });
    // The link is shown once, in this response: it is never stored and never put in a URL we redirect to.
    const url = new URL(`/invites?token=${invite.token}`, ctx.config.publicUrl).toString();
    return renderPeople(reply, view, { url, expiresAt: invite.expiresAt });
  });

  for (const action of ['promote', 'remove', 'block', 'unblock'] as const satisfies readonly PersonAction[]) {
    app.post(`/c/:slug/people/:userId/${action}`, guarded(signedIn, community(action)), async (request, reply) => {
      const viewer = viewerOf(request);
      const view = theCommunity.of(request).view;
      const userId = uuidParam(request, 'userId');
      if (!parseForm({}, request.body).ok) throw new HttpError(400, 'bad_request');
      const result = await actOnPerson(ctx, { viewer, communityId: view.record.id, userId, action, requestId: request.id });
      if (result === 'not_found') throw new HttpError(404, 'not_found');
      if (result === 'conflict') return conflictPage(reply, view, `communities.error.${action}`);
      return reply.redirect(`/c/${view.record.slug}/people`, 303);
    });
  }

  for (const decision of ['approve', 'decline'] as const) {
    app.post(`/c/:slug/requests/:requestId/${decision}`, guarded(signedIn, community('decide_request')), async (request, reply) => {
      const viewer = viewerOf(request);
      const view = theCommunity.of(request).view;
      const joinRequestId = uuidParam(request, 'requestId');
      const result = await decideJoinRequest(db, { viewer, communityId: view.record.id, joinRequestId, approve: decision === 'approve', requestId: request.id });
      if (result === 'not_found') throw new HttpError(404, 'not_found');
      if (result === 'conflict') return conflictPage(reply, view, 'communities.error.blockedRequester');
      return reply.redirect(`/c/${view.record.slug}/people`, 303);
    });
  }

  // ---- Invitations ----------------------------------------------------------------------------------

  function gone(reply: FastifyReply) {
    reply.code(410);
    return reply.page(reply.request.i18n.t('communities.invite.goneTitle'), <InviteGonePage ctx={reply.pageContext()} />);
  }

  app.get('/invites', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const token = query(request).token;
    if (typeof token !== 'string') return gone(reply);
    const access = await inviteTarget(db, token, viewer);
    if (!access) return gone(reply);
    return reply.page(
      request.i18n.t('communities.invite.pageTitle', { name: access.community.name }),
      <InvitePage ctx={reply.pageContext()} token={token} name={access.community.name} />,
    );
  });

  app.post('/invites', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parseForm(TOKEN_FORM, request.body);
    if (!parsed.ok) return gone(reply);
    const result = await acceptInvite(db, { viewer, token: parsed.value.token, requestId: request.id });
    if (result.result === 'gone') return gone(reply);
    return reply.redirect(`/c/${result.slug}`, 303);
  });

  // ---- Moderation -----------------------------------------------------------------------------------

  async function renderQueue(reply: FastifyReply, states: Record<string, FormState> = {}) {
    const queue = await moderationQueue(db);
    return reply.page(reply.request.i18n.t('moderation.communities.title'), <ModerationPage ctx={reply.pageContext()} queue={queue} states={states} />);
  }

  app.get('/moderation/communities', guarded(moderators), async (request, reply) => {
    return renderQueue(reply);
  });

  for (const decision of ['verify', 'reject'] as const) {
    app.post(`/moderation/communities/:slug/${decision}`, guarded(moderators, community()), async (request, reply) => {
      const viewer = viewerOf(request);
      const view = theCommunity.of(request).view;
      const parsed = parseForm(MODERATION_FORM, request.body);
      if (!parsed.ok) {
        reply.code(422);
        const errors = translateErrors(request.i18n, parsed.errors);
        for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
        return renderQueue(reply, { [view.record.id]: { values: parsed.echo, errors } });
      }
      if (decideModeration(viewer, view.record.status) === 'conflict') return conflictPage(reply, view, 'moderation.communities.decided');
      const done = await moderateCommunity(db, {
        viewer,
        communityId: view.record.id,
        decision: decision === 'verify' ? 'verified' : 'rejected',
        note: parsed.value.note,
        requestId: request.id,
      });
      if (!done) return conflictPage(reply, view, 'moderation.communities.decided');
      return reply.redirect('/moderation/communities', 303);
    });
  }

  // ---- API ------------------------------------------------------------------------------------------

  app.get('/api/v1/communities', guarded(anyone), async (request, reply) => {
    const page = readPage(request, reply, COMMUNITY_CURSOR, API_PAGE);
    const rows = await listCommunities(db, request.viewer, page);
    const { items, next } = pageOf(request, reply, rows, page.limit, (c) => COMMUNITY_CURSOR.encode([c.id]));
    return reply.header('cache-control', 'no-store').send({
      communities: items.map((c) => ({
        id: c.id,
        slug: c.slug,
        name: c.name,
        kind: c.kind,
        mission: c.mission,
        online: c.online,
        area: c.areaLabel,
        createdAt: new Date(c.createdAt).toISOString(),
        url: `/api/v1/communities/${c.slug}`,
      })),
      next,
    });
  });

  app.get('/api/v1/communities/:slug', guarded(anyone, community()), async (request, reply) => {
    const view = theCommunity.of(request).view;
    return reply.header('cache-control', 'no-store').send(communityJson(view.record, view));
  });

  app.post('/api/v1/communities', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    if (!canProposeCommunity(viewer)) throw new HttpError(403, 'authorization_error');
    const parsed = parseCommunityJson(request.body);
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    const result = await proposeCommunity(db, { viewer, community: parsed.value, requestId: request.id });
    if (!result.ok) {
      const errors = Object.entries(result.errors).map(([name, error]) => ({ pointer: `/${name}`, detail: placeDetail(request, error, result.candidates) }));
      return sendProblem(request, reply, 422, 'validation_error', { errors });
    }
    const view = await viewCommunity(db, result.slug, viewer);
    return reply.code(201).header('location', `/api/v1/communities/${result.slug}`).send(communityJson(view!.record, view));
  });

  app.post('/api/v1/communities/:slug/follow', guarded(signedIn, community('follow')), async (request, reply) => {
    const viewer = viewerOf(request);
    const { view, decision } = theCommunity.of(request);
    if (decision === 'conflict') return conflictProblem(request, reply, 'communities.error.alreadyIn');
    const result = await follow(db, { viewer, communityId: view.record.id, requestId: request.id });
    if (result === 'not_found') throw new HttpError(404, 'not_found');
    if (result === 'conflict') return conflictProblem(request, reply, 'communities.error.alreadyIn');
    return reply.send({ role: 'ally' });
  });

  app.delete('/api/v1/communities/:slug/follow', guarded(signedIn, community('unfollow')), async (request, reply) => {
    const viewer = viewerOf(request);
    const { view, decision } = theCommunity.of(request);
    if (decision === 'conflict') return conflictProblem(request, reply, 'communities.error.leaveInstead');
    const result = await unfollow(db, { viewer, communityId: view.record.id, requestId: request.id });
    if (result !== 'ok') return conflictProblem(request, reply, 'communities.error.leaveInstead');
    return reply.code(204).send();
  });

  app.post('/api/v1/communities/:slug/join-requests', guarded(signedIn, community('request_join')), async (request, reply) => {
    const viewer = viewerOf(request);
    const { view, decision } = theCommunity.of(request);
    if (decision === 'conflict') return conflictProblem(request, reply, 'communities.error.alreadyIn');
    const parsed = parseJoinAnswers(request.body, view.record.joinQuestions.length, 'json');
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    const result = await requestToJoin(db, { viewer, communityId: view.record.id, answers: parsed.value, requestId: request.id });
    if (result === 'not_found') throw new HttpError(404, 'not_found');
    if (result === 'conflict') return conflictProblem(request, reply, 'communities.error.requestWaiting');
    return reply.code(201).send({ status: 'pending' });
  });

  app.get('/api/v1/communities/:slug/memberships', guarded(signedIn, community('view_memberships')), async (request, reply) => {
    const view = theCommunity.of(request).view;
    const page = readPage(request, reply, MEMBERSHIP_CURSOR, API_PAGE);
    const people = await peopleOf(db, view.record.id, { limit: page.limit + 1, ...(page.after ? { after: page.after } : {}) });
    const { items, next } = pageOf(request, reply, people.memberships, page.limit, (m) => MEMBERSHIP_CURSOR.encode(m.position));
    return reply.header('cache-control', 'no-store').send({
      next,
      memberships: items.map((m) => ({ userId: m.userId, displayName: m.displayName, role: m.role, since: new Date(m.since).toISOString() })),
      joinRequests: people.requests.map((r) => ({ id: r.id, userId: r.userId, displayName: r.displayName, answers: r.answers, createdAt: new Date(r.createdAt).toISOString() })),
      blocked: people.blocks,
    });
  });

  for (const decision of ['verify', 'reject'] as const) {
    app.post(`/api/v1/moderation/communities/:slug/${decision}`, guarded(moderators, community()), async (request, reply) => {
      const viewer = viewerOf(request);
      const view = theCommunity.of(request).view;
      const parsed = parseForm(MODERATION_FORM, request.body);
      if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
      if (decideModeration(viewer, view.record.status) === 'conflict') return conflictProblem(request, reply, 'moderation.communities.decided');
      const done = await moderateCommunity(db, {
        viewer,
        communityId: view.record.id,
        decision: decision === 'verify' ? 'verified' : 'rejected',
        note: parsed.value.note,
        requestId: request.id,
      });
      if (!done) return conflictProblem(request, reply, 'moderation.communities.decided');
      return reply.send({ slug: view.record.slug, status: decision === 'verify' ? 'verified' : 'rejected' });
    });
  }
}

/** What a form sent, to show again after a refusal that came after parsing (an unknown area). */
function echoBody(body: unknown): Record<string, string | string[]> {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const echo: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === '_csrf') continue;
    if (typeof value === 'string') echo[name] = value;
    else if (Array.isArray(value)) echo[name] = value.filter((v): v is string => typeof v === 'string');
  }
  return echo;
}

/** The edit form's values for a saved community. */
function formValues(record: CommunityRecord): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {
    name: record.name,
    mission: record.mission,
    ledBy: record.ledBy.join(', '),
    serves: record.serves.join(', '),
    online: record.online ? 'on' : '',
    area: record.areaLabel ?? '',
    areaPlaceId: record.areaPlaceId ?? '',
    languages: record.languages.join(', '),
    howToHelp: record.howToHelp ?? '',
    ledgerVisibility: record.ledgerVisibility,
  };
  record.donationChannels.forEach((c, i) => {
    values[`donationLabel${i + 1}`] = c.label;
    values[`donationDetails${i + 1}`] = c.details;
  });
  record.joinQuestions.forEach((q, i) => {
    values[`question${i + 1}`] = q;
  });
  return values;
}
