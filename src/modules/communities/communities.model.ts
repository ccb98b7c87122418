import type { CommunityRole, CommunitySummary } from './communities.repository.js';

/** A community as one person relates to it: the facts every policy of the community decides on. */
export interface CommunityAccess {
  community: CommunitySummary;
  role: CommunityRole | null;
  blocked: boolean;
}
