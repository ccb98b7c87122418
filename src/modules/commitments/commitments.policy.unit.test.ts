import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/views/render.js';
import type { CommunityAccess } from '../communities/index.js';
import {
  actorFor,
  canCommit,
  canConfirmCommitment,
  COMMITMENT_STATES,
  FINAL_STATES,
  isLate,
  nextState,
  OUTCOMES,
  overCapacity,
  type CommitmentActor,
  type CommitmentEvent,
  type CommitmentState,
} from './commitments.policy.js';

const ally: Viewer = { id: 'ally', displayName: 'A', role: 'user', confirmed: true };
const organizer: Viewer = { id: 'org', displayName: 'O', role: 'user', confirmed: true };

function access(role: CommunityAccess['role'], blocked = false): CommunityAccess {
  return { community: { id: 'c1', slug: 'c', name: 'C', kind: 'community', status: 'verified', ledgerVisibility: 'public' }, role, blocked };
}

const ACTORS: CommitmentActor[] = ['ally', 'organizer', 'system', 'other'];
const event = fc.oneof(
  fc.boolean().map((late): CommitmentEvent => ({ type: 'withdraw', late })),
  fc.constant<CommitmentEvent>({ type: 'promote' }),
  fc.constantFrom(...OUTCOMES).map((outcome): CommitmentEvent => ({ type: 'confirm', outcome })),
  fc.constant<CommitmentEvent>({ type: 'report' }),
  fc.constant<CommitmentEvent>({ type: 'end' }),
);
const step = fc.tuple(event, fc.constantFrom(...ACTORS));
const CONFIRMED: readonly CommitmentState[] = ['done', 'partly_done', 'missed'];

describe('the commitment state machine', () => {
  it('never reaches an invalid state, never leaves a final one, and only organizers confirm', () => {
    fc.assert(
      fc.property(fc.constantFrom<CommitmentState>('pledged', 'waitlisted'), fc.array(step, { maxLength: 30 }), (start, steps) => {
        let state = start;
        for (const [e, actor] of steps) {
          const next = nextState(state, e, actor);
          if (next === null) continue;
          expect(COMMITMENT_STATES).toContain(next);
          expect(FINAL_STATES).not.toContain(state);
          if (CONFIRMED.includes(next) && e.type === 'confirm') expect(actor).toBe('organizer');
          if (e.type === 'report') expect([actor, next]).toEqual(['ally', 'done']);
          state = next;
        }
      }),
    );
  });

  it('lets nothing but the system promote, and only from the waitlist', () => {
    for (const state of COMMITMENT_STATES) for (const actor of ACTORS) {
      expect(nextState(state, { type: 'promote' }, actor)).toBe(state === 'waitlisted' && actor === 'system' ? 'pledged' : null);
    }
  });

  it('makes a late withdrawal late only for a held place', () => {
    expect(nextState('pledged', { type: 'withdraw', late: true }, 'ally')).toBe('withdrawn_late');
    expect(nextState('pledged', { type: 'withdraw', late: false }, 'ally')).toBe('withdrawn');
    expect(nextState('waitlisted', { type: 'withdraw', late: true }, 'ally')).toBe('withdrawn');
    expect(nextState('pledged', { type: 'withdraw', late: false }, 'organizer')).toBeNull();
    // A block or an account deletion ends a live place, never a final one, and only the system does it.
    expect(nextState('pledged', { type: 'end' }, 'system')).toBe('withdrawn');
    expect(nextState('waitlisted', { type: 'end' }, 'system')).toBe('withdrawn');
    expect(nextState('done', { type: 'end' }, 'system')).toBeNull();
    expect(nextState('pledged', { type: 'end' }, 'organizer')).toBeNull();
  });

  it('confirms pledged commitments only', () => {
    for (const state of COMMITMENT_STATES) {
      expect(nextState(state, { type: 'confirm', outcome: 'done' }, 'organizer')).toBe(state === 'pledged' ? 'done' : null);
    }
  });
});

describe('who may do what', () => {
  it('lets anyone who sees the community commit, never a blocked person', () => {
    expect(canCommit(ally, access(null))).toBe(true);
    expect(canCommit(organizer, access('organizer'))).toBe(true);
    expect(canCommit(ally, access('ally', true))).toBe(false);
    expect(canCommit(undefined, access(null))).toBe(false);
  });

  it('tells the ally, the organizers and everyone else apart', () => {
    expect(actorFor(ally, access('ally'), 'ally')).toBe('ally');
    expect(actorFor(organizer, access('organizer'), 'ally')).toBe('organizer');
    expect(actorFor(organizer, access('member'), 'ally')).toBe('other');
    expect(actorFor(ally, access('ally', true), 'ally')).toBe('other');
    expect(canConfirmCommitment(organizer, access('organizer'), 'ally')).toBe(true);
    expect(canConfirmCommitment(organizer, access('organizer'), 'org')).toBe(false);
    expect(canConfirmCommitment(ally, access('member'), 'x')).toBe(false);
  });

  it('counts the cutoff back from the start', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    expect(isLate(new Date('2026-05-02T09:00:00Z'), 24, now)).toBe(true);
    expect(isLate(new Date('2026-05-02T11:00:00Z'), 24, now)).toBe(false);
    expect(isLate(null, 24, now)).toBe(false);
  });

  it('warns past the capacity only when one is set', () => {
    expect(overCapacity(null, 10_000, 60)).toBe(false);
    expect(overCapacity(2, 60, 60)).toBe(false);
    expect(overCapacity(2, 61, 60)).toBe(true);
    expect(overCapacity(0, 0, 30)).toBe(true);
  });
});
