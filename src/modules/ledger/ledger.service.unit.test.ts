import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfirmedRow, OwnOccasion } from './ledger.repository.js';
import { ownLocation, summarize } from './ledger.service.js';
import { majorUnits } from '../../platform/money.js';

const KINDS = ['shift', 'skill', 'supplies', 'money', 'advocacy', 'attend'] as const;

const rowArb: fc.Arbitrary<ConfirmedRow> = fc.record({
  id: fc.uuid(),
  userId: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
  allyName: fc.string(),
  askId: fc.constantFrom('a1', 'a2', 'a3'),
  askTitle: fc.string(),
  askKind: fc.constantFrom(...KINDS),
  state: fc.constantFrom('done' as const, 'partly_done' as const),
  doneMinutes: fc.option(fc.integer({ min: 0, max: 60000 })),
  doneAmountMinor: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
  currency: fc.option(fc.constantFrom('EUR', 'USD', 'JPY')),
  doneQuantity: fc.option(fc.integer({ min: 0, max: 1000 })),
  itemLabel: fc.option(fc.constantFrom('Rice', 'Soap')),
  itemUnit: fc.option(fc.constantFrom('kg', 'bars')),
  selfReported: fc.boolean(),
  happenedAt: fc.date({ noInvalidDate: true }),
});

const row = (values: Partial<ConfirmedRow>): ConfirmedRow => ({
  id: 'x',
  userId: 'u1',
  allyName: 'A',
  askId: 'a1',
  askTitle: 'T',
  askKind: 'shift',
  state: 'done',
  doneMinutes: null,
  doneAmountMinor: null,
  currency: null,
  doneQuantity: null,
  itemLabel: null,
  itemUnit: null,
  selfReported: false,
  happenedAt: new Date(0),
  ...values,
});

describe('ledger totals', () => {
  it('adds confirmed time, money per currency and supplies per item, and counts returning allies', () => {
    const totals = summarize([
      row({ userId: 'u1', askId: 'a1', doneMinutes: 120 }),
      row({ userId: 'u1', askId: 'a2', askKind: 'money', doneAmountMinor: 500, currency: 'EUR' }),
      row({ userId: 'u2', askId: 'a2', askKind: 'money', doneAmountMinor: 700, currency: 'USD', state: 'partly_done' }),
      row({ userId: 'u2', askId: 'a2', askKind: 'money', doneAmountMinor: 300, currency: 'EUR' }),
      row({ userId: 'u3', askId: 'a3', askKind: 'supplies', doneQuantity: 4, itemLabel: 'Rice', itemUnit: 'kg' }),
      row({ userId: 'u3', askId: 'a3', askKind: 'supplies', doneQuantity: 1, itemLabel: 'Rice', itemUnit: 'kg' }),
      row({ userId: 'u4', askId: 'a1', askKind: 'advocacy', selfReported: true, doneMinutes: 30 }),
    ]);
    expect(totals).toEqual({
      minutes: 120,
      money: [
        { currency: 'EUR', amountMinor: 800 },
        { currency: 'USD', amountMinor: 700 },
      ],
      supplies: [{ item: 'Rice', unit: 'kg', quantity: 5 }],
      advocacy: { confirmed: 0, selfReported: 1 },
      confirmed: 6,
      allies: 3,
      returningAllies: 1,
    });
  });

  it('lets self-reported actions add to nothing but their own count, whatever the order of rows', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), (rows) => {
        const all = summarize(rows);
        const confirmedOnly = summarize(rows.filter((r) => !r.selfReported));
        expect({ ...all, advocacy: { ...all.advocacy, selfReported: 0 } }).toEqual(confirmedOnly);
        expect(all.advocacy.selfReported).toBe(rows.filter((r) => r.selfReported && r.askKind === 'advocacy').length);
        expect(summarize([...rows].reverse())).toEqual(all);
        expect(all.returningAllies).toBeLessThanOrEqual(all.allies);
        expect(all.minutes).toBe(rows.filter((r) => !r.selfReported).reduce((sum, r) => sum + (r.doneMinutes ?? 0), 0));
      }),
    );
  });

  it('writes minor units as a plain decimal for each currency', () => {
    expect(majorUnits(25050, 'EUR')).toBe('250.50');
    expect(majorUnits(7, 'EUR')).toBe('0.07');
    expect(majorUnits(1500, 'JPY')).toBe('1500');
    expect(majorUnits(1234, 'BHD')).toBe('1.234');
  });
});

describe('the place in an ally’s own feed', () => {
  const occasion = (values: Partial<OwnOccasion>): OwnOccasion => ({
    askId: 'a',
    askTitle: 'T',
    askKind: 'attend',
    askUpdatedAt: new Date(0),
    online: false,
    areaLabel: 'Eastside',
    windowId: null,
    startsAt: new Date(0),
    endsAt: null,
    communityName: 'C',
    commitmentId: 'c',
    state: 'pledged',
    locationDetail: 'Back door',
    locationSensitive: true,
    ...values,
  });
  const words = { online: 'Online', waitlisted: 'waitlist' };

  it('shows a sensitive detail only while the commitment holds a place', () => {
    expect(ownLocation(occasion({}), words)).toBe('Back door (Eastside)');
    expect(ownLocation(occasion({ state: 'waitlisted' }), words)).toBe('Eastside');
    expect(ownLocation(occasion({ state: 'waitlisted', locationSensitive: false }), words)).toBe('Back door (Eastside)');
    expect(ownLocation(occasion({ locationDetail: null, online: true }), words)).toBe('Online · Eastside');
  });
});
