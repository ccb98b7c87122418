import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from './worker.js';

const BASE = 5_000;
const CAP = 3_600_000;

/** The delay before jitter, as the worker documents it: 5 s doubling per attempt, capped at one hour. */
function expectedBase(attempts: number): number {
  return Math.min(CAP, BASE * 2 ** Math.max(0, attempts - 1));
}

describe('backoffMs', () => {
  it('doubles from five seconds per attempt', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, noJitter))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
  });

  it('caps at one hour, however many attempts', () => {
    const noJitter = () => 0;
    expect(backoffMs(11, noJitter)).toBe(CAP); // 5 s × 2^10 would be 85 minutes
    expect(backoffMs(100, noJitter)).toBe(CAP);
    expect(backoffMs(10_000, noJitter)).toBe(CAP); // 2 ** 9999 is Infinity: still the cap
  });

  it('treats a first or nonsensical attempt count as the first attempt', () => {
    const noJitter = () => 0;
    expect(backoffMs(0, noJitter)).toBe(BASE);
    expect(backoffMs(-3, noJitter)).toBe(BASE);
  });

  it('adds at most 10% jitter', () => {
    expect(backoffMs(1, () => 0.999_999)).toBe(5_500);
    expect(backoffMs(100, () => 0.999_999)).toBe(3_960_000);
  });

  it('uses Math.random by default and stays in range', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffMs(3);
      expect(delay).toBeGreaterThanOrEqual(20_000);
      expect(delay).toBeLessThanOrEqual(22_000);
    }
  });

  it('stays within [base, base × 1.1] for any attempt count and jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
        const base = expectedBase(attempts);
        const delay = backoffMs(attempts, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * 1.1);
      }),
    );
  });

  it('never shrinks as attempts grow, for the same jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, b, r) => {
          const [fewer, more] = a <= b ? [a, b] : [b, a];
          expect(backoffMs(fewer, () => r)).toBeLessThanOrEqual(backoffMs(more, () => r));
        },
      ),
    );
  });

  it('never shrinks as attempts grow, whatever the jitter, until the cap is reached', () => {
    // The worst jitter on one attempt is still shorter than the best on the next: retries spread out.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, r1, r2) => {
          expect(backoffMs(attempts, () => r1)).toBeLessThan(backoffMs(attempts + 1, () => r2));
        },
      ),
    );
  });
});
