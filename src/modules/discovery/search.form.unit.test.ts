import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shownDistanceKm } from './discovery.service.js';
import { decodeSearchCursor, DEFAULT_WITHIN_KM, encodeSearchCursor, parseSearch, searchParams, SORTS } from './search.form.js';

function fromParams(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

describe('parseSearch', () => {
  it('chooses the order from what is given: words → relevance, a place → distance, else date', () => {
    const sort = (input: Record<string, string>) => {
      const r = parseSearch(input);
      return r.ok ? r.query.sort : undefined;
    };
    expect(sort({ q: 'cocina' })).toBe('relevance');
    expect(sort({ near: 'Madrid' })).toBe('distance');
    expect(sort({ q: 'cocina', near: 'Madrid' })).toBe('relevance');
    expect(sort({})).toBe('date');
    expect(sort({ near: 'Madrid', sort: 'date' })).toBe('date');
  });

  it('refuses each bad field with its own message', () => {
    const r = parseSearch({ from: '2030-02-30', to: '2030-01-01', within: '0', kind: ['shift', 'party'], skill: 'juggling', sort: 'loudest', after: 'no spaces!' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['after', 'from', 'kind', 'skill', 'sort', 'within']);
    expect(r.errors.from).toEqual({ key: 'discovery.error.date' });
    const range = parseSearch({ from: '2030-02-02', to: '2030-02-01' });
    expect(range.ok).toBe(false);
    if (!range.ok) expect(range.errors.to).toEqual({ key: 'discovery.error.range' });
    const distance = parseSearch({ sort: 'distance' });
    expect(distance.ok).toBe(false);
    if (!distance.ok) expect(distance.errors.sort).toEqual({ key: 'discovery.error.distanceNeedsPlace' });
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('q', 'kind', 'skill', 'language', 'from', 'to', 'online', 'tag', 'near', 'place', 'within', 'sort', 'after', 'limit', 'x'), fc.oneof(fc.string(), fc.array(fc.string()), fc.integer(), fc.constant(null))), (input) => {
        const r = parseSearch(input);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('gives back the same search from its own address (shareable URLs)', () => {
    const arb = fc.record(
      {
        q: fc.stringMatching(/^[a-zñá ]{1,20}$/).filter((s) => s.trim() !== ''),
        kind: fc.subarray(['shift', 'skill', 'money'], { minLength: 1 }),
        skill: fc.constantFrom('cooking', 'legal'),
        language: fc.constantFrom('en', 'es', 'fr'),
        from: fc.constantFrom('2030-01-01', '2030-06-15'),
        online: fc.constantFrom('only', 'exclude'),
        tag: fc.constantFrom('refugees', 'Familias migrantes'),
        near: fc.constantFrom('Madrid', 'Springfield, MO'),
        within: fc.integer({ min: 1, max: 1000 }).map(String),
        sort: fc.constantFrom(...SORTS),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (input) => {
        const first = parseSearch(input);
        fc.pre(first.ok);
        if (!first.ok) return;
        const again = parseSearch(fromParams(searchParams(first.query)));
        expect(again.ok).toBe(true);
        if (again.ok) expect(again.query).toEqual({ ...first.query, q: first.query.q?.trim() ?? null });
        if (!input.near) expect(first.query.withinKm).toBe(DEFAULT_WITHIN_KM);
      }),
    );
  });
});

describe('search cursors', () => {
  it('round-trip for the sort they were made for, and only for it', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.oneof(
          fc.constant({ sort: 'relevance' as const, value: 0.0607927 as number | string | null }),
          fc.double({ min: 0, max: 20000, noNaN: true }).map((value) => ({ sort: 'distance' as const, value: value as number | string | null })),
          fc.constant({ sort: 'distance' as const, value: null as number | string | null }),
          fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => ({ sort: 'date' as const, value: `${d.toISOString().slice(0, 23)}000Z` as number | string | null })),
        ),
        (id, { sort, value }) => {
          const cursor = encodeSearchCursor(sort, { value, id });
          expect(decodeSearchCursor(sort, cursor)).toEqual({ value, id });
          for (const other of SORTS) if (other !== sort) expect(decodeSearchCursor(other, cursor)).toBeUndefined();
        },
      ),
    );
  });

  it('refuses anything this server did not make, without throwing', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...SORTS), (text, sort) => {
        const cursor = Buffer.from(text).toString('base64url');
        const decoded = decodeSearchCursor(sort, cursor);
        if (decoded !== undefined) expect(decoded.id).toMatch(/^[0-9a-f-]{36}$/);
      }),
    );
    expect(decodeSearchCursor('date', Buffer.from('["date","2030-01-01",1]').toString('base64url'))).toBeUndefined();
    expect(decodeSearchCursor('distance', Buffer.from('["distance",-1,"00000000-0000-4000-8000-000000000001"]').toString('base64url'))).toBeUndefined();
  });
});

describe('shownDistanceKm', () => {
  it('shows whole kilometres, and only steps of 5 km for an ask whose place is kept for its allies', () => {
    expect(shownDistanceKm(0.2, false)).toBe(1);
    expect(shownDistanceKm(12.4, false)).toBe(12);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 20000, noNaN: true }), (km) => {
        const coarse = shownDistanceKm(km, true);
        expect(coarse % 5).toBe(0);
        expect(coarse).toBeGreaterThanOrEqual(5);
        expect(Math.abs(coarse - km)).toBeLessThanOrEqual(5);
      }),
    );
  });
});
