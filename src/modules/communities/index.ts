import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerCommunityRoutes } from './communities.routes.js';

/** Every route of the communities module: the list, proposals, community pages, people, invitations and the moderators' queue. */
export function registerCommunities(app: FastifyInstance, ctx: AppContext): void {
  registerCommunityRoutes(app, ctx);
}

export { getCommunityAccess, type CommunityAccess } from './communities.service.js';
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
