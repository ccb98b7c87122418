import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, loadedRecord, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { API_PAGE, pageOf, readPage } from '../../platform/pagination.js';
import { choice, optionalText, parseForm, translateErrors, type FieldError } from '../../platform/forms.js';
import type { FormState } from '../../platform/views/form.js';
import type { Viewer } from '../../platform/views/render.js';
import { canManageAsks, canSeeCommunity, getCommunityAccess, listDonationChannels, type CommunityAccess } from '../communities/index.js';
import type { Place } from '../profile/index.js';
import { CLOSE_FORM, flattenAskJson, isAskField, ITEMS_MAX, parseAsk, pointerFor, ROWS_STEP, toLocalInput, WINDOWS_MAX, OUTCOME_MAX } from './asks.form.js';
import { actionFor, ASK_STATUSES, availableActions, canCreateAsk, canEditAsk, canSeeLocationDetail, type AskAction } from './asks.policy.js';
import {
  askJson,
  askPatchBase,
  changeStatus,
  createAsk,
  ASK_CURSOR,
  editAsk,
  existingTimes,
  getVisibleAsk,
  listVisibleAsks,
  type AskAccess,
  type AskRecord,
} from './asks.service.js';
import { askViewerFacts } from './asks.slots.js';
import { AskFormPage, AskListPage, AskPage } from './asks.views.js';
import { majorUnits } from '../../platform/money.js';

/** A community's asks on its page: twenty at a time. */
const LIST_PAGE = { default: 20, max: 100 };

const STATUS_JSON = { status: choice(ASK_STATUSES), outcome: optionalText({ max: OUTCOME_MAX, multiline: true }) };

type Params = { slug?: string; id?: string };

/** The fields of a submitted form as typed, to show them again. */
function echoBody(body: unknown): FormState['values'] {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const values: FormState['values'] = {};
  for (const [name, raw] of Object.entries(input)) {
    if (!isAskField(name) || name === '_csrf' || name === 'addRows') continue;
    if (typeof raw === 'string') values[name] = raw;
    else if (Array.isArray(raw)) values[name] = raw.filter((r): r is string => typeof r === 'string');
  }
  return values;
}

/** How many window or item rows the form shows: what it showed before, every filled row, and at least a few. */
function rowCount(values: FormState['values'], prefix: 'window' | 'item', shown: string | undefined, max: number): number {
  let rows = Math.max(ROWS_STEP, Math.min(max, Number.parseInt(shown ?? '', 10) || 0));
  for (const name of Object.keys(values)) {
    const m = new RegExp(`^${prefix}(\\d+)`).exec(name);
    if (m && values[name] !== '') rows = Math.max(rows, Math.min(max, Number(m[1]) + 1));
  }
  return rows;
}

/** The form values that show a saved ask. */
function askFormValues(ask: AskRecord): FormState['values'] {
  const zone = ask.timeZone;
  const values: FormState['values'] = {
    kind: ask.kind,
    title: ask.title,
    description: ask.description,
    language: ask.language,
    timeZone: zone,
    online: ask.online ? 'on' : '',
    area: ask.areaLabel ?? '',
    areaPlaceId: ask.areaPlaceId ?? '',
    locationDetail: ask.locationDetail ?? '',
    locationSensitive: ask.locationSensitive ? 'on' : '',
    skills: ask.skills,
    languages: ask.languages,
    accessibilityNotes: ask.accessibilityNotes ?? '',
    priority: ask.priority,
    withdrawalCutoffHours: String(ask.withdrawalCutoffHours),
    deliverable: ask.deliverable ?? '',
    estimatedHours: ask.estimatedHours === null ? '' : String(ask.estimatedHours),
    moneyGoal: ask.moneyGoalMinor !== null && ask.currency ? majorUnits(ask.moneyGoalMinor, ask.currency) : '',
    currency: ask.currency ?? '',
    advocacyScript: ask.advocacyScript ?? '',
    advocacyTarget: ask.advocacyTarget ?? '',
    startsAt: ask.startsAt ? toLocalInput(ask.startsAt, zone) : '',
    endsAt: ask.endsAt ? toLocalInput(ask.endsAt, zone) : '',
    capacity: ask.capacity === null ? '' : String(ask.capacity),
  };
  ask.windows.forEach((w, i) => {
    values[`window${i}Id`] = w.id;
    values[`window${i}Start`] = toLocalInput(w.startsAt, zone);
    values[`window${i}End`] = toLocalInput(w.endsAt, zone);
    values[`window${i}Slots`] = String(w.slots);
  });
  ask.items.forEach((item, i) => {
    values[`item${i}Id`] = item.id;
    values[`item${i}Label`] = item.label;
    values[`item${i}Quantity`] = String(item.quantity);
    values[`item${i}Unit`] = item.unit ?? '';
  });
  return values;
}

/** Asks: a community's list, the ask form, the ask's page and its lifecycle, as pages and under /api/v1. */
export function registerAskRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  /** The community, when the viewer may see it; 404 otherwise, so that nothing about it leaks. */
  async function visibleCommunity(request: FastifyRequest, viewer: Viewer | undefined): Promise<CommunityAccess> {
    const { slug } = request.params as Params;
    const access = slug ? await getCommunityAccess(db, slug, viewer) : undefined;
    if (!access || !canSeeCommunity(viewer, access)) throw new HttpError(404, 'not_found');
    return access;
  }

  /** The ask, when the viewer may see it (404 otherwise: a draft's existence is never revealed). */
  async function visibleAsk(request: FastifyRequest, viewer: Viewer | undefined): Promise<AskAccess> {
    const found = await getVisibleAsk(db, (request.params as Params).id ?? '', viewer);
    if (!found) throw new HttpError(404, 'not_found');
    return found;
  }

  /** The ask, when the viewer may manage it: 404 when they cannot see it, 403 when they see it but may not change it. */
  async function managedAsk(request: FastifyRequest, viewer: Viewer, purpose: 'edit' | 'status'): Promise<AskAccess> {
    const found = await visibleAsk(request, viewer);
    if (!canManageAsks(viewer, found.access)) throw new HttpError(403, 'authorization_error');
    // A closed ask is the community's record: it is never edited again.
    if (purpose === 'edit' && !canEditAsk(viewer, found.access, found.ask)) throw new HttpError(409, 'conflict');
    return found;
  }

  // What each route's guard loads and checks before its handler (and before its body is validated).
  const theCommunity = loadedRecord<CommunityAccess>('community');
  const theAsk = loadedRecord<AskAccess>('ask');
  /** The community of `:slug` as the viewer may see it (404); 'create' also needs the right to post its asks (403). */
  const community = (need: 'see' | 'create') =>
    theCommunity.check(async (request) => {
      const access = await visibleCommunity(request, request.viewer);
      if (need === 'create' && !canCreateAsk(request.viewer, access)) throw new HttpError(403, 'authorization_error');
      return access;
    });
  /** The ask of `:id` as the viewer may see it (404); 'edit' and 'status' also need to manage it (403), and 'edit' an ask not yet closed (409). */
  const ask = (need: 'see' | 'edit' | 'status') =>
    theAsk.check((request) => (need === 'see' ? visibleAsk(request, request.viewer) : managedAsk(request, viewerOf(request), need)));

  function renderForm(
    reply: FastifyReply,
    options: { access: CommunityAccess; action: string; heading: string; state: FormState; candidates?: Place[]; addRows?: string | undefined; body?: Record<string, unknown> },
  ) {
    const { state } = options;
    const body = options.body ?? {};
    let windowRows = rowCount(state.values, 'window', typeof body.windowRows === 'string' ? body.windowRows : undefined, WINDOWS_MAX);
    let itemRows = rowCount(state.values, 'item', typeof body.itemRows === 'string' ? body.itemRows : undefined, ITEMS_MAX);
    if (options.addRows === 'windows') windowRows = Math.min(WINDOWS_MAX, windowRows + ROWS_STEP);
    if (options.addRows === 'items') itemRows = Math.min(ITEMS_MAX, itemRows + ROWS_STEP);
    return reply.page(
      options.heading,
      <AskFormPage
        ctx={reply.pageContext()}
        community={options.access.community}
        action={options.action}
        heading={options.heading}
        state={state}
        windowRows={windowRows}
        itemRows={itemRows}
        candidates={options.candidates ?? []}
      />,
    );
  }

  /** Whether the viewer holds a pledged commitment to the ask (they may then see a sensitive location). */
  async function pledged(viewer: Viewer | undefined, askId: string): Promise<boolean> {
    if (!viewer) return false;
    const facts = await Promise.all(ctx.slots.all(askViewerFacts).map((facts) => facts(db.kysely, askId, viewer.id)));
    return facts.some((f) => f.pledged === true);
  }

  async function renderAsk(reply: FastifyReply, viewer: Viewer | undefined, found: AskAccess, closeState: FormState = { values: {}, errors: {} }, notice?: string) {
    const { ask, access } = found;
    const canEdit = canEditAsk(viewer, access, ask);
    const showDetail = canSeeLocationDetail(viewer, access, ask, { pledged: await pledged(viewer, ask.id) });
    const channels = ask.kind === 'money' ? await listDonationChannels(db.kysely, access.community.id) : undefined;
    return reply.page(
      ask.title,
      <AskPage
        ctx={reply.pageContext()}
        ask={ask}
        community={access.community}
        showDetail={showDetail}
        channels={channels}
        canEdit={canEdit}
        actions={canEdit ? availableActions(ask.status) : []}
        closeState={closeState}
        notice={notice}
      />,
    );
  }

  /** Parses a submitted ask form; on refusal renders it again (422) or with more rows (200) and returns undefined. */
  function handleSubmission(request: FastifyRequest, reply: FastifyReply, access: CommunityAccess, action: string, heading: string, existing?: AskRecord) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = echoBody(body);
    const addRows = typeof body.addRows === 'string' ? body.addRows : undefined;
    if (addRows) return { reply: renderForm(reply, { access, action, heading, state: { values, errors: {} }, addRows, body }) };
    const parsed = parseAsk(body, new Date(), existing ? existingTimes(existing) : undefined);
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return { reply: renderForm(reply, { access, action, heading, state: { values, errors }, body }) };
    }
    return { value: parsed.value, values, body };
  }

  // ---- pages ------------------------------------------------------------------------------------------

  app.get('/c/:slug/asks', guarded(anyone, community('see')), async (request, reply) => {
    const viewer = request.viewer;
    const access = theCommunity.of(request);
    const page = readPage(request, reply, ASK_CURSOR, LIST_PAGE, { legacy: 'after' });
    const rows = await listVisibleAsks(db, access, viewer, page);
    const { items, next } = pageOf(request, reply, rows, page.limit, (a) => ASK_CURSOR.encode([a.cursorAt, a.id]), { legacy: 'after' });
    return reply.page(
      request.i18n.t('asks.list.title', { community: access.community.name }),
      <AskListPage ctx={reply.pageContext()} community={access.community} asks={items} next={next} canCreate={canCreateAsk(viewer, access)} />,
    );
  });

  app.get('/c/:slug/asks/new', guarded(signedIn, community('create')), async (request, reply) => {
    const access = theCommunity.of(request);
    const values = { language: request.i18n.locale, priority: 'normal', withdrawalCutoffHours: '24', timeZone: 'UTC' };
    return renderForm(reply, { access, action: `/c/${access.community.slug}/asks`, heading: request.i18n.t('asks.new.title'), state: { values, errors: {} } });
  });

  app.post('/c/:slug/asks', guarded(signedIn, community('create')), async (request, reply) => {
    const viewer = viewerOf(request);
    const access = theCommunity.of(request);
    const action = `/c/${access.community.slug}/asks`;
    const heading = request.i18n.t('asks.new.title');
    const submitted = handleSubmission(request, reply, access, action, heading);
    if (!submitted.value) return submitted.reply;
    const result = await createAsk(db, { communityId: access.community.id, actorId: viewer.id, ask: submitted.value, requestId: request.id });
    if (!result.ok) {
      reply.code(422);
      const state = { values: submitted.values, errors: translateErrors(request.i18n, result.errors) };
      return renderForm(reply, { access, action, heading, state, candidates: result.candidates, body: submitted.body });
    }
    return reply.redirect(`/asks/${result.id}`, 303);
  });

  app.get('/asks/:id', guarded(anyone, ask('see')), async (request, reply) => {
    const found = theAsk.of(request);
    return renderAsk(reply, request.viewer, found);
  });

  app.get('/asks/:id/edit', guarded(signedIn, ask('edit')), async (request, reply) => {
    const found = theAsk.of(request);
    const heading = request.i18n.t('asks.edit.title');
    return renderForm(reply, { access: found.access, action: `/asks/${found.ask.id}/edit`, heading, state: { values: askFormValues(found.ask), errors: {} } });
  });

  app.post('/asks/:id/edit', guarded(signedIn, ask('edit')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const action = `/asks/${found.ask.id}/edit`;
    const heading = request.i18n.t('asks.edit.title');
    const submitted = handleSubmission(request, reply, found.access, action, heading, found.ask);
    if (!submitted.value) return submitted.reply;
    const result = await editAsk(db, { askId: found.ask.id, actorId: viewer.id, ask: submitted.value, requestId: request.id });
    if (!result.ok) {
      reply.code(422);
      const state = { values: submitted.values, errors: translateErrors(request.i18n, result.errors) };
      return renderForm(reply, { access: found.access, action, heading, state, candidates: result.candidates, body: submitted.body });
    }
    return reply.redirect(`/asks/${found.ask.id}`, 303);
  });

  for (const action of ['publish', 'pause', 'resume', 'fill', 'close'] as const satisfies readonly AskAction[]) {
    app.post(`/asks/:id/${action}`, guarded(signedIn, ask('status')), async (request, reply) => {
      const viewer = viewerOf(request);
      const found = theAsk.of(request);
      let outcome: string | undefined;
      if (action === 'close') {
        const parsed = parseForm(CLOSE_FORM, request.body);
        if (!parsed.ok) {
          const errors: Record<string, FieldError> = { ...(parsed.errors as Record<string, FieldError>) };
          const state = { values: { outcome: typeof parsed.echo.outcome === 'string' ? parsed.echo.outcome : '' }, errors: translateErrors(request.i18n, errors) };
          for (const name of parsed.unknown) state.errors[name] = request.i18n.t('validation.unknownField');
          reply.code(422);
          return renderAsk(reply, viewer, found, state);
        }
        outcome = parsed.value.outcome;
      } else {
        const parsed = parseForm({}, request.body);
        if (!parsed.ok) throw new HttpError(400, 'bad_request');
      }
      const result = await changeStatus(db, { ask: found.ask, action, actorId: viewer.id, requestId: request.id, ...(outcome ? { outcome } : {}) });
      if (!result.ok) {
        reply.code(409);
        const fresh = (await getVisibleAsk(db, found.ask.id, viewer)) ?? found;
        return renderAsk(reply, viewer, fresh, undefined, request.i18n.t('asks.error.transition'));
      }
      return reply.redirect(`/asks/${found.ask.id}`, 303);
    });
  }

  // ---- API --------------------------------------------------------------------------------------------

  function apiInvalid(request: FastifyRequest, reply: FastifyReply, errors: Partial<Record<string, FieldError>>, unknown: string[] = []) {
    const list = [
      ...Object.entries(errors).flatMap(([name, error]) => (error ? [{ pointer: pointerFor(name), detail: request.i18n.t(error.key, error.values) }] : [])),
      ...unknown.map((name) => ({ pointer: pointerFor(name), detail: request.i18n.t('validation.unknownField') })),
    ];
    return sendProblem(request, reply, 422, 'validation_error', { errors: list });
  }

  function jsonBody(request: FastifyRequest): Record<string, unknown> {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'bad_request');
    return body as Record<string, unknown>;
  }

  app.get('/api/v1/communities/:slug/asks', guarded(anyone, community('see')), async (request, reply) => {
    const viewer = request.viewer;
    const access = theCommunity.of(request);
    const page = readPage(request, reply, ASK_CURSOR, API_PAGE, { legacy: 'after' });
    const rows = await listVisibleAsks(db, access, viewer, page);
    const { items, next } = pageOf(request, reply, rows, page.limit, (a) => ASK_CURSOR.encode([a.cursorAt, a.id]), { legacy: 'after' });
    return reply.header('cache-control', 'no-store').send({
      asks: items.map((a) => ({
        id: a.id,
        kind: a.kind,
        title: a.title,
        status: a.status,
        priority: a.priority,
        online: a.online,
        area: a.areaLabel,
        createdAt: a.createdAt.toISOString(),
        url: `/api/v1/asks/${a.id}`,
      })),
      next,
    });
  });

  app.get('/api/v1/asks/:id', guarded(anyone, ask('see')), async (request, reply) => {
    const found = theAsk.of(request);
    return reply
      .header('cache-control', 'no-store')
      .send(askJson(found.ask, found.access, request.viewer, { pledged: await pledged(request.viewer, found.ask.id) }));
  });

  app.post('/api/v1/communities/:slug/asks', guarded(signedIn, community('create')), async (request, reply) => {
    const viewer = viewerOf(request);
    const access = theCommunity.of(request);
    const flat = flattenAskJson(jsonBody(request));
    if (!flat) return apiInvalid(request, reply, { '/windows': { key: 'asks.error.rows' } });
    const parsed = parseAsk(flat, new Date());
    if (!parsed.ok) return apiInvalid(request, reply, parsed.errors, parsed.unknown);
    const result = await createAsk(db, { communityId: access.community.id, actorId: viewer.id, ask: parsed.value, requestId: request.id });
    if (!result.ok) return apiInvalid(request, reply, result.errors);
    const created = await getVisibleAsk(db, result.id, viewer);
    return reply.code(201).header('location', `/api/v1/asks/${result.id}`).header('cache-control', 'no-store').send(askJson(created!.ask, created!.access, viewer));
  });

  app.patch('/api/v1/asks/:id', guarded(signedIn, ask('edit')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    // A partial update: fields left out keep their value and go through the same checks.
    const flat = flattenAskJson({ ...askPatchBase(found.ask), ...jsonBody(request) });
    if (!flat) return apiInvalid(request, reply, { '/windows': { key: 'asks.error.rows' } });
    const parsed = parseAsk(flat, new Date(), existingTimes(found.ask));
    if (!parsed.ok) return apiInvalid(request, reply, parsed.errors, parsed.unknown);
    const result = await editAsk(db, { askId: found.ask.id, actorId: viewer.id, ask: parsed.value, requestId: request.id });
    if (!result.ok) return apiInvalid(request, reply, result.errors);
    const saved = await getVisibleAsk(db, found.ask.id, viewer);
    return reply.header('cache-control', 'no-store').send(askJson(saved!.ask, saved!.access, viewer));
  });

  app.post('/api/v1/asks/:id/status', guarded(signedIn, ask('status')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const parsed = parseForm(STATUS_JSON, jsonBody(request));
    if (!parsed.ok) return apiInvalid(request, reply, parsed.errors, parsed.unknown);
    const target = parsed.value.status!;
    const action = actionFor(found.ask.status, target);
    if (!action) return apiInvalid(request, reply, { status: { key: 'asks.error.transition' } });
    if (action === 'close' && !parsed.value.outcome) return apiInvalid(request, reply, { outcome: { key: 'asks.error.outcomeRequired' } });
    const result = await changeStatus(db, { ask: found.ask, action, actorId: viewer.id, requestId: request.id, ...(parsed.value.outcome ? { outcome: parsed.value.outcome } : {}) });
    if (!result.ok) return sendProblem(request, reply, 409, 'conflict', { detail: request.i18n.t('asks.error.transition') });
    const saved = await getVisibleAsk(db, found.ask.id, viewer);
    return reply.header('cache-control', 'no-store').send(askJson(saved!.ask, saved!.access, viewer));
  });
}
