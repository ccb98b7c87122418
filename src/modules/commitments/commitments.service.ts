import { createHash, randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/module.js';
import type { Executor } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { cursorCodec, type PageRequest } from '../../platform/pagination.js';
import type { Viewer } from '../../platform/views/render.js';
import { getCommunityAccess, type CommunityAccess } from '../communities/index.js';
import { notify, scheduleReminder, type NotificationKind } from '../notifications/index.js';
import type { CommitInput, ConfirmInput, FeedbackKind } from './commitments.form.js';
import { actorFor, isLate, nextState, overCapacity, type CommitmentActor, type CommitmentState } from './commitments.policy.js';
import * as repo from './commitments.repository.js';
import type { CommitmentRecord } from './commitments.repository.js';
import { UUID_PATTERN } from '../../platform/ids.js';

export type { AllyRecord, CommitmentRecord, FeedbackRecord } from './commitments.repository.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'i18n'> & Partial<Pick<AppContext, 'secrets'>>;

/** What a commit answers, and what is kept under its idempotency key. */
export interface CommitResponse {
  commitment: { id: string; askId: string; state: 'pledged' | 'waitlisted'; position: number | null };
  capacityWarning: boolean;
}

export type CommitResult =
  | { kind: 'committed'; response: CommitResponse; replayed: boolean }
  | { kind: 'rest' }
  | { kind: 'capacity'; weekMinutes: number; addedMinutes: number; capacityHours: number }
  | { kind: 'conflict'; reason: 'not_open' | 'already' | 'gone' }
  | { kind: 'key_reused' };

/** Leaves the transaction without committing anything, carrying the answer out. */
class Abort extends Error {
  constructor(readonly result: CommitResult) {
    super(result.kind);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

function minutesBetween(a: Date, b: Date): number {
  return Math.max(0, Math.min(60000, Math.round((b.getTime() - a.getTime()) / 60000)));
}

function link(ctx: Ctx, path: string): string {
  return new URL(path, ctx.config.publicUrl).toString();
}

const MAIL_KINDS: Record<string, NotificationKind> = { received: 'commitment_received', waitlisted: 'commitment_received', promoted: 'waitlist_promotion', feedback: 'feedback_received' };

/** Mails go through notifications, so the person's preferences and the unsubscribe link apply. */
async function mailTo(ctx: Ctx, trx: Executor, userId: string, name: string, values: Record<string, string | number>): Promise<void> {
  await notify(ctx, trx, {
    userId,
    kind: MAIL_KINDS[name]!,
    message: { subject: `commitments.mail.${name}.subject`, text: `commitments.mail.${name}.text`, values: { ...values, link: link(ctx, '/account/commitments') } },
  });
}

/** The ask a commit names, as the caller found it visible. */
export interface CommitAsk {
  id: string;
  title: string;
  communityId: string;
}

/**
 * Commits the viewer to an ask, race-safe and idempotent, in one transaction: the idempotency key
 * is claimed first (a second request with it waits, then replays the first answer), then the
 * window (shifts) or the ask (every other kind) is locked and its places counted under the lock,
 * so k free places and N concurrent commits give exactly k pledges and N−k in line.
 * `capacity: 'ask'` stops before committing past the weekly capacity (the page asks); 'warn' commits and says so.
 */
export async function commit(
  ctx: Ctx,
  input: { ask: CommitAsk; userId: string; commit: CommitInput; capacity: 'ask' | 'warn'; requestId: string },
): Promise<CommitResult> {
  const c = input.commit;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([input.ask.id, c.windowId, c.itemId, c.quantity, c.amountMinor, c.channelId]))
    .digest('hex');
  try {
    return await ctx.db.kysely.transaction().execute(async (trx): Promise<CommitResult> => {
      if (c.idempotencyKey) {
        const prior = await repo.claimIdempotencyKey(trx, input.userId, c.idempotencyKey, fingerprint);
        if (prior) {
          if (prior.fingerprint !== fingerprint || prior.response === null) throw new Abort({ kind: 'key_reused' });
          return { kind: 'committed', response: prior.response as CommitResponse, replayed: true };
        }
      }
      const ask = await repo.lockAsk(trx, input.ask.id, c.windowId ? 'share' : 'update');
      if (!ask || ask.status !== 'open') throw new Abort({ kind: 'conflict', reason: 'not_open' });
      const window = ask.kind === 'shift' && c.windowId ? await repo.lockWindow(trx, ask.id, c.windowId) : undefined;
      if (ask.kind === 'shift' && !window) throw new Abort({ kind: 'conflict', reason: 'gone' });
      const scope = { askId: ask.id, windowId: window?.id ?? null };
      if (await repo.findLive(trx, input.userId, scope)) throw new Abort({ kind: 'conflict', reason: 'already' });

      const person = await repo.personFacts(trx, input.userId);
      if (!person) throw new Abort({ kind: 'conflict', reason: 'gone' });
      if (person.restMode && !c.leaveRest) throw new Abort({ kind: 'rest' });
      if (person.restMode) await repo.leaveRestMode(trx, input.userId);

      let plannedMinutes: number | null = null;
      let plannedFor = new Date();
      if (window) {
        plannedMinutes = minutesBetween(window.startsAt, window.endsAt);
        plannedFor = window.startsAt;
      } else if (ask.kind === 'attend' && ask.startsAt) {
        plannedMinutes = ask.endsAt ? minutesBetween(ask.startsAt, ask.endsAt) : null;
        plannedFor = ask.startsAt;
      } else if (ask.kind === 'skill' && ask.estimatedHours) {
        plannedMinutes = ask.estimatedHours * 60;
      }
      let capacityWarning = false;
      if (plannedMinutes) {
        const week = await repo.weekMinutes(trx, input.userId, plannedFor);
        capacityWarning = overCapacity(person.weeklyCapacityHours, week, plannedMinutes);
        if (capacityWarning && input.capacity === 'ask' && !c.acknowledgeCapacity) {
          throw new Abort({ kind: 'capacity', weekMinutes: week, addedMinutes: plannedMinutes, capacityHours: person.weeklyCapacityHours ?? 0 });
        }
      }

      const limit = window ? window.slots : ask.kind === 'attend' ? ask.capacity : null;
      const state = limit === null || (await repo.countPledged(trx, scope)) < limit ? 'pledged' : 'waitlisted';
      let channelLabel: string | null = null;
      if (ask.kind === 'money' && c.channelId) {
        const channel = (await repo.listDonationChannels(trx, ask.communityId)).find((ch) => ch.id === c.channelId);
        if (!channel) throw new Abort({ kind: 'conflict', reason: 'gone' });
        channelLabel = channel.label;
      }
      const id = await repo.insertCommitment(trx, {
        askId: ask.id,
        windowId: scope.windowId,
        userId: input.userId,
        state,
        plannedMinutes,
        plannedFor,
        itemId: ask.kind === 'supplies' ? c.itemId : null,
        quantity: ask.kind === 'supplies' ? c.quantity : null,
        amountMinor: ask.kind === 'money' ? c.amountMinor : null,
        currency: ask.kind === 'money' ? ask.currency : null,
        channelId: ask.kind === 'money' ? c.channelId : null,
        channelLabel,
      });
      const position = state === 'waitlisted' ? (await repo.findCommitment(trx, id))!.position : null;
      await audit(trx, { actorId: input.userId, action: 'commitment.created', subjectType: 'commitment', subjectId: id, requestId: input.requestId, details: { askId: ask.id, state } });
      await mailTo(ctx, trx, input.userId, state === 'pledged' ? 'received' : 'waitlisted', { title: ask.title, position: position ?? 0 });
      if (state === 'pledged') await scheduleReminder(trx, id);
      const response: CommitResponse = { commitment: { id, askId: ask.id, state, position }, capacityWarning };
      if (c.idempotencyKey) await repo.storeIdempotentResponse(trx, input.userId, c.idempotencyKey, response);
      return { kind: 'committed', response, replayed: false };
    });
  } catch (err) {
    if (err instanceof Abort) return err.result;
    // The partial unique index is the last word when two requests of one person slip past each other.
    if (isUniqueViolation(err)) return { kind: 'conflict', reason: 'already' };
    throw err;
  }
}

/** A commitment and the viewer's relation to it. */
export interface CommitmentAccess {
  commitment: CommitmentRecord;
  access: CommunityAccess;
  actor: CommitmentActor;
}

/** The commitment, when the viewer is its ally or an organizer of its community; undefined otherwise (404 either way). */
export async function getVisibleCommitment(ctx: Ctx, id: string, viewer: Viewer | undefined): Promise<CommitmentAccess | undefined> {
  if (!viewer || !UUID_PATTERN.test(id)) return undefined;
  const commitment = await repo.findCommitment(ctx.db.kysely, id);
  if (!commitment) return undefined;
  const access = await getCommunityAccess(ctx.db, commitment.communityId, viewer);
  if (!access) return undefined;
  const actor = actorFor(viewer, access, commitment.userId);
  return actor === 'other' ? undefined : { commitment, access, actor };
}

export type ChangeResult = { ok: true; state: CommitmentState } | { ok: false };

/** Promotes people in line while the scope has free places, and tells each of them. */
async function promote(ctx: Ctx, trx: Executor, scope: repo.Scope, limit: number | null, title: string, requestId: string): Promise<void> {
  if (limit === null) return;
  let pledged = await repo.countPledged(trx, scope);
  while (pledged < limit) {
    const next = await repo.firstWaitlisted(trx, scope);
    if (!next || nextState('waitlisted', { type: 'promote' }, 'system') !== 'pledged') return;
    await repo.moveState(trx, next.id, 'waitlisted', 'pledged');
    await audit(trx, { actorId: null, action: 'commitment.promoted', subjectType: 'commitment', subjectId: next.id, requestId });
    await mailTo(ctx, trx, next.userId, 'promoted', { title });
    await scheduleReminder(trx, next.id);
    pledged += 1;
  }
}

/** The ally withdraws: late within the ask's cutoff; a freed place goes to the first in line, in the same transaction. */
export async function withdraw(ctx: Ctx, input: { commitmentId: string; userId: string; requestId: string; now?: Date }): Promise<ChangeResult> {
  return ctx.db.kysely.transaction().execute(async (trx): Promise<ChangeResult> => {
    const before = await repo.findCommitment(trx, input.commitmentId);
    if (!before || before.userId !== input.userId) return { ok: false };
    // The same locks, in the same order, as a commit: counting places stays exact.
    const ask = await repo.lockAsk(trx, before.askId, before.windowId ? 'share' : 'update');
    const window = before.windowId ? await repo.lockWindow(trx, before.askId, before.windowId) : undefined;
    const current = await repo.findCommitment(trx, input.commitmentId);
    if (!ask || !current) return { ok: false };
    const late = isLate(current.startsAt, current.withdrawalCutoffHours, input.now ?? new Date());
    const to = nextState(current.state, { type: 'withdraw', late }, 'ally');
    if (!to || !(await repo.moveState(trx, current.id, current.state, to, { withdrawn: true }))) return { ok: false };
    await audit(trx, { actorId: input.userId, action: `commitment.${to}`, subjectType: 'commitment', subjectId: current.id, requestId: input.requestId });
    if (current.state === 'pledged') {
      const limit = window ? window.slots : ask.kind === 'attend' ? ask.capacity : null;
      await promote(ctx, trx, { askId: current.askId, windowId: current.windowId }, limit, ask.title, input.requestId);
    }
    return { ok: true, state: to };
  });
}

/**
 * Ends a live commitment that the ally did not choose to end (the community blocked them, their
 * account is being deleted), inside the caller's transaction, under the same locks as a commit,
 * and moves the line up when it held a place.
 */
async function endLive(ctx: Ctx, trx: Executor, commitmentId: string, reason: 'blocked' | 'account_deleted', requestId: string): Promise<void> {
  const before = await repo.findCommitment(trx, commitmentId);
  if (!before) return;
  const ask = await repo.lockAsk(trx, before.askId, before.windowId ? 'share' : 'update');
  const window = before.windowId ? await repo.lockWindow(trx, before.askId, before.windowId) : undefined;
  const current = await repo.findCommitment(trx, commitmentId);
  if (!ask || !current) return;
  const to = nextState(current.state, { type: 'end' }, 'system');
  if (!to || !(await repo.moveState(trx, current.id, current.state, to, { withdrawn: true }))) return;
  await audit(trx, { actorId: null, action: `commitment.ended_${reason}`, subjectType: 'commitment', subjectId: current.id, requestId });
  if (current.state === 'pledged') {
    const limit = window ? window.slots : ask.kind === 'attend' ? ask.capacity : null;
    await promote(ctx, trx, { askId: current.askId, windowId: current.windowId }, limit, ask.title, requestId);
  }
}

/** A community blocked the person: their places and places in line there end at once, and the lines move up (in the blocking transaction). */
export async function endCommitmentsInCommunity(ctx: Ctx, trx: Executor, input: { communityId: string; userId: string; requestId: string }): Promise<void> {
  for (const { id } of await repo.liveCommitmentsOf(trx, input.userId, input.communityId)) await endLive(ctx, trx, id, 'blocked', input.requestId);
}

/**
 * The person's part in account deletion: every live place ends and its line moves up; feedback to
 * them and their answers go; confirmed work is kept under "a former ally" when they chose to keep
 * their contributions, and goes with the account when they chose to delete it.
 */
export async function leaveCommitments(ctx: Ctx, trx: Executor, userId: string, mode: 'delete' | 'anonymise'): Promise<void> {
  for (const { id } of await repo.liveCommitmentsOf(trx, userId)) await endLive(ctx, trx, id, 'account_deleted', 'account-deletion');
  await repo.deleteFeedbackTo(trx, userId);
  if (mode === 'anonymise') await repo.keepConfirmedWithoutName(trx, userId, randomUUID());
}

/** The ally reports an advocacy action done: it counts as done, marked self-reported. */
export async function report(ctx: Ctx, input: { commitment: CommitmentRecord; userId: string; requestId: string }): Promise<ChangeResult> {
  const c = input.commitment;
  if (c.askKind !== 'advocacy' || c.userId !== input.userId) return { ok: false };
  const to = nextState(c.state, { type: 'report' }, 'ally');
  if (!to) return { ok: false };
  return ctx.db.kysely.transaction().execute(async (trx): Promise<ChangeResult> => {
    if (!(await repo.moveState(trx, c.id, c.state, to, { selfReported: true, confirmedBy: null }))) return { ok: false };
    await audit(trx, { actorId: input.userId, action: 'commitment.reported', subjectType: 'commitment', subjectId: c.id, requestId: input.requestId });
    return { ok: true, state: to };
  });
}

function confirmValues(c: CommitmentRecord, input: ConfirmInput) {
  // "Done" without numbers means done as promised; "missed" carries none.
  const full = input.outcome === 'done';
  if (input.outcome === 'missed') return { doneMinutes: null, doneAmountMinor: null, doneQuantity: null };
  return {
    doneMinutes: input.minutes ?? (full ? c.plannedMinutes : null),
    doneAmountMinor: input.amountMinor ?? (full ? c.amountMinor : null),
    doneQuantity: input.quantity ?? (full ? c.quantity : null),
  };
}

async function confirmOne(trx: Executor, c: CommitmentRecord, input: ConfirmInput, actorId: string, requestId: string): Promise<boolean> {
  const to = nextState(c.state, { type: 'confirm', outcome: input.outcome }, c.userId === actorId ? 'ally' : 'organizer');
  if (!to) return false;
  const moved = await repo.moveState(trx, c.id, c.state, to, { confirmedBy: actorId, outcomeLine: input.outcomeLine, ...confirmValues(c, input) });
  if (moved) await audit(trx, { actorId, action: `commitment.${to}`, subjectType: 'commitment', subjectId: c.id, requestId });
  return moved;
}

/** An organizer confirms what happened. The caller has checked `canConfirmCommitment`. */
export async function confirm(ctx: Ctx, input: { commitment: CommitmentRecord; actorId: string; confirm: ConfirmInput; requestId: string }): Promise<ChangeResult> {
  const done = await ctx.db.kysely.transaction().execute((trx) => confirmOne(trx, input.commitment, input.confirm, input.actorId, input.requestId));
  return done ? { ok: true, state: input.confirm.outcome } : { ok: false };
}

/** Confirms many commitments of one ask in one transaction; returns how many were confirmed (the others had changed meanwhile). */
export async function confirmMany(ctx: Ctx, input: { askId: string; actorId: string; entries: Array<{ id: string } & ConfirmInput>; requestId: string }): Promise<number> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const byId = new Map((await repo.listForAsk(trx, input.askId)).map((c) => [c.id, c]));
    let count = 0;
    for (const entry of input.entries) {
      const c = byId.get(entry.id);
      if (c && (await confirmOne(trx, c, entry, input.actorId, input.requestId))) count += 1;
    }
    return count;
  });
}

/** The commitments an organizer confirms on the bulk page: pledged ones of others. */
export async function pendingConfirmation(ctx: Ctx, askId: string, organizerId: string): Promise<CommitmentRecord[]> {
  return (await repo.listForAsk(ctx.db.kysely, askId)).filter((c) => c.state === 'pledged' && c.userId !== organizerId);
}

/** Every commitment of an ask, for its organizers. */
export function listAskCommitments(ctx: Ctx, askId: string): Promise<CommitmentRecord[]> {
  return repo.listForAsk(ctx.db.kysely, askId);
}

/** An organizer sends private feedback to the ally, with a mail. The caller has checked `canConfirm`. */
export async function giveFeedback(ctx: Ctx, input: { commitment: CommitmentRecord; authorId: string; kind: FeedbackKind; body: string; requestId: string }): Promise<string> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const id = await repo.insertFeedback(trx, { commitmentId: input.commitment.id, authorId: input.authorId, kind: input.kind, body: input.body });
    await audit(trx, { actorId: input.authorId, action: 'commitment.feedback', subjectType: 'commitment', subjectId: input.commitment.id, requestId: input.requestId, details: { kind: input.kind } });
    await mailTo(ctx, trx, input.commitment.userId, 'feedback', { title: input.commitment.askTitle, community: input.commitment.communityName });
    return id;
  });
}

export type AcknowledgeResult = 'ok' | 'not_found' | 'conflict';

/** The ally acknowledges feedback, once, with an optional reply. */
/** One piece of feedback written to this ally, or undefined. */
export async function ownFeedback(ctx: Ctx, userId: string, feedbackId: string): Promise<repo.FeedbackRecord | undefined> {
  if (!UUID_PATTERN.test(feedbackId)) return undefined;
  const feedback = await repo.findFeedback(ctx.db.kysely, feedbackId);
  return feedback && feedback.allyId === userId ? feedback : undefined;
}

export async function acknowledge(ctx: Ctx, input: { feedbackId: string; userId: string; reply: string | null; requestId: string }): Promise<AcknowledgeResult> {
  if (!UUID_PATTERN.test(input.feedbackId)) return 'not_found';
  return ctx.db.kysely.transaction().execute(async (trx): Promise<AcknowledgeResult> => {
    const feedback = await repo.findFeedback(trx, input.feedbackId);
    if (!feedback || feedback.allyId !== input.userId) return 'not_found';
    if (!(await repo.acknowledgeFeedback(trx, feedback.id, input.reply))) return 'conflict';
    await audit(trx, { actorId: input.userId, action: 'commitment.feedback_acknowledged', subjectType: 'commitment', subjectId: feedback.commitmentId, requestId: input.requestId });
    return 'ok';
  });
}

/** The keyset of a person's own list of commitments: live first, then latest planned. */
export const OWN_CURSOR = cursorCodec('own-commitments', ['bool', 'timestamp', 'uuid']);

/**
 * A page of the person's commitments (one more than the limit, so the caller knows whether a next
 * page exists), with the feedback they received on them.
 */
export async function myCommitments(
  ctx: Ctx,
  userId: string,
  page: PageRequest<[boolean, string, string]>,
): Promise<{ commitments: Array<CommitmentRecord & { listPosition: repo.OwnListPosition }>; feedback: repo.FeedbackRecord[] }> {
  const commitments = await repo.listForUser(ctx.db.kysely, userId, { limit: page.limit + 1, after: page.after });
  const feedback = await repo.listFeedback(ctx.db.kysely, commitments.slice(0, page.limit).map((c) => c.id));
  return { commitments, feedback };
}

/** Feedback on one commitment, limited to the community it was given in (the ally's other communities never show). */
export async function feedbackFor(ctx: Ctx, commitment: CommitmentRecord): Promise<repo.FeedbackRecord[]> {
  return (await repo.listFeedback(ctx.db.kysely, [commitment.id])).filter((f) => f.communityId === commitment.communityId);
}

/** The ally's record (counts only) for an organizer of a community they committed to. */
export function allyRecord(ctx: Ctx, userId: string): Promise<repo.AllyRecord> {
  return repo.allyRecord(ctx.db.kysely, userId);
}

/** Windows, items and donation channels an ask offers to commit to. */
export async function commitOptions(ctx: Ctx, ask: { id: string; communityId: string; kind: string }) {
  const [options, channels] = await Promise.all([
    repo.askOptions(ctx.db.kysely, ask.id),
    ask.kind === 'money' ? repo.listDonationChannels(ctx.db.kysely, ask.communityId) : Promise.resolve([]),
  ]);
  return { ...options, channels };
}

/** What the commit page needs to know about the viewer: live commitments on the ask, capacity and rest mode. */
export async function viewerFacts(ctx: Ctx, askId: string, userId: string) {
  const [person, live] = await Promise.all([repo.personFacts(ctx.db.kysely, userId), repo.listLiveForUserAsk(ctx.db.kysely, userId, askId)]);
  return { restMode: person?.restMode ?? false, capacityHours: person?.weeklyCapacityHours ?? null, live };
}

