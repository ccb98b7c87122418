import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrangePages,
  buildFeed,
  CAP_APPLIES_FROM,
  COMMUNITY_CAP,
  FEED_PAGE_SIZE,
  isNearlyFilled,
  scoreAsk,
  slotsOf,
  type AllyFit,
  type FeedCandidate,
} from './feed.policy.js';

const NOW = new Date('2030-03-04T12:00:00Z'); // a Monday
const DAY = 86_400_000;

const ALLY: AllyFit = { skills: ['cooking'], languages: ['es'], home: { lat: 40.42, lon: -3.7 }, radiusKm: 30, availability: ['sat:morning'] };

function candidate(overrides: Partial<FeedCandidate> = {}): FeedCandidate {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    communityId: 'c1',
    priority: 'normal',
    online: false,
    distanceKm: 5,
    skills: [],
    languages: ['es'],
    times: [],
    timeZone: 'Europe/Madrid',
    places: null,
    communityLastConfirmedAt: new Date(NOW.getTime() - DAY),
    publishedAt: new Date(NOW.getTime() - DAY),
    ...overrides,
  };
}

const candidateArb = fc.record({
  id: fc.uuid(),
  communityId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  priority: fc.constantFrom('urgent' as const, 'normal' as const, 'ongoing' as const),
  online: fc.boolean(),
  distanceKm: fc.option(fc.double({ min: 0, max: 60, noNaN: true }), { nil: null }),
  skills: fc.subarray(['cooking', 'driving', 'legal']),
  languages: fc.subarray(['en', 'es', 'fr'], { minLength: 1 }),
  times: fc.array(
    fc.integer({ min: -2, max: 40 * 24 }).map((h) => ({ startsAt: new Date(NOW.getTime() + h * 3_600_000), endsAt: new Date(NOW.getTime() + (h + 3) * 3_600_000) })),
    { maxLength: 3 },
  ),
  timeZone: fc.constantFrom('UTC', 'Europe/Madrid', 'America/Chicago', 'Not/AZone'),
  places: fc.option(
    fc.integer({ min: 1, max: 50 }).chain((total) => fc.integer({ min: 0, max: total + 3 }).map((taken) => ({ total, taken }))),
    { nil: null },
  ),
  communityLastConfirmedAt: fc.option(fc.integer({ min: 0, max: 90 }).map((d) => new Date(NOW.getTime() - d * DAY)), { nil: null }),
  publishedAt: fc.integer({ min: 0, max: 60 }).map((d) => new Date(NOW.getTime() - d * DAY)),
});

describe('scoreAsk', () => {
  it('explains each factor that counted', () => {
    const saturday = new Date('2030-03-09T09:00:00Z'); // 10:00 in Madrid
    const scored = scoreAsk(
      candidate({ skills: ['cooking'], times: [{ startsAt: saturday, endsAt: new Date(saturday.getTime() + 3 * 3_600_000) }], places: { total: 4, taken: 1 }, priority: 'urgent', communityLastConfirmedAt: null }),
      ALLY,
      NOW,
    );
    expect(scored.reasons.map((r) => r.code).sort()).toEqual(['available', 'language', 'near', 'places', 'quietCommunity', 'skills', 'soon', 'urgent']);
    expect(scored.reasons.find((r) => r.code === 'available')).toEqual({ code: 'available', slots: ['sat:morning'] });
    expect(scored.reasons.find((r) => r.code === 'soon')).toEqual({ code: 'soon', days: 4 });
  });

  it('names the skills an ask needs that the ally has not listed, and places it lower', () => {
    const fits = scoreAsk(candidate({ skills: ['cooking'] }), ALLY, NOW);
    const lacks = scoreAsk(candidate({ skills: ['legal'] }), ALLY, NOW);
    expect(lacks.reasons).toContainEqual({ code: 'missingSkills', skills: ['legal'] });
    expect(lacks.score).toBeLessThan(fits.score);
  });

  it('lifts a community with no confirmed support in the last 30 days, all else equal', () => {
    fc.assert(
      fc.property(candidateArb, fc.integer({ min: 31, max: 400 }), fc.integer({ min: 0, max: 29 }), (c, quietDays, recentDays) => {
        const quiet = scoreAsk({ ...c, communityLastConfirmedAt: new Date(NOW.getTime() - quietDays * DAY) }, ALLY, NOW);
        const never = scoreAsk({ ...c, communityLastConfirmedAt: null }, ALLY, NOW);
        const busy = scoreAsk({ ...c, communityLastConfirmedAt: new Date(NOW.getTime() - recentDays * DAY) }, ALLY, NOW);
        expect(quiet.score).toBeGreaterThan(busy.score);
        expect(never.score).toBe(quiet.score);
        expect(quiet.reasons.some((r) => r.code === 'quietCommunity')).toBe(true);
        expect(busy.reasons.some((r) => r.code === 'quietCommunity')).toBe(false);
      }),
    );
  });

  it('drops an ask as it fills: the score never rises with places taken, and falls once nearly filled', () => {
    fc.assert(
      fc.property(candidateArb, fc.integer({ min: 1, max: 100 }), (c, total) => {
        let previous = Number.POSITIVE_INFINITY;
        for (let taken = 0; taken <= total; taken++) {
          const s = scoreAsk({ ...c, places: { total, taken } }, ALLY, NOW).score;
          expect(s).toBeLessThanOrEqual(previous + 1e-9);
          previous = s;
        }
        const open = scoreAsk({ ...c, places: { total, taken: 0 } }, ALLY, NOW).score;
        const full = scoreAsk({ ...c, places: { total, taken: total } }, ALLY, NOW);
        expect(open - full.score).toBeGreaterThanOrEqual(0.5);
        expect(full.reasons.some((r) => r.code === 'nearlyFilled')).toBe(true);
      }),
    );
  });

  it('always gives a finite score', () => {
    fc.assert(
      fc.property(candidateArb, (c) => {
        expect(Number.isFinite(scoreAsk(c, ALLY, NOW).score)).toBe(true);
        expect(Number.isFinite(scoreAsk(c, { skills: [], languages: [], home: null, radiusKm: null, availability: [] }, NOW).score)).toBe(true);
      }),
    );
  });

  it('counts an ask nearly filled when at most a fifth of its places is free', () => {
    expect(isNearlyFilled({ total: 10, taken: 8 })).toBe(true);
    expect(isNearlyFilled({ total: 10, taken: 7 })).toBe(false);
    expect(isNearlyFilled({ total: 3, taken: 5 })).toBe(true);
    expect(isNearlyFilled(null)).toBe(false);
  });
});

describe('slotsOf', () => {
  it('reads the parts of the day in the ask\'s time zone', () => {
    const start = new Date('2030-03-09T09:00:00Z');
    expect(slotsOf(start, new Date(start.getTime() + 2 * 3_600_000), 'Europe/Madrid')).toEqual(['sat:morning']);
    expect(slotsOf(start, new Date(start.getTime() + 4 * 3_600_000), 'Europe/Madrid')).toEqual(['sat:morning', 'sat:afternoon']);
    expect(slotsOf(start, new Date(start.getTime() + 3_600_000), 'America/Chicago')).toEqual(['sat:morning']);
    expect(slotsOf(new Date('2030-03-09T02:00:00Z'), new Date('2030-03-09T03:00:00Z'), 'America/Chicago')).toEqual(['fri:evening']);
  });
});

describe('arrangePages', () => {
  const entries = (list: Array<{ id: string; communityId: string }>) => list.map((c) => ({ candidate: c }));

  it('keeps every community to five places a page while four or more have asks, and loses or repeats nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 120 }), (communities) => {
        const ranked = entries(communities.map((communityId, i) => ({ id: String(i), communityId })));
        const pages = arrangePages(ranked);
        expect(pages.flat().map((e) => e.candidate.id).sort()).toEqual(ranked.map((e) => e.candidate.id).sort());
        let remaining = [...ranked];
        for (const [index, page] of pages.entries()) {
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(FEED_PAGE_SIZE);
          const left = new Set(remaining.map((e) => e.candidate.communityId));
          const counts = new Map<string, number>();
          for (const e of page) counts.set(e.candidate.communityId, (counts.get(e.candidate.communityId) ?? 0) + 1);
          if (left.size >= CAP_APPLIES_FROM) {
            for (const count of counts.values()) expect(count).toBeLessThanOrEqual(COMMUNITY_CAP);
          } else if (index < pages.length - 1) {
            // Without the cap, only the last page may be short.
            expect(page.length).toBe(FEED_PAGE_SIZE);
          }
          const shown = new Set(page.map((e) => e.candidate.id));
          remaining = remaining.filter((e) => !shown.has(e.candidate.id));
        }
      }),
    );
  });

  it('keeps the ranking within a community: its asks come in the order they were ranked', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 100 }), (communities) => {
        const ranked = entries(communities.map((communityId, i) => ({ id: String(i).padStart(4, '0'), communityId })));
        const flat = arrangePages(ranked).flat();
        for (const community of new Set(communities)) {
          const order = flat.filter((e) => e.candidate.communityId === community).map((e) => e.candidate.id);
          expect(order).toEqual([...order].sort());
        }
      }),
    );
  });

  it('brings a small community\'s ask onto the first page that a big community would otherwise fill', () => {
    const big = Array.from({ length: 30 }, (_, i) => candidate({ id: `big-${String(i).padStart(2, '0')}`, communityId: 'big', priority: 'urgent', skills: ['cooking'] }));
    const small = ['s1', 's2', 's3'].map((communityId) => candidate({ id: `small-${communityId}`, communityId, priority: 'ongoing', distanceKm: 29 }));
    const pages = buildFeed([...big, ...small], ALLY, NOW);
    const first = pages[0]!.map((s) => s.candidate.id);
    expect(first.filter((id) => id.startsWith('big')).length).toBe(COMMUNITY_CAP);
    expect(first).toEqual(expect.arrayContaining(['small-s1', 'small-s2', 'small-s3']));
    // Once the small ones are shown, the big community's asks fill the next pages.
    expect(pages[1]!.length).toBe(FEED_PAGE_SIZE);
    expect(pages.flat().length).toBe(33);
  });
});
