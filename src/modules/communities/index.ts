import type { ModuleDefinition } from '../../platform/module.js';
import { communitiesApi } from './communities.openapi.js';
import { isModerator } from './communities.policy.js';
import { registerCommunityRoutes } from './communities.routes.js';

/** The list, proposals, community pages, people, invitations and the moderators' queue. */
export const communitiesModule: ModuleDefinition = {
  name: 'communities',
  routes: registerCommunityRoutes,
  api: communitiesApi,
  nav: [
    { href: '/communities', label: 'layout.nav.communities', order: 30 },
    { href: '/moderation/communities', label: 'layout.nav.moderation', order: 50, show: isModerator },
  ],
};

export { getCommunityAccess, type CommunityAccess } from './communities.service.js';
export { personBlocked, type PersonBlocked } from './communities.slots.js';
export { canManageAsks, canSeeCommunity } from './communities.policy.js';
export type { CommunityKind, CommunityRole, CommunityStatus, CommunitySummary } from './communities.repository.js';
export { canModerateCommunities, decideCommunityAction, isModerator, type CommunityAction, type Decision } from './communities.policy.js';
export {
  acceptInvite,
  actOnPerson,
  createInvite,
  decideJoinRequest,
  follow,
  moderateCommunity,
  peopleOf,
  proposeCommunity,
  requestToJoin,
} from './communities.service.js';
export { parseCommunityJson, slugify, type CommunityInput } from './communities.forms.js';
export { listDonationChannels } from './communities.repository.js';
