import type { Executor } from '../../db/client.js';
import { sql } from 'kysely';
import { isUuid } from '../../platform/ids.js';

export type CommunityRole = 'organizer' | 'member' | 'ally';
export type CommunityStatus = 'pending' | 'verified' | 'rejected' | 'suspended';
export type CommunityKind = 'community' | 'supporter_group';

/** The few facts about a community that other modules decide on. */
export interface CommunitySummary {
  id: string;
  slug: string;
  name: string;
  kind: CommunityKind;
  status: CommunityStatus;
  ledgerVisibility: 'public' | 'members';
}

const summaryColumns = ['id', 'slug', 'name', 'kind', 'status', 'ledger_visibility as ledgerVisibility'] as const;

/** A community by id or slug. */
export function findCommunitySummary(db: Executor, idOrSlug: string): Promise<CommunitySummary | undefined> {
  const byId = isUuid(idOrSlug);
  return db
    .selectFrom('communities')
    .select(summaryColumns)
    .where(byId ? 'id' : 'slug', '=', idOrSlug)
    .executeTakeFirst();
}

/** A person's role in a community and whether the community blocked them. */
export async function findRelation(db: Executor, communityId: string, userId: string): Promise<{ role: CommunityRole | null; blocked: boolean }> {
  const [membership, block] = await Promise.all([
    db.selectFrom('memberships').select('role').where('community_id', '=', communityId).where('user_id', '=', userId).executeTakeFirst(),
    db.selectFrom('community_blocks').select('user_id').where('community_id', '=', communityId).where('user_id', '=', userId).executeTakeFirst(),
  ]);
  return { role: membership?.role ?? null, blocked: block !== undefined };
}

/** Everything the community page shows about a community. */
export interface CommunityRecord extends CommunitySummary {
  mission: string;
  howToHelp: string | null;
  online: boolean;
  areaPlaceId: string | null;
  areaLabel: string | null;
  areaLat: number | null;
  areaLon: number | null;
  joinQuestions: string[];
  proposedBy: string | null;
  proposerName: string | null;
  moderationNote: string | null;
  verifiedAt: Date | null;
  createdAt: Date;
  ledBy: string[];
  serves: string[];
  languages: string[];
  donationChannels: Array<{ label: string; details: string }>;
}

/** A community with its tags, languages and donation channels. */
export async function findCommunityRecord(db: Executor, id: string): Promise<CommunityRecord | undefined> {
  const row = await db
    .selectFrom('communities as c')
    .leftJoin('users as u', 'u.id', 'c.proposed_by')
    .select([
      'c.id',
      'c.slug',
      'c.name',
      'c.kind',
      'c.status',
      'c.ledger_visibility as ledgerVisibility',
      'c.mission',
      'c.how_to_help as howToHelp',
      'c.online',
      'c.area_place_id as areaPlaceId',
      'c.area_label as areaLabel',
      'c.area_lat as areaLat',
      'c.area_lon as areaLon',
      'c.join_questions as joinQuestions',
      'c.proposed_by as proposedBy',
      'u.display_name as proposerName',
      'c.moderation_note as moderationNote',
      'c.verified_at as verifiedAt',
      'c.created_at as createdAt',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const [tags, languages, channels] = await Promise.all([
    db.selectFrom('community_tags').select(['kind', 'tag']).where('community_id', '=', id).orderBy('tag').execute(),
    db.selectFrom('community_languages').select('language').where('community_id', '=', id).orderBy('language').execute(),
    db.selectFrom('donation_channels').select(['label', 'details']).where('community_id', '=', id).orderBy('position').execute(),
  ]);
  return {
    ...row,
    createdAt: new Date(row.createdAt as unknown as string),
    ledBy: tags.filter((t) => t.kind === 'led_by').map((t) => t.tag),
    serves: tags.filter((t) => t.kind === 'serves').map((t) => t.tag),
    languages: languages.map((l) => l.language),
    donationChannels: channels,
  };
}

/** A line of a list of communities. */
export interface CommunityListItem {
  id: string;
  slug: string;
  name: string;
  kind: CommunityKind;
  status: CommunityStatus;
  mission: string;
  online: boolean;
  areaLabel: string | null;
  createdAt: Date;
}

const listColumns = ['c.id', 'c.slug', 'c.name', 'c.kind', 'c.status', 'c.mission', 'c.online', 'c.area_label as areaLabel', 'c.created_at as createdAt'] as const;

/** Verified communities, newest first, after the cursor community, without those that blocked the viewer. */
export function listVerifiedCommunities(db: Executor, options: { viewerId: string | null; afterId: string | null; limit: number }): Promise<CommunityListItem[]> {
  let query = db.selectFrom('communities as c').select(listColumns).where('c.status', '=', 'verified');
  if (options.viewerId) {
    const viewerId = options.viewerId;
    query = query.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('community_blocks as b').select('b.user_id').whereRef('b.community_id', '=', 'c.id').where('b.user_id', '=', viewerId))),
    );
  }
  if (options.afterId) {
    query = query.where(sql<boolean>`(c.created_at, c.id) < (select created_at, id from communities where id = ${options.afterId})`);
  }
  return query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(options.limit).execute() as Promise<CommunityListItem[]>;
}

/** Proposals waiting for a moderator, oldest first. */
export function listPendingCommunityIds(db: Executor, limit: number): Promise<Array<{ id: string }>> {
  return db.selectFrom('communities').select('id').where('status', '=', 'pending').orderBy('created_at', 'asc').orderBy('id').limit(limit).execute();
}

/** Slugs already taken that start with the base. */
export async function takenSlugs(db: Executor, base: string): Promise<Set<string>> {
  const rows = await db.selectFrom('communities').select('slug').where('slug', 'like', `${base.replace(/[\\%_]/g, '\\$&')}%`).execute();
  return new Set(rows.map((r) => r.slug));
}

/** The columns a proposal or an edit writes. */
export interface CommunityValues {
  name: string;
  mission: string;
  howToHelp: string | null;
  online: boolean;
  areaPlaceId: string | null;
  areaLabel: string | null;
  areaLat: number | null;
  areaLon: number | null;
  ledgerVisibility: 'public' | 'members';
  joinQuestions: string[];
  ledBy: string[];
  serves: string[];
  languages: string[];
  donationChannels: Array<{ label: string; details: string }>;
}

function columns(values: CommunityValues) {
  return {
    name: values.name,
    mission: values.mission,
    how_to_help: values.howToHelp,
    online: values.online,
    area_place_id: values.areaPlaceId,
    area_label: values.areaLabel,
    area_lat: values.areaLat,
    area_lon: values.areaLon,
    ledger_visibility: values.ledgerVisibility,
    join_questions: JSON.stringify(values.joinQuestions),
  };
}

async function writeDetails(db: Executor, communityId: string, values: CommunityValues): Promise<void> {
  await db.deleteFrom('community_tags').where('community_id', '=', communityId).execute();
  await db.deleteFrom('community_languages').where('community_id', '=', communityId).execute();
  await db.deleteFrom('donation_channels').where('community_id', '=', communityId).execute();
  const tags = [
    ...values.ledBy.map((tag) => ({ community_id: communityId, kind: 'led_by' as const, tag })),
    ...values.serves.map((tag) => ({ community_id: communityId, kind: 'serves' as const, tag })),
  ];
  if (tags.length) await db.insertInto('community_tags').values(tags).onConflict((oc) => oc.doNothing()).execute();
  if (values.languages.length) {
    await db
      .insertInto('community_languages')
      .values(values.languages.map((language) => ({ community_id: communityId, language })))
      .execute();
  }
  if (values.donationChannels.length) {
    await db
      .insertInto('donation_channels')
      .values(values.donationChannels.map((c, position) => ({ community_id: communityId, label: c.label, details: c.details, position })))
      .execute();
  }
}

/** Inserts a pending community with its details; returns its id. */
export async function insertCommunity(db: Executor, input: CommunityValues & { slug: string; kind: CommunityKind; proposedBy: string }): Promise<string> {
  const row = await db
    .insertInto('communities')
    .values({ ...columns(input), slug: input.slug, kind: input.kind, proposed_by: input.proposedBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeDetails(db, row.id, input);
  return row.id;
}

/** Replaces a community's description and details. */
export async function updateCommunityValues(db: Executor, communityId: string, values: CommunityValues): Promise<void> {
  await db.updateTable('communities').set({ ...columns(values), updated_at: sql<Date>`now()` }).where('id', '=', communityId).execute();
  await writeDetails(db, communityId, values);
}

/** Sets the moderation outcome of a still-pending community; false when it was no longer pending. */
export async function decidePending(db: Executor, communityId: string, input: { status: 'verified' | 'rejected'; by: string; note: string }): Promise<boolean> {
  const row = await db
    .updateTable('communities')
    .set({
      status: input.status,
      moderation_note: input.note,
      verified_by: input.by,
      verified_at: input.status === 'verified' ? sql<Date>`now()` : null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', communityId)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Locks the community's organizer rows and counts them, so two organizers cannot both step down at once. */
export async function lockOrganizers(db: Executor, communityId: string): Promise<number> {
  const rows = await db.selectFrom('memberships').select('user_id').where('community_id', '=', communityId).where('role', '=', 'organizer').forUpdate().execute();
  return rows.length;
}

/** Sets a person's role in a community. */
export async function setRole(db: Executor, communityId: string, userId: string, role: CommunityRole): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ community_id: communityId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['community_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

/** Ends a person's relation to a community. */
export async function removeRole(db: Executor, communityId: string, userId: string): Promise<void> {
  await db.deleteFrom('memberships').where('community_id', '=', communityId).where('user_id', '=', userId).execute();
}

/** A person with a role in a community. */
export interface MembershipRow {
  userId: string;
  displayName: string;
  role: CommunityRole;
  since: Date;
}

/** Everyone with a role in the community, organizers first. */
export async function listMemberships(db: Executor, communityId: string, page: { limit?: number; after?: [number, string, string] } = {}): Promise<Array<MembershipRow & { position: [number, string, string] }>> {
  const rank = sql<number>`(case m.role when 'organizer' then 0 when 'member' then 1 else 2 end)`;
  let query = db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id as userId', 'u.display_name as displayName', 'm.role', 'm.created_at as since', rank.as('rank')])
    .where('m.community_id', '=', communityId);
  if (page.after) {
    const [r, name, id] = page.after;
    query = query.where(sql<boolean>`(${rank}, u.display_name, m.user_id) > (${r}::int, ${name}, ${id}::uuid)`);
  }
  query = query.orderBy(rank).orderBy('u.display_name').orderBy('m.user_id');
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = (await query.execute()) as Array<MembershipRow & { rank: number }>;
  return rows.map(({ rank: r, ...row }) => ({ ...row, position: [Number(r), row.displayName, row.userId] as [number, string, string] }));
}

/** Whether a person exists. */
export async function userExists(db: Executor, userId: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
}

/** People the community blocked. */
export function listBlocks(db: Executor, communityId: string): Promise<Array<{ userId: string; displayName: string }>> {
  return db
    .selectFrom('community_blocks as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .select(['b.user_id as userId', 'u.display_name as displayName'])
    .where('b.community_id', '=', communityId)
    .orderBy('u.display_name')
    .execute();
}

/** Blocks a person (idempotent). */
export async function insertBlock(db: Executor, communityId: string, userId: string, by: string): Promise<void> {
  await db.insertInto('community_blocks').values({ community_id: communityId, user_id: userId, blocked_by: by }).onConflict((oc) => oc.doNothing()).execute();
}

/** Lifts a block. */
export async function deleteBlock(db: Executor, communityId: string, userId: string): Promise<void> {
  await db.deleteFrom('community_blocks').where('community_id', '=', communityId).where('user_id', '=', userId).execute();
}

/** A join request waiting for an organizer. */
export interface JoinRequestRow {
  id: string;
  userId: string;
  displayName: string;
  answers: string[];
  createdAt: Date;
}

/** The pending join requests of a community, oldest first. */
export function listPendingRequests(db: Executor, communityId: string): Promise<JoinRequestRow[]> {
  return db
    .selectFrom('join_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.user_id as userId', 'u.display_name as displayName', 'r.answers', 'r.created_at as createdAt'])
    .where('r.community_id', '=', communityId)
    .where('r.status', '=', 'pending')
    .orderBy('r.created_at')
    .execute() as Promise<JoinRequestRow[]>;
}

/** Whether the person has a join request waiting. */
export async function hasPendingRequest(db: Executor, communityId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('join_requests')
    .select('id')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a join request; false when one is already waiting. */
export async function insertJoinRequest(db: Executor, communityId: string, userId: string, answers: string[]): Promise<string | undefined> {
  const row = await db
    .insertInto('join_requests')
    .values({ community_id: communityId, user_id: userId, answers: JSON.stringify(answers) })
    .onConflict((oc) => oc.columns(['community_id', 'user_id']).where('status', '=', 'pending').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Decides a pending request of this community; returns the requester, or undefined when there was no such pending request. */
export async function decideRequest(db: Executor, communityId: string, requestId: string, input: { status: 'approved' | 'declined'; by: string }): Promise<string | undefined> {
  const row = await db
    .updateTable('join_requests')
    .set({ status: input.status, decided_by: input.by, decided_at: sql<Date>`now()` })
    .where('id', '=', requestId)
    .where('community_id', '=', communityId)
    .where('status', '=', 'pending')
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}

/** Withdraws a person's waiting requests (when they are blocked or become members another way). */
export async function closeRequestsOf(db: Executor, communityId: string, userId: string, by: string): Promise<void> {
  await db
    .updateTable('join_requests')
    .set({ status: 'declined', decided_by: by, decided_at: sql<Date>`now()` })
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .execute();
}

/** Stores an invitation by the hash of its token. */
export async function insertInvite(db: Executor, input: { tokenHash: string; communityId: string; createdBy: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('community_invites')
    .values({ token_hash: input.tokenHash, community_id: input.communityId, created_by: input.createdBy, expires_at: input.expiresAt })
    .execute();
}

/** The community of a usable (unused, unexpired) invitation. */
export async function findUsableInvite(db: Executor, tokenHash: string): Promise<{ communityId: string } | undefined> {
  return db
    .selectFrom('community_invites')
    .select('community_id as communityId')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Marks an invitation used, once: undefined when it was already used or has expired. */
export async function consumeInvite(db: Executor, tokenHash: string, userId: string): Promise<{ communityId: string } | undefined> {
  return db
    .updateTable('community_invites')
    .set({ used_at: sql<Date>`now()`, used_by: userId })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('community_id as communityId')
    .executeTakeFirst();
}

/** How many organizers a community has. */
export async function countOrganizers(db: Executor, communityId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('community_id', '=', communityId)
    .where('role', '=', 'organizer')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The community's donation channels, in its order: where allies give money to it. */
export function listDonationChannels(db: Executor, communityId: string): Promise<Array<{ label: string; details: string }>> {
  return db.selectFrom('donation_channels').select(['label', 'details']).where('community_id', '=', communityId).orderBy('position').execute();
}
