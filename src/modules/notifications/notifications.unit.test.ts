import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePreferencesForm, parsePreferencesJson } from './notifications.form.js';
import { NOTIFICATION_KINDS, unsubscribeQuery, verifyUnsubscribe, type NotificationKind } from './notifications.kinds.js';
import { digestDate, groupDigest, reminderRunAt } from './notifications.service.js';

const sign = (value: string) => createHmac('sha256', 'unit-test-key').update(value).digest('hex');
const otherSign = (value: string) => createHmac('sha256', 'another-key').update(value).digest('hex');
const U = '11111111-1111-4111-8111-111111111111';
const HOUR = 3_600_000;

describe('unsubscribe links', () => {
  it('verifies what it signed, for every person and kind', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...NOTIFICATION_KINDS), (userId, kind) => {
        const query = Object.fromEntries(new URLSearchParams(unsubscribeQuery(sign, userId, kind)));
        expect(verifyUnsubscribe(sign, query)).toEqual({ userId, kind });
        expect(verifyUnsubscribe(otherSign, query)).toBeUndefined();
      }),
    );
  });

  it('refuses a changed person, kind or signature, and malformed queries', () => {
    const query = Object.fromEntries(new URLSearchParams(unsubscribeQuery(sign, U, 'shift_reminder')));
    expect(verifyUnsubscribe(sign, { ...query, u: '22222222-2222-4222-8222-222222222222' })).toBeUndefined();
    expect(verifyUnsubscribe(sign, { ...query, k: 'organizer_digest' })).toBeUndefined();
    expect(verifyUnsubscribe(sign, { ...query, s: `${query.s!.slice(0, 63)}${query.s!.endsWith('0') ? '1' : '0'}` })).toBeUndefined();
    expect(verifyUnsubscribe(sign, { ...query, s: query.s!.slice(0, 10) })).toBeUndefined();
    expect(verifyUnsubscribe(sign, { ...query, k: 'everything' })).toBeUndefined();
    expect(verifyUnsubscribe(sign, { ...query, u: [U, U] })).toBeUndefined();
    expect(verifyUnsubscribe(sign, null)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('u', 'k', 's', 'x'), fc.oneof(fc.string(), fc.array(fc.string()), fc.integer())), (query) => {
        expect(verifyUnsubscribe(sign, query)).toBeUndefined();
      }),
    );
  });
});

describe('the preferences form and API body', () => {
  it('reads ticked boxes as on and absent ones as off', () => {
    fc.assert(
      fc.property(fc.subarray([...NOTIFICATION_KINDS]), (ticked) => {
        const result = parsePreferencesForm({ _csrf: 'x', ...Object.fromEntries(ticked.map((k) => [k, 'on'])) });
        expect(result.ok).toBe(true);
        if (result.ok) for (const k of NOTIFICATION_KINDS) expect(result.value[k]).toBe(ticked.includes(k));
      }),
    );
  });

  it('refuses unknown fields and repeated values', () => {
    const unknown = parsePreferencesForm({ shift_reminder: 'on', marketing: 'on' });
    expect(unknown.ok ? [] : unknown.unknown).toEqual(['marketing']);
    const repeated = parsePreferencesForm({ shift_reminder: ['on', 'on'] });
    expect(repeated.ok ? [] : Object.keys(repeated.errors)).toEqual(['shift_reminder']);
  });

  it('takes a full set of JSON booleans and nothing else', () => {
    const all = (v: unknown) => Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, v])) as Record<NotificationKind, unknown>;
    fc.assert(
      fc.property(fc.record(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, fc.boolean()])) as Record<NotificationKind, fc.Arbitrary<boolean>>), (body) => {
        const result = parsePreferencesJson(body);
        expect(result).toEqual({ ok: true, value: body });
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.boolean())), (value) => {
        const result = parsePreferencesJson(all(value));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual([...NOTIFICATION_KINDS].sort());
      }),
    );
    const partial = parsePreferencesJson({ shift_reminder: false });
    expect(partial.ok ? [] : Object.keys(partial.errors)).toHaveLength(NOTIFICATION_KINDS.length - 1);
    expect(parsePreferencesJson({ ...all(true), extra: true }).ok).toBe(false);
    expect(parsePreferencesJson('nonsense').ok).toBe(false);
  });
});

describe('reminder timing', () => {
  it('is a day before the start, now when less is left, never once started', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    expect(reminderRunAt(new Date(now.getTime() + 72 * HOUR), now)).toEqual(new Date(now.getTime() + 48 * HOUR));
    expect(reminderRunAt(new Date(now.getTime() + 3 * HOUR), now)).toEqual(now);
    expect(reminderRunAt(now, now)).toBeUndefined();
    expect(reminderRunAt(new Date(now.getTime() - HOUR), now)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 365 * 24 * 60 }), (minutes) => {
        const start = new Date(now.getTime() + minutes * 60_000);
        const at = reminderRunAt(start, now)!;
        expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(at.getTime()).toBeLessThan(start.getTime());
        expect(start.getTime() - at.getTime()).toBeLessThanOrEqual(24 * HOUR);
      }),
    );
  });
});

describe('the organizer digest', () => {
  it('groups lines per organizer, then per community, in order', () => {
    const line = (organizerId: string, communityId: string, askId: string) => ({ organizerId, communityId, communityName: communityId.toUpperCase(), askId, askTitle: askId, waiting: 1 });
    const grouped = groupDigest([line('o1', 'a', 'x'), line('o1', 'a', 'y'), line('o1', 'b', 'z'), line('o2', 'a', 'x')]);
    expect([...grouped.keys()]).toEqual(['o1', 'o2']);
    expect(grouped.get('o1')!.map((c) => [c.communityName, c.asks.map((a) => a.askId)])).toEqual([
      ['A', ['x', 'y']],
      ['B', ['z']],
    ]);
    expect(grouped.get('o2')!).toHaveLength(1);
  });

  it('belongs to the UTC day', () => {
    expect(digestDate(new Date('2026-05-01T23:59:59Z'))).toBe('2026-05-01');
    expect(digestDate(new Date('2026-05-02T00:00:00Z'))).toBe('2026-05-02');
  });
});
