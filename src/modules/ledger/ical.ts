/**
 * A small iCalendar (RFC 5545) writer: only what Alongside's feeds need (one VCALENDAR of VEVENTs).
 * Content lines end in CRLF and are folded at 75 octets without splitting a character; TEXT values
 * are escaped; times are written in UTC with a trailing Z, so no VTIMEZONE is needed.
 */

/** One event of a feed. */
export interface CalendarEvent {
  /** Globally unique and stable: the same window or event keeps it, so calendar apps update rather than duplicate. */
  uid: string;
  /** When this version of the event was last changed. */
  stamp: Date;
  start: Date;
  end: Date | null;
  summary: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  status?: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
}

/** A whole feed. */
export interface Calendar {
  name: string;
  events: CalendarEvent[];
}

const MAX_OCTETS = 75;

// Control characters are not allowed in TEXT (RFC 5545 §3.3.11), except the tab; line breaks are escaped.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A TEXT value: line breaks become `\n`; backslash, semicolon and comma are escaped; other control characters are dropped. */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/** A content line folded at 75 octets: each continuation starts with one space; a character's octets are never split. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // Continuation lines carry the leading space, which counts towards their 75 octets.
    const limit = parts.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** A UTC date-time value, e.g. 20260315T180000Z. */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function property(name: string, value: string): string {
  return `${foldLine(`${name}:${value}`)}\r\n`;
}

/** A URI value may not carry line breaks; anything else is written as given (URIs are not TEXT). */
function uri(value: string): string {
  return value.replace(/[\r\n]/g, '');
}

/** The whole feed as `text/calendar` content. */
export function writeCalendar(calendar: Calendar): string {
  let out = property('BEGIN', 'VCALENDAR');
  out += property('VERSION', '2.0');
  out += property('PRODID', '-//Alongside//Alongside//EN');
  out += property('CALSCALE', 'GREGORIAN');
  out += property('METHOD', 'PUBLISH');
  out += property('X-WR-CALNAME', escapeText(calendar.name));
  for (const event of calendar.events) {
    out += property('BEGIN', 'VEVENT');
    out += property('UID', escapeText(event.uid));
    out += property('DTSTAMP', formatUtc(event.stamp));
    out += property('DTSTART', formatUtc(event.start));
    if (event.end) out += property('DTEND', formatUtc(event.end));
    out += property('SUMMARY', escapeText(event.summary));
    if (event.description) out += property('DESCRIPTION', escapeText(event.description));
    if (event.location) out += property('LOCATION', escapeText(event.location));
    if (event.url) out += property('URL', uri(event.url));
    out += property('STATUS', event.status ?? 'CONFIRMED');
    out += property('END', 'VEVENT');
  }
  out += property('END', 'VCALENDAR');
  return out;
}
