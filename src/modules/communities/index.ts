export { getCommunityAccess, type CommunityAccess } from './communities.service.js';
export { canManageAsks, canSeeCommunity } from './communities.policy.js';
export type { CommunityKind, CommunityRole, CommunityStatus, CommunitySummary } from './communities.repository.js';
