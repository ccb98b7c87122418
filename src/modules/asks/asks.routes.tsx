import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, loadedRecord, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem, sendRefusal } from '../../platform/errors.js';
import { API_PAGE, pageOf, readPage } from '../../platform/pagination.js';
import { choice, optionalText, parseForm, refusalMessages, type Refusal } from '../../platform/forms.js';
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

  // ---- the actions ------------------------------------------------------------------------------------
  // Each use case is parsed and run once; the page and the API below only render its outcome.

  type Refused = { kind: 'refused'; refusal: Refusal; candidates: Place[] };

  /**
   * Saves an ask from its flat fields (a form as posted, or JSON flattened the same way): a new
   * draft of the community the guard loaded, or the ask it loaded when `existing` is given.
   */
  async function saveAction(request: FastifyRequest, flat: Record<string, unknown>, existing?: AskAccess): Promise<Refused | { kind: 'saved'; id: string }> {
    const parsed = parseAsk(flat, new Date(), existing ? existingTimes(existing.ask) : undefined);
    if (!parsed.ok) return { kind: 'refused', refusal: parsed, candidates: [] };
    const actorId = viewerOf(request).id;
    const result = existing
      ? await editAsk(db, { askId: existing.ask.id, actorId, ask: parsed.value, requestId: request.id })
      : await createAsk(db, { communityId: theCommunity.of(request).community.id, actorId, ask: parsed.value, requestId: request.id });
    return result.ok ? { kind: 'saved', id: result.id } : { kind: 'refused', refusal: { errors: result.errors }, candidates: result.candidates };
  }

  /** Moves the ask the guard loaded through its lifecycle; closing needs the outcome. */
  async function statusAction(request: FastifyRequest, action: AskAction, outcome: string | null): Promise<Refused | { kind: 'moved' } | { kind: 'conflict' }> {
    if (action === 'close' && !outcome) return { kind: 'refused', refusal: { errors: { outcome: { key: 'asks.error.outcomeRequired' } } }, candidates: [] };
    const found = theAsk.of(request);
    const result = await changeStatus(db, { ask: found.ask, action, actorId: viewerOf(request).id, requestId: request.id, ...(outcome ? { outcome } : {}) });
    return result.ok ? { kind: 'moved' } : { kind: 'conflict' };
  }

  /** A submitted ask form: "add rows" shows the form again with more rows; otherwise the ask is saved or the form shown with its errors (422). */
  async function submitForm(request: FastifyRequest, reply: FastifyReply, access: CommunityAccess, action: string, heading: string, existing?: AskAccess) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = echoBody(body);
    const addRows = typeof body.addRows === 'string' ? body.addRows : undefined;
    if (addRows) return renderForm(reply, { access, action, heading, state: { values, errors: {} }, addRows, body });
    const result = await saveAction(request, body, existing);
    if (result.kind === 'refused') {
      reply.code(422);
      return renderForm(reply, { access, action, heading, state: { values, errors: refusalMessages(request.i18n, result.refusal) }, candidates: result.candidates, body });
    }
    return reply.redirect(`/asks/${result.id}`, 303);
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
    const access = theCommunity.of(request);
    return submitForm(request, reply, access, `/c/${access.community.slug}/asks`, request.i18n.t('asks.new.title'));
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
    const found = theAsk.of(request);
    return submitForm(request, reply, found.access, `/asks/${found.ask.id}/edit`, request.i18n.t('asks.edit.title'), found);
  });

  for (const action of ['publish', 'pause', 'resume', 'fill', 'close'] as const satisfies readonly AskAction[]) {
    app.post(`/asks/:id/${action}`, guarded(signedIn, ask('status')), async (request, reply) => {
      const viewer = viewerOf(request);
      const found = theAsk.of(request);
      // Closing takes the outcome; the other actions take nothing but the CSRF token.
      const parsed = parseForm(action === 'close' ? CLOSE_FORM : {}, request.body);
      if (!parsed.ok && action !== 'close') throw new HttpError(400, 'bad_request');
      const outcome = parsed.ok && 'outcome' in parsed.value ? (parsed.value.outcome as string | null) : null;
      const result: Awaited<ReturnType<typeof statusAction>> = parsed.ok ? await statusAction(request, action, outcome) : { kind: 'refused', refusal: parsed as Refusal, candidates: [] };
      if (result.kind === 'refused') {
        const echo = result.refusal.echo?.outcome;
        reply.code(422);
        return renderAsk(reply, viewer, found, { values: { outcome: typeof echo === 'string' ? echo : '' }, errors: refusalMessages(request.i18n, result.refusal) });
      }
      if (result.kind === 'conflict') {
        reply.code(409);
        const fresh = (await getVisibleAsk(db, found.ask.id, viewer)) ?? found;
        return renderAsk(reply, viewer, fresh, undefined, request.i18n.t('asks.error.transition'));
      }
      return reply.redirect(`/asks/${found.ask.id}`, 303);
    });
  }

  // ---- API --------------------------------------------------------------------------------------------

  /** A refused ask, field by field: form field names become JSON pointers of the API's shape (`window0Start` → `/windows/0/startsAt`). */
  const refuseApi = (request: FastifyRequest, reply: FastifyReply, refusal: Refusal) => sendRefusal(request, reply, refusal, pointerFor);
  const ROWS_REFUSED: Refusal = { errors: { '/windows': { key: 'asks.error.rows' } } };

  /** The ask as it now is, for the API's answer. */
  async function savedJson(request: FastifyRequest, id: string) {
    const viewer = viewerOf(request);
    const saved = (await getVisibleAsk(db, id, viewer))!;
    return askJson(saved.ask, saved.access, viewer);
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
    const flat = flattenAskJson((request.body ?? {}) as Record<string, unknown>);
    if (!flat) return refuseApi(request, reply, ROWS_REFUSED);
    const result = await saveAction(request, flat);
    if (result.kind === 'refused') return refuseApi(request, reply, result.refusal);
    return reply.code(201).header('location', `/api/v1/asks/${result.id}`).header('cache-control', 'no-store').send(await savedJson(request, result.id));
  });

  app.patch('/api/v1/asks/:id', guarded(signedIn, ask('edit')), async (request, reply) => {
    const found = theAsk.of(request);
    // A partial update: fields left out keep their value and go through the same checks.
    const flat = flattenAskJson({ ...askPatchBase(found.ask), ...((request.body ?? {}) as Record<string, unknown>) });
    if (!flat) return refuseApi(request, reply, ROWS_REFUSED);
    const result = await saveAction(request, flat, found);
    if (result.kind === 'refused') return refuseApi(request, reply, result.refusal);
    return reply.header('cache-control', 'no-store').send(await savedJson(request, found.ask.id));
  });

  app.post('/api/v1/asks/:id/status', guarded(signedIn, ask('status')), async (request, reply) => {
    const found = theAsk.of(request);
    const parsed = parseForm(STATUS_JSON, request.body ?? {});
    if (!parsed.ok) return refuseApi(request, reply, parsed);
    const action = actionFor(found.ask.status, parsed.value.status!);
    if (!action) return refuseApi(request, reply, { errors: { status: { key: 'asks.error.transition' } } });
    const result = await statusAction(request, action, parsed.value.outcome);
    if (result.kind === 'refused') return refuseApi(request, reply, result.refusal);
    if (result.kind === 'conflict') return sendProblem(request, reply, 409, 'conflict', { detail: request.i18n.t('asks.error.transition') });
    return reply.header('cache-control', 'no-store').send(await savedJson(request, found.ask.id));
  });
}
