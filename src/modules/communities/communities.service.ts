import type { Db } from '../../db/client.js';
import type { Viewer } from '../../platform/views/render.js';
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../../platform/module.js';
import { cursorCodec, type PageRequest } from '../../platform/pagination.js';
import { audit } from '../../platform/audit.js';
import type { FieldError } from '../../platform/forms.js';
import { coarsePoint, placeLabel, resolvePlace, type Place, type PlaceResolution } from '../profile/index.js';
import type { CommunityInput } from './communities.forms.js';
import { slugCandidate, slugify } from './communities.forms.js';
import { canModerateCommunities, canSeeCommunity, decideCommunityAction, type CommunityAction, type Decision } from './communities.policy.js';
import type { CommunityAccess } from './communities.model.js';
import * as repo from './communities.repository.js';
import { personBlocked } from './communities.slots.js';

export type { CommunityAccess } from './communities.model.js';

/** The community (by id or slug) and the viewer's relation to it, or undefined when there is no such community. */
export async function getCommunityAccess(db: Db, idOrSlug: string, viewer: Viewer | undefined): Promise<CommunityAccess | undefined> {
  const community = await repo.findCommunitySummary(db.kysely, idOrSlug);
  if (!community) return undefined;
  if (!viewer) return { community, role: null, blocked: false };
  const relation = await repo.findRelation(db.kysely, community.id, viewer.id);
  return { community, ...relation };
}

/** How long an invitation link works. */
export const INVITE_DAYS = 7;
/** Communities per page of a list. */

export type AreaResolution = PlaceResolution;

/** Turns the typed area into a place of the shipped list; a chosen id counts when the text matches it. */
export function resolveArea(area: string | null, areaPlaceId: string | null): AreaResolution {
  return resolvePlace(area, areaPlaceId, { ambiguous: 'communities.error.placeAmbiguous', postal: 'communities.error.placePostal', unknown: 'communities.error.placeUnknown' });
}

function valuesOf(input: CommunityInput, place: Place | null): repo.CommunityValues {
  const point = place ? coarsePoint(place) : null;
  return {
    name: input.name,
    mission: input.mission,
    howToHelp: input.howToHelp,
    online: input.online,
    areaPlaceId: place?.id ?? null,
    areaLabel: place ? placeLabel(place) : null,
    areaLat: point?.lat ?? null,
    areaLon: point?.lon ?? null,
    ledgerVisibility: input.ledgerVisibility,
    joinQuestions: input.joinQuestions,
    ledBy: input.ledBy,
    serves: input.serves,
    languages: input.languages,
    donationChannels: input.donationChannels,
  };
}

export type SaveResult = { ok: true; slug: string; id: string } | { ok: false; errors: Record<string, FieldError>; candidates: Place[] };

/** Records a proposal: a pending community whose first organizer is the proposer. */
export async function proposeCommunity(db: Db, input: { viewer: Viewer; community: CommunityInput; requestId: string }): Promise<SaveResult> {
  const area = resolveArea(input.community.area, input.community.areaPlaceId);
  if (!area.ok) return { ok: false, errors: { area: area.error }, candidates: area.candidates };
  const base = slugify(input.community.name);
  return db.kysely.transaction().execute(async (trx) => {
    const taken = await repo.takenSlugs(trx, base);
    let attempt = 1;
    while (taken.has(slugCandidate(base, attempt))) attempt += 1;
    const slug = slugCandidate(base, attempt);
    const id = await repo.insertCommunity(trx, { ...valuesOf(input.community, area.place), slug, kind: input.community.kind, proposedBy: input.viewer.id });
    await repo.setRole(trx, id, input.viewer.id, 'organizer');
    await audit(trx, { actorId: input.viewer.id, action: 'community.proposed', subjectType: 'community', subjectId: id, requestId: input.requestId, details: { kind: input.community.kind } });
    return { ok: true as const, slug, id };
  });
}

/** Saves an organizer's edit of the community's description. */
export async function editCommunity(db: Db, input: { viewer: Viewer; communityId: string; slug: string; community: CommunityInput; requestId: string }): Promise<SaveResult> {
  const area = resolveArea(input.community.area, input.community.areaPlaceId);
  if (!area.ok) return { ok: false, errors: { area: area.error }, candidates: area.candidates };
  await db.kysely.transaction().execute(async (trx) => {
    await repo.updateCommunityValues(trx, input.communityId, valuesOf(input.community, area.place));
    await audit(trx, { actorId: input.viewer.id, action: 'community.edited', subjectType: 'community', subjectId: input.communityId, requestId: input.requestId });
  });
  return { ok: true, slug: input.slug, id: input.communityId };
}

/** A community as one person sees it, with what the policy decides for each action. */
export interface CommunityView {
  access: CommunityAccess;
  record: repo.CommunityRecord;
  organizers: number;
  pendingRequest: boolean;
  can: (action: CommunityAction) => Decision;
}

/** The community and the viewer's standing in it, or undefined when it does not exist or is hidden from the viewer. */
export async function viewCommunity(db: Db, slug: string, viewer: Viewer | undefined): Promise<CommunityView | undefined> {
  const access = await getCommunityAccess(db, slug, viewer);
  if (!access || !canSeeCommunity(viewer, access)) return undefined;
  const [record, organizers, pendingRequest] = await Promise.all([
    repo.findCommunityRecord(db.kysely, access.community.id),
    repo.countOrganizers(db.kysely, access.community.id),
    viewer ? repo.hasPendingRequest(db.kysely, access.community.id, viewer.id) : Promise.resolve(false),
  ]);
  if (!record) return undefined;
  return { access, record, organizers, pendingRequest, can: (action) => decideCommunityAction(viewer, access, action, { organizers }) };
}

/** The keyset of the community list: the last community's id (the list is newest first). */
export const COMMUNITY_CURSOR = cursorCodec('communities', ['uuid']);

/** The keyset of a community's memberships: organizers, members, then allies, each by name. */
export const MEMBERSHIP_CURSOR = cursorCodec('memberships', ['int', 'text', 'uuid']);

/** Verified communities the viewer may see, newest first, after the cursor: one more than the limit, so the caller knows whether a next page exists. */
export function listCommunities(db: Db, viewer: Viewer | undefined, page: PageRequest<[string]>): Promise<repo.CommunityListItem[]> {
  return repo.listVerifiedCommunities(db.kysely, { viewerId: viewer?.id ?? null, afterId: page.after?.[0] ?? null, limit: page.limit + 1 });
}

/** The proposals waiting for a moderator, with everything needed to judge them. */
export async function moderationQueue(db: Db): Promise<repo.CommunityRecord[]> {
  const ids = await repo.listPendingCommunityIds(db.kysely, 50);
  const records = await Promise.all(ids.map((r) => repo.findCommunityRecord(db.kysely, r.id)));
  return records.filter((r): r is repo.CommunityRecord => r !== undefined);
}

/** Verifies or rejects a pending proposal with a note; false when it was decided already. */
export async function moderateCommunity(db: Db, input: { viewer: Viewer; communityId: string; decision: 'verified' | 'rejected'; note: string; requestId: string }): Promise<boolean> {
  // The route's guard lets only moderators in; the use case holds to its own rule as well.
  if (!canModerateCommunities(input.viewer)) throw new Error('Only instance moderators decide proposals');
  return db.kysely.transaction().execute(async (trx) => {
    const done = await repo.decidePending(trx, input.communityId, { status: input.decision, by: input.viewer.id, note: input.note });
    if (!done) return false;
    await audit(trx, {
      actorId: input.viewer.id,
      action: input.decision === 'verified' ? 'community.verified' : 'community.rejected',
      subjectType: 'community',
      subjectId: input.communityId,
      requestId: input.requestId,
    });
    return true;
  });
}

export type ChangeResult = 'ok' | 'conflict' | 'not_found';

function auditEntry(viewer: Viewer, communityId: string, action: string, requestId: string, targetId?: string) {
  return { actorId: viewer.id, action, subjectType: 'community', subjectId: communityId, requestId, ...(targetId ? { details: { userId: targetId } } : {}) };
}

/** The viewer follows the community as an ally (idempotent). */
export async function follow(db: Db, input: { viewer: Viewer; communityId: string; requestId: string }): Promise<ChangeResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const relation = await repo.findRelation(trx, input.communityId, input.viewer.id);
    if (relation.blocked) return 'not_found' as const;
    if (relation.role === 'member' || relation.role === 'organizer') return 'conflict' as const;
    if (relation.role === 'ally') return 'ok' as const;
    await repo.setRole(trx, input.communityId, input.viewer.id, 'ally');
    await audit(trx, auditEntry(input.viewer, input.communityId, 'community.followed', input.requestId));
    return 'ok' as const;
  });
}

/** The viewer stops following (idempotent); members and organizers leave instead. */
export async function unfollow(db: Db, input: { viewer: Viewer; communityId: string; requestId: string }): Promise<ChangeResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const relation = await repo.findRelation(trx, input.communityId, input.viewer.id);
    if (relation.role === 'member' || relation.role === 'organizer') return 'conflict' as const;
    if (relation.role === 'ally') {
      await repo.removeRole(trx, input.communityId, input.viewer.id);
      await audit(trx, auditEntry(input.viewer, input.communityId, 'community.unfollowed', input.requestId));
    }
    return 'ok' as const;
  });
}

/** The viewer leaves the community; the last organizer cannot (the rows are locked so two cannot leave at once). */
export async function leave(db: Db, input: { viewer: Viewer; communityId: string; requestId: string; stepDownOnly?: boolean }): Promise<ChangeResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const organizers = await repo.lockOrganizers(trx, input.communityId);
    const relation = await repo.findRelation(trx, input.communityId, input.viewer.id);
    if (relation.role === null) return 'conflict' as const;
    if (input.stepDownOnly && relation.role !== 'organizer') return 'conflict' as const;
    if (relation.role === 'organizer' && organizers <= 1) return 'conflict' as const;
    if (input.stepDownOnly) {
      await repo.setRole(trx, input.communityId, input.viewer.id, 'member');
      await audit(trx, auditEntry(input.viewer, input.communityId, 'community.organizer_stepped_down', input.requestId));
    } else {
      await repo.removeRole(trx, input.communityId, input.viewer.id);
      await audit(trx, auditEntry(input.viewer, input.communityId, 'community.left', input.requestId));
    }
    return 'ok' as const;
  });
}

/** Records a join request with the answers; conflict when one is already waiting or the viewer is already in. */
export async function requestToJoin(db: Db, input: { viewer: Viewer; communityId: string; answers: string[]; requestId: string }): Promise<ChangeResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const relation = await repo.findRelation(trx, input.communityId, input.viewer.id);
    if (relation.blocked) return 'not_found' as const;
    if (relation.role === 'member' || relation.role === 'organizer') return 'conflict' as const;
    const id = await repo.insertJoinRequest(trx, input.communityId, input.viewer.id, input.answers);
    if (!id) return 'conflict' as const;
    await audit(trx, { ...auditEntry(input.viewer, input.communityId, 'community.join_requested', input.requestId), details: { requestId: id } });
    return 'ok' as const;
  });
}

/** An organizer approves (the requester becomes a member) or declines a pending request. */
export async function decideJoinRequest(
  db: Db,
  input: { viewer: Viewer; communityId: string; joinRequestId: string; approve: boolean; requestId: string },
): Promise<ChangeResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const userId = await repo.decideRequest(trx, input.communityId, input.joinRequestId, { status: input.approve ? 'approved' : 'declined', by: input.viewer.id });
    if (!userId) return 'not_found' as const;
    if (input.approve) {
      const relation = await repo.findRelation(trx, input.communityId, userId);
      if (relation.blocked) return 'conflict' as const;
      if (relation.role !== 'organizer') await repo.setRole(trx, input.communityId, userId, 'member');
    }
    await audit(trx, auditEntry(input.viewer, input.communityId, input.approve ? 'community.join_approved' : 'community.join_declined', input.requestId, userId));
    return 'ok' as const;
  });
}

export type PersonAction = 'promote' | 'remove' | 'block' | 'unblock';

/** An organizer acts on another person: make a member an organizer, remove a member or ally, block or unblock someone. */
export async function actOnPerson(ctx: AppContext, input: { viewer: Viewer; communityId: string; userId: string; action: PersonAction; requestId: string }): Promise<ChangeResult> {
  if (input.userId === input.viewer.id) return 'conflict';
  return ctx.db.kysely.transaction().execute(async (trx) => {
    if (!(await repo.userExists(trx, input.userId))) return 'not_found' as const;
    const relation = await repo.findRelation(trx, input.communityId, input.userId);
    switch (input.action) {
      case 'promote':
        if (relation.role !== 'member' || relation.blocked) return 'conflict' as const;
        await repo.setRole(trx, input.communityId, input.userId, 'organizer');
        break;
      case 'remove':
        if (relation.role !== 'member' && relation.role !== 'ally') return 'conflict' as const;
        await repo.removeRole(trx, input.communityId, input.userId);
        break;
      case 'block':
        // An organizer steps down before anyone can block them: a team cannot be taken over by blocking.
        if (relation.role === 'organizer') return 'conflict' as const;
        await repo.removeRole(trx, input.communityId, input.userId);
        await repo.closeRequestsOf(trx, input.communityId, input.userId, input.viewer.id);
        await repo.insertBlock(trx, input.communityId, input.userId, input.viewer.id);
        // A blocked person keeps nothing here: later modules end what they hold (their places), in this transaction.
        for (const blocked of ctx.slots.all(personBlocked)) await blocked(ctx, trx, { communityId: input.communityId, userId: input.userId, requestId: input.requestId });
        break;
      case 'unblock':
        if (!relation.blocked) return 'conflict' as const;
        await repo.deleteBlock(trx, input.communityId, input.userId);
        break;
    }
    const action = { promote: 'community.organizer_added', remove: 'community.member_removed', block: 'community.blocked', unblock: 'community.unblocked' }[input.action];
    await audit(trx, auditEntry(input.viewer, input.communityId, action, input.requestId, input.userId));
    return 'ok' as const;
  });
}

/** The hash an invitation is stored under: the token itself is shown once and never kept. */
export function inviteHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Makes a single-use invitation valid for seven days; returns the token to show once. */
export async function createInvite(db: Db, input: { viewer: Viewer; communityId: string; requestId: string }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 24 * 3600 * 1000);
  await db.kysely.transaction().execute(async (trx) => {
    await repo.insertInvite(trx, { tokenHash: inviteHash(token), communityId: input.communityId, createdBy: input.viewer.id, expiresAt });
    await audit(trx, auditEntry(input.viewer, input.communityId, 'community.invite_created', input.requestId));
  });
  return { token, expiresAt };
}

/** The community an invitation leads to, when it is still usable and the viewer may use it. */
export async function inviteTarget(db: Db, token: string, viewer: Viewer): Promise<CommunityAccess | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  const invite = await repo.findUsableInvite(db.kysely, inviteHash(token));
  if (!invite) return undefined;
  const access = await getCommunityAccess(db, invite.communityId, viewer);
  if (!access || access.blocked) return undefined;
  return access;
}

/**
 * Uses an invitation: the viewer becomes a member. 'gone' covers every refusal (used, expired,
 * unknown, blocked) alike, so the answer says nothing about the link or the person.
 */
export async function acceptInvite(db: Db, input: { viewer: Viewer; token: string; requestId: string }): Promise<{ result: 'ok'; slug: string } | { result: 'gone' } | { result: 'already'; slug: string }> {
  if (input.token.length === 0 || input.token.length > 100) return { result: 'gone' };
  return db.kysely.transaction().execute(async (trx) => {
    const invite = await repo.findUsableInvite(trx, inviteHash(input.token));
    if (!invite) return { result: 'gone' as const };
    const summary = await repo.findCommunitySummary(trx, invite.communityId);
    const relation = await repo.findRelation(trx, invite.communityId, input.viewer.id);
    if (!summary || relation.blocked) return { result: 'gone' as const };
    // People already in keep the link for someone else.
    if (relation.role === 'member' || relation.role === 'organizer') return { result: 'already' as const, slug: summary.slug };
    const used = await repo.consumeInvite(trx, inviteHash(input.token), input.viewer.id);
    if (!used) return { result: 'gone' as const };
    await repo.setRole(trx, invite.communityId, input.viewer.id, 'member');
    await repo.closeRequestsOf(trx, invite.communityId, input.viewer.id, input.viewer.id);
    await audit(trx, auditEntry(input.viewer, invite.communityId, 'community.invite_accepted', input.requestId));
    return { result: 'ok' as const, slug: summary.slug };
  });
}

/** The people page's lists: roles, blocks and waiting requests. */
export async function peopleOf(db: Db, communityId: string, page: { limit?: number; after?: [number, string, string] } = {}) {
  const [memberships, blocks, requests] = await Promise.all([
    repo.listMemberships(db.kysely, communityId, page),
    repo.listBlocks(db.kysely, communityId),
    repo.listPendingRequests(db.kysely, communityId),
  ]);
  return { memberships, blocks, requests };
}
