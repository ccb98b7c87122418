import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, formatUtc, writeCalendar, type CalendarEvent } from './ical.js';

/** Unfolds content lines the way a calendar app does (RFC 5545 §3.1). */
function unfold(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).replace(/\r\n[ \t]/g, '').split('\r\n');
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Each event's properties, by name (first value wins). */
function events(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | undefined;
  for (const line of unfold(text)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (name === 'BEGIN' && value === 'VEVENT') current = {};
    else if (name === 'END' && value === 'VEVENT') {
      out.push(current!);
      current = undefined;
    } else if (current && !(name in current)) current[name] = value;
  }
  return out;
}

// What a TEXT value may carry after writing: line breaks as \n, no other control character.
// eslint-disable-next-line no-control-regex
const normalise = (s: string) => s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');

const event = (summary: string, extra: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: 'window-1@alongside.test',
  stamp: new Date('2026-03-01T10:00:00Z'),
  start: new Date('2026-03-15T18:00:00Z'),
  end: new Date('2026-03-15T21:30:00Z'),
  summary,
  ...extra,
});

describe('iCalendar writer', () => {
  it('escapes backslash, semicolon, comma and line breaks in TEXT', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(escapeText('bell\u0007 tab\t')).toBe('bell tab\t');
  });

  it('folds at 75 octets without splitting a character', () => {
    const line = `SUMMARY:${'é'.repeat(80)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('writes UTC times with Z', () => {
    expect(formatUtc(new Date('2026-03-15T18:05:09.123Z'))).toBe('20260315T180509Z');
  });

  it('writes a calendar with CRLF line ends, the required properties and optional ones only when given', () => {
    const text = writeCalendar({ name: 'Pantry, crew', events: [event('Sort food', { end: null, location: 'Online', url: 'https://x.test/asks/1' })] });
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(text).toContain('X-WR-CALNAME:Pantry\\, crew\r\n');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const [e] = events(text);
    expect(e).toMatchObject({ UID: 'window-1@alongside.test', DTSTAMP: '20260301T100000Z', DTSTART: '20260315T180000Z', SUMMARY: 'Sort food', LOCATION: 'Online', URL: 'https://x.test/asks/1', STATUS: 'CONFIRMED' });
    expect(e).not.toHaveProperty('DTEND');
    expect(e).not.toHaveProperty('DESCRIPTION');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('gives back the same text when parsed, with every line within 75 octets and ending in CRLF', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (summary, description) => {
        const text = writeCalendar({ name: summary, events: [event(summary, { description, location: description })] });
        for (const line of text.slice(0, -2).split('\r\n')) {
          expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
          expect(line).not.toMatch(/[\r\n]/);
        }
        const [e] = events(text);
        expect(unescapeText(e!.SUMMARY!)).toBe(normalise(summary));
        if (normalise(description)) {
          expect(unescapeText(e!.DESCRIPTION!)).toBe(normalise(description));
          expect(unescapeText(e!.LOCATION!)).toBe(normalise(description));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps lone surrogates and astral characters whole across folds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 70, maxLength: 200 }), (value) => {
        const folded = foldLine(`X:${value}`);
        expect(folded.replace(/\r\n /g, '')).toBe(`X:${value}`);
      }),
    );
  });
});
