import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hours, money, parseBulkConfirm, parseCommit, parseConfirm, type CommitFacts } from './commitments.form.js';
import { currencyDigits } from '../../platform/money.js';

const W = '11111111-1111-4111-8111-111111111111';
const I = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const facts = (kind: CommitFacts['kind']): CommitFacts => ({ kind, windowIds: [W], itemIds: [I], channelIds: [C], currency: 'EUR' });

describe('the commit form', () => {
  it('parses each kind', () => {
    expect(parseCommit({ windowId: W, idempotencyKey: 'abcdefgh12' }, facts('shift'))).toMatchObject({ ok: true, value: { windowId: W, idempotencyKey: 'abcdefgh12' } });
    expect(parseCommit({ itemId: I, quantity: '4' }, facts('supplies'))).toMatchObject({ ok: true, value: { itemId: I, quantity: 4 } });
    expect(parseCommit({ amount: '12,5', channelId: C }, facts('money'))).toMatchObject({ ok: true, value: { amountMinor: 1250, channelId: C } });
    expect(parseCommit({ leaveRest: true }, facts('advocacy'))).toMatchObject({ ok: true, value: { leaveRest: true } });
  });

  it('refuses what the ask does not offer, and fields of other kinds', () => {
    const r = parseCommit({ windowId: I, quantity: '3' }, facts('shift'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors)).toEqual(['windowId']);
      expect(r.unknown).toEqual(['quantity']);
    }
    const m = parseCommit({ amount: '0' }, facts('money'));
    expect(m.ok ? [] : Object.keys(m.errors).sort()).toEqual(['amount', 'channelId']);
    const k = parseCommit({ idempotencyKey: 'short' }, facts('skill'));
    expect(k.ok ? [] : Object.keys(k.errors)).toEqual(['idempotencyKey']);
  });

  it('never throws and never accepts an unknown field (property)', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.constantFrom(W, I, C, '1.5', '7'));
    const keys = fc.constantFrom('windowId', 'itemId', 'quantity', 'amount', 'channelId', 'idempotencyKey', 'acknowledgeCapacity', 'leaveRest', '_csrf', 'x', '__proto__');
    fc.assert(
      fc.property(fc.constantFrom<CommitFacts['kind']>('shift', 'skill', 'supplies', 'money', 'advocacy', 'attend'), fc.dictionary(keys, value), (kind, body) => {
        const r = parseCommit(body, facts(kind));
        if (r.ok) {
          if (kind === 'shift') expect(r.value.windowId).toBe(W);
          if (kind === 'money') expect(r.value.amountMinor).toBeGreaterThan(0);
          if (kind === 'supplies') expect(r.value.quantity).toBeGreaterThan(0);
        } else {
          expect(Object.keys(r.errors).length + r.unknown.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('numbers people type', () => {
  it('reads hours to the minute and money to the minor unit', () => {
    expect(hours().parse('2.5')).toEqual({ ok: true, value: 150 });
    expect(hours().parse('0,25')).toEqual({ ok: true, value: 15 });
    expect(hours().parse('')).toEqual({ ok: true, value: null });
    expect(hours().parse('-1').ok).toBe(false);
    expect(hours().parse('1001').ok).toBe(false);
    expect(money('JPY').parse('500')).toEqual({ ok: true, value: 500 });
    expect(money('JPY').parse('5.5').ok).toBe(false);
    expect(money('EUR').parse('5.555').ok).toBe(false);
    expect(currencyDigits('EUR')).toBe(2);
  });

  it('round-trips any amount of cents (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (cents) => {
        expect(money('EUR').parse((cents / 100).toFixed(2))).toEqual({ ok: true, value: cents });
      }),
    );
  });
});

describe('confirmation forms', () => {
  it('asks for the numbers of the kind', () => {
    expect(parseConfirm({ outcome: 'done', hours: '3' }, 'shift', null)).toMatchObject({ ok: true, value: { outcome: 'done', minutes: 180 } });
    expect(parseConfirm({ outcome: 'done', amount: '3' }, 'shift', null).ok).toBe(false);
    expect(parseConfirm({ outcome: 'partly_done', quantity: '2' }, 'supplies', null)).toMatchObject({ ok: true, value: { quantity: 2 } });
    expect(parseConfirm({ outcome: 'maybe' }, 'advocacy', null).ok).toBe(false);
  });

  it('confirms in bulk only the listed commitments, leaving empty ones for later (property)', () => {
    const ids = [W, I];
    fc.assert(
      fc.property(fc.constantFrom('', 'done', 'missed', 'bogus'), fc.constantFrom('', 'done', 'partly_done'), fc.boolean(), (a, b, stray) => {
        const body: Record<string, string> = { [`${W}.outcome`]: a, [`${I}.outcome`]: b, [`${W}.hours`]: '1' };
        if (stray) body[`${C}.outcome`] = 'done';
        const r = parseBulkConfirm(body, ids, 'shift', null);
        if (a === 'bogus' || stray) expect(r.ok).toBe(false);
        else if (r.ok) expect(r.value.map((e) => e.id)).toEqual(ids.filter((id) => (id === W ? a : b) !== ''));
      }),
    );
  });
});
