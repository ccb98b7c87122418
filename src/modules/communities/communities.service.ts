import type { Db } from '../../db/client.js';
import type { Viewer } from '../../platform/views/render.js';
import { findCommunitySummary, findRelation, type CommunityRole, type CommunitySummary } from './communities.repository.js';

/** A community as one person relates to it. */
export interface CommunityAccess {
  community: CommunitySummary;
  role: CommunityRole | null;
  blocked: boolean;
}

/** The community (by id or slug) and the viewer's relation to it, or undefined when there is no such community. */
export async function getCommunityAccess(db: Db, idOrSlug: string, viewer: Viewer | undefined): Promise<CommunityAccess | undefined> {
  const community = await findCommunitySummary(db.kysely, idOrSlug);
  if (!community) return undefined;
  if (!viewer) return { community, role: null, blocked: false };
  const relation = await findRelation(db.kysely, community.id, viewer.id);
  return { community, ...relation };
}
