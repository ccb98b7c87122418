import type { Viewer } from '../../platform/views/render.js';
import { canManageAsks, canSeeCommunity, type CommunityAccess } from '../communities/index.js';

import { ASK_STATUSES, type AskStatus } from './asks.model.js';

export { ASK_STATUSES, type AskStatus };

export const ASK_ACTIONS = ['publish', 'pause', 'resume', 'fill', 'close'] as const;
export type AskAction = (typeof ASK_ACTIONS)[number];

/** What an ask's lifecycle allows: each action from the statuses it may start from, and where it leads. */
const TRANSITIONS: Record<AskAction, { from: readonly AskStatus[]; to: AskStatus }> = {
  publish: { from: ['draft'], to: 'open' },
  pause: { from: ['open'], to: 'paused' },
  fill: { from: ['open'], to: 'filled' },
  resume: { from: ['paused', 'filled'], to: 'open' },
  close: { from: ['open', 'paused', 'filled'], to: 'closed' },
};

/** The status an action leads to from the current one, or null when the lifecycle does not allow it (a closed ask never reopens). */
export function nextStatus(current: AskStatus, action: AskAction): AskStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(current) ? rule.to : null;
}

/** The action that moves an ask from one status to another, or null when none does. */
export function actionFor(current: AskStatus, target: AskStatus): AskAction | null {
  return ASK_ACTIONS.find((action) => nextStatus(current, action) === target) ?? null;
}

/** The actions an organizer can take on an ask in this status. */
export function availableActions(current: AskStatus): AskAction[] {
  return ASK_ACTIONS.filter((action) => nextStatus(current, action) !== null);
}

/** The facts about an ask that decide who sees what. */
export interface AskSubject {
  status: AskStatus;
  locationSensitive: boolean;
}

/** What everyone who may see the community sees: asks that are taking (or have taken) commitments now. */
export const PUBLIC_STATUSES: readonly AskStatus[] = ['open', 'filled'];

/** Whether the viewer may see the ask at all: open and filled asks for whoever sees the community; drafts, paused and closed ones for its organizers. */
export function canSeeAsk(viewer: Viewer | undefined, access: CommunityAccess, ask: AskSubject): boolean {
  if (!canSeeCommunity(viewer, access)) return false;
  return PUBLIC_STATUSES.includes(ask.status) || canManageAsks(viewer, access);
}

/** Whether the viewer may create asks for the community. */
export function canCreateAsk(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return canManageAsks(viewer, access);
}

/** Whether the viewer may edit the ask or change its status: the community's organizers, until it is closed (editing) or as the lifecycle allows. */
export function canEditAsk(viewer: Viewer | undefined, access: CommunityAccess, ask: AskSubject): boolean {
  return canManageAsks(viewer, access) && ask.status !== 'closed';
}

/** Whether the viewer may see drafts, paused and closed asks in the community's list. */
export function canSeeAllAsks(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return canManageAsks(viewer, access);
}

/**
 * Whether the viewer may see the exact location detail. A detail not marked sensitive is shown to
 * whoever sees the ask; a sensitive one only to the community's organizers and to allies whose
 * commitment holds a place (`pledged`, from the `askViewerFacts` slot, which the commitments module fills).
 */
export function canSeeLocationDetail(viewer: Viewer | undefined, access: CommunityAccess, ask: AskSubject, facts: { pledged?: boolean } = {}): boolean {
  if (!canSeeAsk(viewer, access, ask)) return false;
  if (!ask.locationSensitive) return true;
  return canManageAsks(viewer, access) || (viewer !== undefined && facts.pledged === true);
}

/** The statuses a viewer's list shows: exactly those whose asks `canSeeAsk` lets them open. */
export function listedStatuses(viewer: Viewer | undefined, access: CommunityAccess): AskStatus[] {
  if (!canSeeCommunity(viewer, access)) return [];
  return canSeeAllAsks(viewer, access) ? [...ASK_STATUSES] : [...PUBLIC_STATUSES];
}
