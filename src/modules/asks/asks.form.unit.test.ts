import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenAskJson, parseAsk, parseDateTime, pointerFor, toLocalInput } from './asks.form.js';
import { majorUnits, toMinorUnits } from '../../platform/money.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const BASE = { title: 'A title', language: 'en', online: 'on' };

describe('parseDateTime with any input', () => {
  it('gives a time only for a real one, and the same instant Date would for it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 25 }), (year, month, day, hour) => {
        const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:30Z`;
        const parsed = parseDateTime(text, 'UTC');
        const real = month <= 12 && hour <= 23 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && day <= 31;
        if (real) expect(parsed?.toISOString()).toBe(new Date(text).toISOString());
        else expect(parsed).toBeUndefined();
      }),
    );
  });
});

describe('parseAsk', () => {
  it('parses each kind and ignores the fields of other kinds', () => {
    const result = parseAsk({ ...BASE, kind: 'money', moneyGoal: '10.5', currency: 'eur', deliverable: 'ignored', capacity: 'not a number' }, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ kind: 'money', moneyGoalMinor: 1050, currency: 'EUR', deliverable: null, capacity: null, priority: 'normal', withdrawalCutoffHours: 24, timeZone: 'UTC' });
  });

  it('requires each kind’s own fields', () => {
    const need: Record<string, string[]> = {
      skill: ['deliverable', 'estimatedHours'],
      money: ['moneyGoal', 'currency'],
      advocacy: ['advocacyScript', 'advocacyTarget'],
      attend: ['startsAt', 'capacity'],
      shift: ['window0Start'],
      supplies: ['item0Label'],
    };
    for (const [kind, fields] of Object.entries(need)) {
      const result = parseAsk({ ...BASE, kind }, NOW);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(Object.keys(result.errors).sort(), kind).toEqual([...fields].sort());
    }
  });

  it('wants windows ahead of now that end after they start', () => {
    const result = parseAsk({ ...BASE, kind: 'shift', window0Start: '2029-12-31T10:00', window0End: '2030-01-02T10:00', window0Slots: '2', window1Start: '2030-01-03T10:00', window1End: '2030-01-03T09:00', window1Slots: '2' }, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual({ window0Start: { key: 'asks.error.past' }, window1End: { key: 'asks.error.endBeforeStart' } });
  });

  it('keeps a saved window that has since passed', () => {
    const id = '11111111-1111-4111-8111-111111111111';
    const start = new Date('2029-12-31T10:00:00Z');
    const body = { ...BASE, kind: 'shift', window0Id: id, window0Start: '2029-12-31T10:00', window0End: '2029-12-31T12:00', window0Slots: '2' };
    expect(parseAsk(body, NOW).ok).toBe(false);
    expect(parseAsk(body, NOW, { windowStarts: new Map([[id, start.getTime()]]), startsAt: null }).ok).toBe(true);
  });

  it('needs a town unless the ask is online, and refuses unknown fields', () => {
    const result = parseAsk({ title: 'A title', language: 'en', kind: 'skill', deliverable: 'x', estimatedHours: '2', extra: '1' }, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.area).toEqual({ key: 'asks.error.whereRequired' });
      expect(result.unknown).toEqual(['extra']);
    }
  });

  it('never throws and never accepts what it reports as wrong, whatever arrives', () => {
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
    const names = fc.constantFrom('kind', 'title', 'description', 'language', 'timeZone', 'online', 'area', 'skills', 'languages', 'priority', 'withdrawalCutoffHours', 'moneyGoal', 'currency', 'startsAt', 'endsAt', 'capacity', 'window0Start', 'window0End', 'window0Slots', 'item0Label', 'item0Quantity', 'other', '__proto__');
    fc.assert(
      fc.property(fc.dictionary(names, value), (body) => {
        const result = parseAsk(body, NOW);
        if (result.ok) {
          expect(result.value.title.length).toBeGreaterThanOrEqual(2);
          expect(result.value.online || result.value.area !== null).toBe(true);
          for (const w of result.value.windows) expect(w.endsAt.getTime()).toBeGreaterThan(w.startsAt.getTime());
        } else {
          expect(Object.keys(result.errors).length + result.unknown.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('times and money', () => {
  it('reads wall-clock times in the given zone, across daylight saving changes', () => {
    expect(parseDateTime('2030-07-01T10:00', 'Europe/Madrid')?.toISOString()).toBe('2030-07-01T08:00:00.000Z');
    expect(parseDateTime('2030-01-15T10:00', 'Europe/Madrid')?.toISOString()).toBe('2030-01-15T09:00:00.000Z');
    expect(parseDateTime('2030-07-01T10:00:00Z', 'Europe/Madrid')?.toISOString()).toBe('2030-07-01T10:00:00.000Z');
    expect(parseDateTime('2030-02-30T10:00', 'UTC')).toBeUndefined();
    // With a zone given too: never rolled over into the next month or day.
    for (const impossible of ['2027-02-30T10:00Z', '2027-02-29T10:00:00+01:00', '2027-04-31T10:00Z', '2027-01-01T24:00Z', '2027-01-01T10:60Z', '2027-01-01T10:00+15:00'])
      expect(parseDateTime(impossible, 'UTC'), impossible).toBeUndefined();
    expect(parseDateTime('2028-02-29T10:00Z', 'UTC')?.toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(parseDateTime('tomorrow', 'UTC')).toBeUndefined();
  });

  it('shows a time back as it was typed', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), fc.constantFrom('UTC', 'Europe/Madrid', 'America/Mexico_City', 'Asia/Kolkata'), (date, zone) => {
        const minute = new Date(Math.floor(date.getTime() / 60000) * 60000);
        const local = toLocalInput(minute, zone);
        const back = parseDateTime(local, zone)!;
        // An hour skipped or repeated by a DST change may shift by that hour; everything else is exact.
        expect(Math.abs(back.getTime() - minute.getTime()) % 3600000).toBe(0);
        expect(toLocalInput(back, zone)).toBe(local);
      }),
    );
  });

  it('converts amounts to minor units of the currency and back', () => {
    expect(toMinorUnits('1250.5', 'EUR')).toBe(125050);
    expect(toMinorUnits('1000', 'JPY')).toBe(1000);
    expect(toMinorUnits('10.5', 'JPY')).toBeUndefined();
    expect(toMinorUnits('10.555', 'EUR')).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 11 }), fc.constantFrom('EUR', 'JPY', 'KWD'), (minor, currency) => {
        expect(toMinorUnits(majorUnits(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe('the JSON form of an ask', () => {
  it('flattens windows and items and points back at them', () => {
    const flat = flattenAskJson({ title: 'x', windows: [{ startsAt: 'a', endsAt: 'b', slots: 2, colour: 'red' }], windowRows: '3' })!;
    expect(flat).toMatchObject({ title: 'x', window0Start: 'a', window0End: 'b', window0Slots: 2, 'windows/0/colour': 'red', '/windowRows': '3' });
    expect(flat).not.toHaveProperty('windowRows');
    expect(pointerFor('window0End')).toBe('/windows/0/endsAt');
    expect(pointerFor('item3Quantity')).toBe('/items/3/quantity');
    expect(pointerFor('windows/0/colour')).toBe('/windows/0/colour');
    expect(pointerFor('title')).toBe('/title');
    expect(flattenAskJson({ windows: 'nope' })).toBeUndefined();
    expect(flattenAskJson({ items: [1] })).toBeUndefined();
  });
});
