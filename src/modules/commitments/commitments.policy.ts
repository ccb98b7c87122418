import type { Viewer } from '../../platform/views/render.js';
import { canManageAsks, canSeeCommunity, type CommunityAccess } from '../communities/index.js';

export const COMMITMENT_STATES = ['pledged', 'waitlisted', 'withdrawn', 'withdrawn_late', 'done', 'partly_done', 'missed'] as const;
export type CommitmentState = (typeof COMMITMENT_STATES)[number];

/** What the community can say happened. */
export const OUTCOMES = ['done', 'partly_done', 'missed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** States nothing leaves: the community's word, or the ally's withdrawal. */
export const FINAL_STATES: readonly CommitmentState[] = ['withdrawn', 'withdrawn_late', 'done', 'partly_done', 'missed'];

/** Who acts on a commitment: the ally who made it, an organizer of the ask's community, the system (waitlist), or anyone else. */
export type CommitmentActor = 'ally' | 'organizer' | 'system' | 'other';

/** Something that can happen to a commitment. */
export type CommitmentEvent =
  | { type: 'withdraw'; late: boolean }
  | { type: 'promote' }
  | { type: 'confirm'; outcome: Outcome }
  | { type: 'report' }
  /** The place ends without the ally choosing it: the community blocked them, or their account was deleted. */
  | { type: 'end' };

/**
 * The commitment state machine: the state an event leads to when this actor causes it, or null when
 * it may not happen. Only organizers confirm; an ally reports an advocacy action done themselves
 * (marked self-reported by the caller); withdrawing from the waitlist is never late.
 */
export function nextState(state: CommitmentState, event: CommitmentEvent, actor: CommitmentActor): CommitmentState | null {
  switch (event.type) {
    case 'withdraw':
      if (actor !== 'ally') return null;
      if (state === 'waitlisted') return 'withdrawn';
      if (state === 'pledged') return event.late ? 'withdrawn_late' : 'withdrawn';
      return null;
    case 'promote':
      return actor === 'system' && state === 'waitlisted' ? 'pledged' : null;
    case 'confirm':
      return actor === 'organizer' && state === 'pledged' ? event.outcome : null;
    case 'report':
      return actor === 'ally' && state === 'pledged' ? 'done' : null;
    case 'end':
      return actor === 'system' && (state === 'pledged' || state === 'waitlisted') ? 'withdrawn' : null;
  }
}

/** Whether a withdrawal now is late: within the ask's cutoff before the time starts (never for kinds without a start). */
export function isLate(startsAt: Date | null, cutoffHours: number, now: Date): boolean {
  if (!startsAt) return false;
  return startsAt.getTime() - now.getTime() < cutoffHours * 3600_000;
}

/** Whether the viewer may commit to an ask in this community: anyone signed in who sees it, organizers too. */
export function canCommit(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return viewer !== undefined && canSeeCommunity(viewer, access);
}

/** How the viewer relates to a commitment; 'other' sees nothing of it. */
export function actorFor(viewer: Viewer | undefined, access: CommunityAccess, commitmentUserId: string): CommitmentActor {
  if (!viewer || !canSeeCommunity(viewer, access)) return 'other';
  if (viewer.id === commitmentUserId) return 'ally';
  return canManageAsks(viewer, access) ? 'organizer' : 'other';
}

/** Whether the viewer may confirm commitments and give feedback: the community's organizers. */
export function canConfirm(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return canManageAsks(viewer, access);
}

/** An organizer who is also the ally of a commitment still may not confirm their own. */
export function canConfirmCommitment(viewer: Viewer | undefined, access: CommunityAccess, commitmentUserId: string): boolean {
  return canConfirm(viewer, access) && viewer?.id !== commitmentUserId;
}

/** Whether the pledge counts toward the capacity warning: capacity set and this week's hours pass it. */
export function overCapacity(capacityHours: number | null, weekMinutes: number, addedMinutes: number): boolean {
  if (capacityHours === null || addedMinutes <= 0) return false;
  return weekMinutes + addedMinutes > capacityHours * 60;
}
