import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { guarded, loadedRecord, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem, sendRefusal } from '../../platform/errors.js';
import { API_PAGE, pageOf, readPage } from '../../platform/pagination.js';
import { parseForm, refusalMessages, type Refusal } from '../../platform/forms.js';
import type { FormState } from '../../platform/views/form.js';
import type { Viewer } from '../../platform/views/render.js';
import { canSeeLocationDetail, getVisibleAsk, type AskRecord } from '../asks/index.js';
import { getCommunityAccess, type CommunityAccess } from '../communities/index.js';
import { ACKNOWLEDGE_FORM, FEEDBACK_FORM, IDEMPOTENCY_KEY, parseBulkConfirm, parseCommit, parseConfirm, type CommitFacts } from './commitments.form.js';
import { canCommit, canConfirm, canConfirmCommitment } from './commitments.policy.js';
import {
  acknowledge,
  allyRecord,
  commit,
  commitOptions,
  confirm,
  confirmMany,
  feedbackFor,
  getVisibleCommitment,
  giveFeedback,
  listAskCommitments,
  myCommitments,
  OWN_CURSOR,
  ownFeedback,
  pendingConfirmation,
  report,
  viewerFacts,
  withdraw,
  type CommitmentAccess,
  type CommitmentRecord,
  type CommitResult,
  type FeedbackRecord,
} from './commitments.service.js';
import { amountValue, BulkConfirmPage, CapacityPage, CommitmentPage, CommitPage, hoursValue, MyCommitmentsPage, RestPage, type CommitAskView } from './commitments.views.js';

type Params = { id?: string };

/** A person's own commitments on their page: fifty at a time. */
const OWN_PAGE = { default: 50, max: 100 };

/** The viewer's relation to each community the commitments are in, read once per community. */
async function communityAccesses(ctx: AppContext, viewer: Viewer, commitments: ReadonlyArray<{ communityId: string }>): Promise<Map<string, CommunityAccess>> {
  const ids = [...new Set(commitments.map((c) => c.communityId))];
  const found = await Promise.all(ids.map(async (id) => [id, await getCommunityAccess(ctx.db, id, viewer)] as const));
  return new Map(found.flatMap(([id, access]) => (access ? [[id, access] as const] : [])));
}

const COMMIT_FIELDS = ['windowId', 'itemId', 'quantity', 'amount', 'channelId', 'idempotencyKey', 'acknowledgeCapacity', 'leaveRest'];

function newIdempotencyKey(): string {
  return randomBytes(18).toString('base64url');
}

function askView(ask: AskRecord, access: CommunityAccess): CommitAskView {
  return { id: ask.id, title: ask.title, kind: ask.kind, timeZone: ask.timeZone, currency: ask.currency, communityName: access.community.name, communitySlug: access.community.slug };
}

function stringFields(body: unknown, names: string[]): Record<string, string> {
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const out: Record<string, string> = {};
  for (const name of names) if (typeof input[name] === 'string') out[name] = input[name];
  return out;
}

/** The commitment as the API shows it to its ally or an organizer. */
export function commitmentJson(c: CommitmentRecord, options: { showDetail: boolean; feedback?: FeedbackRecord[] }) {
  return {
    id: c.id,
    ask: { id: c.askId, title: c.askTitle, kind: c.askKind, community: c.communitySlug },
    state: c.state,
    position: c.position,
    window: c.windowId && c.windowStartsAt && c.windowEndsAt ? { id: c.windowId, startsAt: c.windowStartsAt.toISOString(), endsAt: c.windowEndsAt.toISOString() } : null,
    startsAt: c.startsAt?.toISOString() ?? null,
    plannedMinutes: c.plannedMinutes,
    item: c.itemLabel,
    quantity: c.quantity,
    amountMinor: c.amountMinor,
    currency: c.currency,
    channel: c.channelLabel,
    done: c.confirmedAt ? { minutes: c.doneMinutes, amountMinor: c.doneAmountMinor, quantity: c.doneQuantity, outcomeLine: c.outcomeLine, selfReported: c.selfReported, confirmedAt: c.confirmedAt.toISOString() } : null,
    withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    ...(options.showDetail && c.locationDetail ? { locationDetail: c.locationDetail } : {}),
    ...(options.feedback ? { feedback: options.feedback.map(feedbackJson) } : {}),
  };
}

/** Feedback as the API shows it to the ally it was written to. */
function feedbackJson(f: FeedbackRecord) {
  return { id: f.id, kind: f.kind, body: f.body, createdAt: f.createdAt.toISOString(), acknowledgedAt: f.acknowledgedAt?.toISOString() ?? null, reply: f.reply };
}

/** Routes of commitments: committing, withdrawing, confirming (one or many), feedback, the ally's list and the API. */
export function registerCommitmentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  async function visibleAsk(request: FastifyRequest, viewer: Viewer) {
    const found = await getVisibleAsk(db, (request.params as Params).id ?? '', viewer);
    if (!found || !canCommit(viewer, found.access)) throw new HttpError(404, 'not_found');
    return found;
  }

  async function visibleCommitment(request: FastifyRequest, viewer: Viewer): Promise<CommitmentAccess> {
    const found = await getVisibleCommitment(ctx, (request.params as Params).id ?? '', viewer);
    if (!found) throw new HttpError(404, 'not_found');
    return found;
  }

  // What each route's guard loads and checks before its handler (and before its body is validated).
  const theAsk = loadedRecord<{ ask: AskRecord; access: CommunityAccess }>('ask');
  const theCommitment = loadedRecord<CommitmentAccess>('commitment');
  /** The ask of `:id`, when the viewer may commit to it (404 otherwise); 'confirm' also needs to confirm its commitments (403). */
  const ask = (need: 'commit' | 'confirm') =>
    theAsk.check(async (request) => {
      const viewer = viewerOf(request);
      const found = await visibleAsk(request, viewer);
      if (need === 'confirm' && !canConfirm(viewer, found.access)) throw new HttpError(403, 'authorization_error');
      return found;
    });
  /** The commitment of `:id`, when the viewer is its ally or an organizer of its community (404 otherwise), and allowed this action (403). */
  const commitment = (need: 'see' | 'ally' | 'confirm' | 'feedback') =>
    theCommitment.check(async (request) => {
      const viewer = viewerOf(request);
      const found = await visibleCommitment(request, viewer);
      const allowed =
        need === 'see' ||
        (need === 'ally' && found.actor === 'ally') ||
        (need === 'confirm' && canConfirmCommitment(viewer, found.access, found.commitment.userId)) ||
        (need === 'feedback' && found.actor === 'organizer' && canConfirm(viewer, found.access));
      if (!allowed) throw new HttpError(403, 'authorization_error');
      return found;
    });

  function showDetail(viewer: Viewer, found: CommitmentAccess): boolean {
    const c = found.commitment;
    return canSeeLocationDetail(viewer, found.access, { status: c.askStatus, locationSensitive: c.locationSensitive }, { pledged: found.actor === 'ally' && c.state === 'pledged' });
  }

  function factsOf(ask: AskRecord, options: Awaited<ReturnType<typeof commitOptions>>): CommitFacts {
    return { kind: ask.kind, windowIds: options.windows.map((w) => w.id), itemIds: options.items.map((i) => i.id), channelIds: options.channels.map((c) => c.id), currency: ask.currency };
  }

  async function renderCommit(reply: FastifyReply, viewer: Viewer, found: { ask: AskRecord; access: CommunityAccess }, state: FormState, notice?: string) {
    const [options, facts] = await Promise.all([commitOptions(ctx, found.ask), viewerFacts(ctx, found.ask.id, viewer.id)]);
    return reply.page(
      reply.request.i18n.t('commitments.commit.title'),
      <CommitPage ctx={reply.pageContext()} ask={askView(found.ask, found.access)} options={options} state={state} live={facts.live} restMode={facts.restMode} notice={notice} />,
    );
  }

  async function renderCommitment(reply: FastifyReply, viewer: Viewer, found: CommitmentAccess, states: { confirm?: FormState; feedback?: FormState } = {}) {
    const role = found.actor === 'ally' ? 'ally' : 'organizer';
    const [feedback, record] = await Promise.all([feedbackFor(ctx, found.commitment), role === 'organizer' ? allyRecord(ctx, found.commitment.userId) : Promise.resolve(null)]);
    const c = found.commitment;
    const confirmState = states.confirm ?? { values: { outcome: 'done', hours: hoursValue(c.plannedMinutes), amount: amountValue(c.amountMinor, c.currency), quantity: c.quantity === null ? '' : String(c.quantity) }, errors: {} };
    return reply.page(
      c.askTitle,
      <CommitmentPage
        ctx={reply.pageContext()}
        commitment={c}
        role={role}
        canConfirm={canConfirmCommitment(viewer, found.access, c.userId)}
        showDetail={showDetail(viewer, found)}
        feedback={feedback}
        record={record}
        confirmState={confirmState}
        feedbackState={states.feedback ?? { values: {}, errors: {} }}
      />,
    );
  }

  function conflictNotice(request: FastifyRequest, result: CommitResult): string {
    if (result.kind === 'conflict') return request.i18n.t(`commitments.error.${result.reason}`);
    return request.i18n.t('commitments.error.keyReused');
  }

  // ---- the actions ------------------------------------------------------------------------------------
  // Each use case is read, parsed and run once; the page and the API below only render its outcome.

  /** A body that must carry nothing but the CSRF token: anything else is a malformed request. */
  function nothingElse(body: unknown): void {
    if (!parseForm({}, body ?? {}).ok) throw new HttpError(400, 'bad_request');
  }

  type Refused = { kind: 'refused'; refusal: Refusal };

  /** Commit to the ask the guard loaded. `capacity`: ask again past the weekly capacity (pages), or commit and warn (API). */
  async function commitAction(request: FastifyRequest, body: Record<string, unknown>, capacity: 'ask' | 'warn'): Promise<Refused | CommitResult> {
    const found = theAsk.of(request);
    const options = await commitOptions(ctx, found.ask);
    const parsed = parseCommit(body, factsOf(found.ask, options));
    if (!parsed.ok) return { kind: 'refused', refusal: parsed };
    return commit(ctx, { ask: found.ask, userId: viewerOf(request).id, commit: parsed.value, capacity, requestId: request.id });
  }

  /** Withdraw the ally's own commitment the guard loaded. */
  async function withdrawAction(request: FastifyRequest) {
    nothingElse(request.body);
    return withdraw(ctx, { commitmentId: theCommitment.of(request).commitment.id, userId: viewerOf(request).id, requestId: request.id });
  }

  /** Confirm what happened (organizers). */
  async function confirmAction(request: FastifyRequest): Promise<Refused | { kind: 'confirmed' } | { kind: 'conflict' }> {
    const c = theCommitment.of(request).commitment;
    const parsed = parseConfirm(request.body ?? {}, c.askKind, c.askCurrency);
    if (!parsed.ok) return { kind: 'refused', refusal: parsed };
    const result = await confirm(ctx, { commitment: c, actorId: viewerOf(request).id, confirm: parsed.value, requestId: request.id });
    return result.ok ? { kind: 'confirmed' } : { kind: 'conflict' };
  }

  /** Send the ally private feedback (organizers). */
  async function feedbackAction(request: FastifyRequest): Promise<Refused | { kind: 'sent'; id: string; kind_: string; body: string }> {
    const found = theCommitment.of(request);
    const parsed = parseForm(FEEDBACK_FORM, request.body ?? {});
    if (!parsed.ok) return { kind: 'refused', refusal: parsed };
    const id = await giveFeedback(ctx, { commitment: found.commitment, authorId: viewerOf(request).id, kind: parsed.value.kind!, body: parsed.value.body, requestId: request.id });
    return { kind: 'sent', id, kind_: parsed.value.kind!, body: parsed.value.body };
  }

  /** Acknowledge feedback written to the viewer, with an optional reply. */
  async function acknowledgeAction(request: FastifyRequest): Promise<Refused | { kind: 'not_found' } | { kind: 'conflict' } | { kind: 'acknowledged'; feedbackId: string }> {
    const parsed = parseForm(ACKNOWLEDGE_FORM, request.body ?? {});
    if (!parsed.ok) return { kind: 'refused', refusal: parsed };
    const feedbackId = ((request.params as Params).id ?? '').toLowerCase();
    const result = await acknowledge(ctx, { feedbackId, userId: viewerOf(request).id, reply: parsed.value.reply, requestId: request.id });
    if (result === 'ok') return { kind: 'acknowledged', feedbackId };
    return result === 'not_found' ? { kind: 'not_found' } : { kind: 'conflict' };
  }

  // ---- pages ------------------------------------------------------------------------------------------

  app.get('/asks/:id/commit', guarded(signedIn, ask('commit')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const notice = found.ask.status === 'open' ? undefined : request.i18n.t('commitments.error.not_open');
    return renderCommit(reply, viewer, found, { values: { idempotencyKey: newIdempotencyKey() }, errors: {} }, notice);
  });

  app.post('/asks/:id/commit', guarded(signedIn, ask('commit')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const carry = stringFields(request.body, COMMIT_FIELDS);
    const result = await commitAction(request, (request.body ?? {}) as Record<string, unknown>, 'ask');
    const t = request.i18n.t;
    switch (result.kind) {
      case 'refused':
        reply.code(422);
        return renderCommit(reply, viewer, found, { values: { ...result.refusal.echo, idempotencyKey: carry.idempotencyKey ?? newIdempotencyKey() }, errors: refusalMessages(request.i18n, result.refusal) });
      case 'committed':
        return reply.redirect(`/commitments/${result.response.commitment.id}`, 303);
      case 'rest':
        return reply.page(t('commitments.rest.title'), <RestPage ctx={reply.pageContext()} askId={found.ask.id} values={carry} />);
      case 'capacity':
        return reply.page(
          t('commitments.capacity.title'),
          <CapacityPage ctx={reply.pageContext()} askId={found.ask.id} values={carry} weekMinutes={result.weekMinutes} addedMinutes={result.addedMinutes} capacityHours={result.capacityHours} />,
        );
      default:
        reply.code(result.kind === 'key_reused' ? 422 : 409);
        return renderCommit(reply, viewer, found, { values: { ...carry, idempotencyKey: newIdempotencyKey() }, errors: {} }, conflictNotice(request, result));
    }
  });

  app.get('/account/commitments', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = readPage(request, reply, OWN_CURSOR, OWN_PAGE);
    const mine = await myCommitments(ctx, viewer.id, page);
    const { items, next } = pageOf(request, reply, mine.commitments, page.limit, (c) => OWN_CURSOR.encode(c.listPosition));
    return reply.page(request.i18n.t('commitments.mine.title'), <MyCommitmentsPage ctx={reply.pageContext()} commitments={items} feedback={mine.feedback} next={next} />);
  });

  app.get('/commitments/:id', guarded(signedIn, commitment('see')), async (request, reply) => {
    const viewer = viewerOf(request);
    return renderCommitment(reply, viewer, theCommitment.of(request));
  });

  app.post('/commitments/:id/withdraw', guarded(signedIn, commitment('ally')), async (request, reply) => {
    const result = await withdrawAction(request);
    if (!result.ok) throw new HttpError(409, 'conflict');
    return reply.redirect(`/commitments/${theCommitment.of(request).commitment.id}`, 303);
  });

  app.post('/commitments/:id/report', guarded(signedIn, commitment('ally')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theCommitment.of(request);
    nothingElse(request.body);
    const result = await report(ctx, { commitment: found.commitment, userId: viewer.id, requestId: request.id });
    if (!result.ok) throw new HttpError(409, 'conflict');
    return reply.redirect(`/commitments/${found.commitment.id}`, 303);
  });

  app.post('/commitments/:id/confirm', guarded(signedIn, commitment('confirm')), async (request, reply) => {
    const found = theCommitment.of(request);
    const result = await confirmAction(request);
    if (result.kind === 'refused') {
      reply.code(422);
      return renderCommitment(reply, viewerOf(request), found, { confirm: { values: result.refusal.echo ?? {}, errors: refusalMessages(request.i18n, result.refusal) } });
    }
    if (result.kind === 'conflict') throw new HttpError(409, 'conflict');
    return reply.redirect(`/commitments/${found.commitment.id}`, 303);
  });

  app.post('/commitments/:id/feedback', guarded(signedIn, commitment('feedback')), async (request, reply) => {
    const found = theCommitment.of(request);
    const result = await feedbackAction(request);
    if (result.kind === 'refused') {
      reply.code(422);
      const echo = result.refusal.echo ?? {};
      const values = { kind: String(echo.kind ?? ''), body: String(echo.body ?? '') };
      return renderCommitment(reply, viewerOf(request), found, { feedback: { values, errors: refusalMessages(request.i18n, result.refusal) } });
    }
    return reply.redirect(`/commitments/${found.commitment.id}`, 303);
  });

  app.post('/account/feedback/:id/acknowledge', guarded(signedIn), async (request, reply) => {
    const result = await acknowledgeAction(request);
    if (result.kind === 'refused') throw new HttpError(422, 'validation_error');
    if (result.kind === 'not_found') throw new HttpError(404, 'not_found');
    if (result.kind === 'conflict') throw new HttpError(409, 'conflict');
    return reply.redirect('/account/commitments', 303);
  });

  async function bulkPage(reply: FastifyReply, viewer: Viewer, found: { ask: AskRecord; access: CommunityAccess }, state?: FormState, notice?: string) {
    const [pending, all] = await Promise.all([pendingConfirmation(ctx, found.ask.id, viewer.id), listAskCommitments(ctx, found.ask.id)]);
    const pendingIds = new Set(pending.map((c) => c.id));
    const values: FormState['values'] = {};
    for (const c of pending) {
      values[`${c.id}.hours`] = hoursValue(c.plannedMinutes);
      values[`${c.id}.amount`] = amountValue(c.amountMinor, c.currency);
      values[`${c.id}.quantity`] = c.quantity === null ? '' : String(c.quantity);
      values[`${c.id}.outcome`] = '';
    }
    return reply.page(
      reply.request.i18n.t('commitments.bulk.title'),
      <BulkConfirmPage
        ctx={reply.pageContext()}
        ask={askView(found.ask, found.access)}
        pending={pending}
        others={all.filter((c) => !pendingIds.has(c.id))}
        state={state ?? { values, errors: {} }}
        notice={notice}
      />,
    );
  }

  app.get('/asks/:id/confirm', guarded(signedIn, ask('confirm')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const done = (request.query as Record<string, unknown>).confirmed;
    const notice = typeof done === 'string' && /^\d{1,5}$/.test(done) ? request.i18n.t('commitments.bulk.done', { count: Number(done) }) : undefined;
    return bulkPage(reply, viewer, found, undefined, notice);
  });

  app.post('/asks/:id/confirm', guarded(signedIn, ask('confirm')), async (request, reply) => {
    const viewer = viewerOf(request);
    const found = theAsk.of(request);
    const pending = await pendingConfirmation(ctx, found.ask.id, viewer.id);
    const parsed = parseBulkConfirm(
      request.body,
      pending.map((c) => c.id),
      found.ask.kind,
      found.ask.currency,
    );
    if (!parsed.ok) {
      reply.code(422);
      return bulkPage(reply, viewer, found, { values: parsed.echo, errors: refusalMessages(request.i18n, parsed) });
    }
    const count = await confirmMany(ctx, { askId: found.ask.id, actorId: viewer.id, entries: parsed.value, requestId: request.id });
    return reply.redirect(`/asks/${found.ask.id}/confirm?confirmed=${count}`, 303);
  });

  // ---- API --------------------------------------------------------------------------------------------

  /** The commitment as it now is, for the API's answer. */
  async function freshJson(request: FastifyRequest) {
    const viewer = viewerOf(request);
    const fresh = (await getVisibleCommitment(ctx, theCommitment.of(request).commitment.id, viewer))!;
    return commitmentJson(fresh.commitment, { showDetail: showDetail(viewer, fresh) });
  }

  app.post('/api/v1/asks/:id/commitments', guarded(signedIn, ask('commit')), async (request, reply) => {
    const body = { ...((request.body ?? {}) as Record<string, unknown>) };
    const header = request.headers['idempotency-key'];
    if (header !== undefined) {
      if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
        return sendProblem(request, reply, 400, 'bad_request', { errors: [{ pointer: '/Idempotency-Key', detail: request.i18n.t('commitments.error.idempotencyKey') }] });
      }
      body.idempotencyKey = header;
    }
    const result = await commitAction(request, body, 'warn');
    reply.header('cache-control', 'no-store');
    switch (result.kind) {
      case 'refused':
        return sendRefusal(request, reply, result.refusal);
      case 'committed':
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).header('location', `/api/v1/commitments/${result.response.commitment.id}`).send(result.response);
      case 'rest':
        return sendProblem(request, reply, 409, 'rest_mode', { detail: request.i18n.t('commitments.error.rest') });
      case 'key_reused':
        return sendProblem(request, reply, 422, 'idempotency_key_reused', { detail: request.i18n.t('commitments.error.keyReused') });
      default:
        return sendProblem(request, reply, 409, 'conflict', { detail: conflictNotice(request, result) });
    }
  });

  app.post('/api/v1/commitments/:id/withdraw', guarded(signedIn, commitment('ally')), async (request, reply) => {
    const result = await withdrawAction(request);
    if (!result.ok) return sendProblem(request, reply, 409, 'conflict', { detail: request.i18n.t('commitments.error.final') });
    return reply.header('cache-control', 'no-store').send(await freshJson(request));
  });

  app.post('/api/v1/commitments/:id/confirm', guarded(signedIn, commitment('confirm')), async (request, reply) => {
    const result = await confirmAction(request);
    if (result.kind === 'refused') return sendRefusal(request, reply, result.refusal);
    if (result.kind === 'conflict') return sendProblem(request, reply, 409, 'conflict', { detail: request.i18n.t('commitments.error.final') });
    return reply.header('cache-control', 'no-store').send(await freshJson(request));
  });

  app.post('/api/v1/commitments/:id/feedback', guarded(signedIn, commitment('feedback')), async (request, reply) => {
    const result = await feedbackAction(request);
    if (result.kind === 'refused') return sendRefusal(request, reply, result.refusal);
    return reply.code(201).header('cache-control', 'no-store').send({ id: result.id, commitmentId: theCommitment.of(request).commitment.id, kind: result.kind_, body: result.body });
  });

  app.post('/api/v1/me/feedback/:id/acknowledge', guarded(signedIn), async (request, reply) => {
    const result = await acknowledgeAction(request);
    if (result.kind === 'refused') return sendRefusal(request, reply, result.refusal);
    if (result.kind === 'not_found') throw new HttpError(404, 'not_found');
    if (result.kind === 'conflict') throw new HttpError(409, 'conflict');
    const acknowledged = await ownFeedback(ctx, viewerOf(request).id, result.feedbackId);
    if (!acknowledged) throw new HttpError(404, 'not_found');
    return reply.header('cache-control', 'no-store').send({ ...feedbackJson(acknowledged), commitmentId: acknowledged.commitmentId });
  });

  app.get('/api/v1/me/commitments', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = readPage(request, reply, OWN_CURSOR, API_PAGE);
    const mine = await myCommitments(ctx, viewer.id, page);
    const { items, next } = pageOf(request, reply, mine.commitments, page.limit, (c) => OWN_CURSOR.encode(c.listPosition));
    // Whether each exact place is shown is decided as on the commitment's own page: by the ask's policy.
    const accesses = await communityAccesses(ctx, viewer, items);
    return reply.header('cache-control', 'no-store').send({
      commitments: items.map((c) => {
        const access = accesses.get(c.communityId);
        const detail = access !== undefined && canSeeLocationDetail(viewer, access, { status: c.askStatus, locationSensitive: c.locationSensitive }, { pledged: c.state === 'pledged' });
        return commitmentJson(c, { showDetail: detail, feedback: mine.feedback.filter((f) => f.commitmentId === c.id) });
      }),
      next,
    });
  });
}
