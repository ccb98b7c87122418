import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/views/render.js';
import type { CommunityAccess } from '../communities/index.js';
import {
  actionFor,
  ASK_ACTIONS,
  ASK_STATUSES,
  availableActions,
  canCreateAsk,
  canEditAsk,
  canSeeAsk,
  canSeeLocationDetail,
  listedStatuses,
  nextStatus,
  type AskStatus,
} from './asks.policy.js';

const person: Viewer = { id: 'u1', displayName: 'P', role: 'user', confirmed: true };
const moderator: Viewer = { id: 'm1', displayName: 'M', role: 'moderator', confirmed: true };

function access(role: CommunityAccess['role'], options: Partial<CommunityAccess['community']> & { blocked?: boolean } = {}): CommunityAccess {
  const { blocked = false, ...community } = options;
  return { community: { id: 'c1', slug: 'c', name: 'C', kind: 'community', status: 'verified', ledgerVisibility: 'public', ...community }, role, blocked };
}

const ROLES = ['organizer', 'member', 'ally', null] as const;

describe('the ask lifecycle', () => {
  it('moves along the documented transitions only', () => {
    expect(nextStatus('draft', 'publish')).toBe('open');
    expect(nextStatus('open', 'pause')).toBe('paused');
    expect(nextStatus('open', 'fill')).toBe('filled');
    expect(nextStatus('paused', 'resume')).toBe('open');
    expect(nextStatus('filled', 'resume')).toBe('open');
    for (const from of ['open', 'paused', 'filled'] as const) expect(nextStatus(from, 'close')).toBe('closed');
    expect(nextStatus('draft', 'close')).toBeNull();
    expect(nextStatus('open', 'publish')).toBeNull();
    expect(availableActions('closed')).toEqual([]);
    expect(availableActions('draft')).toEqual(['publish']);
  });

  it('finds the action between two statuses', () => {
    expect(actionFor('paused', 'open')).toBe('resume');
    expect(actionFor('open', 'closed')).toBe('close');
    expect(actionFor('closed', 'open')).toBeNull();
    expect(actionFor('draft', 'paused')).toBeNull();
  });

  it('never reaches an unknown status, never returns to draft, and never reopens a closed ask, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ASK_ACTIONS), { maxLength: 40 }), (actions) => {
        let status: AskStatus = 'draft';
        let closed = false;
        let published = false;
        for (const action of actions) {
          const next = nextStatus(status, action);
          if (next === null) continue;
          expect(ASK_STATUSES).toContain(next);
          if (closed) throw new Error(`a closed ask moved to ${next}`);
          if (published) expect(next).not.toBe('draft');
          expect(availableActions(status)).toContain(action);
          status = next;
          published = true;
          closed = status === 'closed';
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('who sees and manages asks', () => {
  it('lets only organizers of a verified community (never a supporter group) create and edit', () => {
    const open = { status: 'open' as const, locationSensitive: false };
    expect(canCreateAsk(person, access('organizer'))).toBe(true);
    expect(canEditAsk(person, access('organizer'), open)).toBe(true);
    expect(canEditAsk(person, access('organizer'), { ...open, status: 'closed' })).toBe(false);
    for (const role of ['member', 'ally', null] as const) {
      expect(canCreateAsk(person, access(role))).toBe(false);
      expect(canEditAsk(person, access(role), open)).toBe(false);
    }
    expect(canCreateAsk(moderator, access(null))).toBe(false);
    expect(canCreateAsk(undefined, access('organizer'))).toBe(false);
    expect(canCreateAsk(person, access('organizer', { status: 'pending' }))).toBe(false);
    expect(canCreateAsk(person, access('organizer', { kind: 'supporter_group' }))).toBe(false);
    expect(canCreateAsk(person, access('organizer', { blocked: true }))).toBe(false);
  });

  it('shows drafts, paused and closed asks to organizers only, and nothing to blocked people', () => {
    for (const status of ASK_STATUSES) {
      const ask = { status, locationSensitive: false };
      expect(canSeeAsk(person, access('organizer'), ask)).toBe(true);
      const publicly = status === 'open' || status === 'filled';
      for (const role of ['member', 'ally', null] as const) expect(canSeeAsk(person, access(role), ask), `${role} ${status}`).toBe(publicly);
      expect(canSeeAsk(undefined, access(null), ask)).toBe(publicly);
      expect(canSeeAsk(moderator, access(null), ask)).toBe(publicly);
      expect(canSeeAsk(person, access('member', { blocked: true }), ask)).toBe(false);
    }
  });

  it('lists exactly the statuses whose asks the viewer may open', () => {
    const viewers = [person, moderator, undefined];
    for (const viewer of viewers) {
      for (const role of ROLES) {
        for (const blocked of [false, true]) {
          for (const status of ['verified', 'pending'] as const) {
            const a = access(role, { blocked, status });
            const listed = listedStatuses(viewer, a);
            for (const s of ASK_STATUSES) expect(listed.includes(s)).toBe(canSeeAsk(viewer, a, { status: s, locationSensitive: false }));
          }
        }
      }
    }
  });

  it('shows a sensitive location detail to organizers only, and an ordinary one to whoever sees the ask', () => {
    const sensitive = { status: 'open' as const, locationSensitive: true };
    expect(canSeeLocationDetail(person, access('organizer'), sensitive)).toBe(true);
    for (const role of ['member', 'ally', null] as const) expect(canSeeLocationDetail(person, access(role), sensitive)).toBe(false);
    expect(canSeeLocationDetail(undefined, access(null), sensitive)).toBe(false);
    expect(canSeeLocationDetail(moderator, access(null), sensitive)).toBe(false);
    expect(canSeeLocationDetail(undefined, access(null), { ...sensitive, locationSensitive: false })).toBe(true);
    expect(canSeeLocationDetail(person, access('member'), { status: 'draft', locationSensitive: false })).toBe(false);
  });
});
