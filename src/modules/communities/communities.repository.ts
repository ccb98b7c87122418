import type { Executor } from '../../db/client.js';

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
  const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrSlug);
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
