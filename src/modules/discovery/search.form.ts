import { isRealTimestamp } from '../../platform/pagination.js';
import { choice, fail, type Field, type FieldError, integer, many, ok, optionalText, parseForm } from '../../platform/forms.js';
import { ASK_KINDS, type AskKind } from '../asks/index.js';
import { isLanguageCode, isSkill } from '../profile/index.js';
import { UUID_PATTERN } from '../../platform/ids.js';

export const SORTS = ['relevance', 'date', 'distance'] as const;
export type SearchSort = (typeof SORTS)[number];
export const ONLINE_CHOICES = ['only', 'exclude'] as const;
export type OnlineChoice = (typeof ONLINE_CHOICES)[number];

export const QUERY_MAX = 200;
export const NEAR_MAX = 120;
export const TAG_MAX = 60;
export const WITHIN_MAX_KM = 1000;
export const DEFAULT_WITHIN_KM = 25;
export const PAGE_SIZE = 20;
export const API_LIMIT_MAX = 50;

/** A search as the address bar or the API carries it, checked. */
export interface SearchQuery {
  q: string | null;
  kinds: AskKind[];
  skill: string | null;
  language: string | null;
  /** Whole UTC days, inclusive. */
  from: string | null;
  to: string | null;
  online: OnlineChoice | null;
  tag: string | null;
  near: string | null;
  /** A place id of the shipped list, chosen when a name has several places. */
  place: string | null;
  withinKm: number;
  sort: SearchSort;
  /** Where the page starts: the cursor of the previous page's `next`. */
  cursor: string | null;
  /** The cursor came under its name of the previous release (`after`), which still works for one release. */
  legacyCursor: boolean;
  limit: number;
}

/** A calendar day, YYYY-MM-DD, that exists. */
function day(): Field<string | null> {
  return {
    parse(raw) {
      if (raw === undefined || raw === null || raw === '') return ok(null);
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return fail('discovery.error.date');
      const date = new Date(`${raw}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) return fail('discovery.error.date');
      return ok(raw);
    },
    echo: (raw) => (typeof raw === 'string' ? raw : ''),
  };
}

/** A code checked by a predicate (skills, languages). */
function code(check: (value: string) => boolean): Field<string | null> {
  return {
    parse(raw) {
      if (raw === undefined || raw === null || raw === '') return ok(null);
      if (typeof raw !== 'string') return fail('validation.invalid');
      const value = raw.trim().toLowerCase();
      return check(value) ? ok(value) : fail('validation.choice');
    },
    echo: (raw) => (typeof raw === 'string' ? raw : ''),
  };
}

/** An opaque cursor: its content is checked when it is used. */
const cursor: Field<string | null> = {
  parse(raw) {
    if (raw === undefined || raw === null || raw === '') return ok(null);
    if (typeof raw !== 'string' || raw.length > 300 || !/^[A-Za-z0-9_-]+$/.test(raw)) return fail('discovery.error.cursor');
    return ok(raw);
  },
};

const SHAPE = {
  q: optionalText({ max: QUERY_MAX }),
  kind: many(choice(ASK_KINDS), { max: ASK_KINDS.length }),
  skill: code(isSkill),
  language: code(isLanguageCode),
  from: day(),
  to: day(),
  online: choice(ONLINE_CHOICES, { required: false }),
  tag: optionalText({ max: TAG_MAX }),
  near: optionalText({ max: NEAR_MAX }),
  place: {
    parse: (raw: unknown) => (raw === undefined || raw === '' ? ok(null) : typeof raw === 'string' && /^\d{1,12}$/.test(raw) ? ok(raw) : fail('validation.invalid')),
  } satisfies Field<string | null>,
  within: integer({ min: 1, max: WITHIN_MAX_KM }),
  sort: choice(SORTS, { required: false }),
  cursor,
  // The previous release's name of `cursor`: accepted for one release.
  after: cursor,
  limit: integer({ min: 1, max: API_LIMIT_MAX }),
};

export type SearchField = keyof typeof SHAPE;
export const SEARCH_FIELDS = Object.keys(SHAPE) as SearchField[];

export type SearchParse =
  | { ok: true; query: SearchQuery }
  | { ok: false; errors: Partial<Record<SearchField, FieldError>>; unknown: string[]; echo: Partial<Record<SearchField, string | string[]>> };

/**
 * Reads a search from query-string parameters (the address of a results page is the search, so it
 * can be shared) or an API request. Every field is checked so that every problem can be shown at once.
 */
export function parseSearch(input: unknown): SearchParse {
  const parsed = parseForm(SHAPE, input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, unknown: parsed.unknown, echo: parsed.echo };
  const v = parsed.value;
  const errors: Partial<Record<SearchField, FieldError>> = {};
  if (v.from && v.to && v.to < v.from) errors.to = { key: 'discovery.error.range' };
  const hasPlace = v.near !== null || v.place !== null;
  if (v.sort === 'distance' && !hasPlace) errors.sort = { key: 'discovery.error.distanceNeedsPlace' };
  if (Object.keys(errors).length > 0) {
    const echo: Partial<Record<SearchField, string | string[]>> = {};
    const raw = (input ?? {}) as Record<string, unknown>;
    for (const name of SEARCH_FIELDS) {
      const value = raw[name];
      if (typeof value === 'string' || Array.isArray(value)) echo[name] = value as string | string[];
    }
    return { ok: false, errors, unknown: [], echo };
  }
  return {
    ok: true,
    query: {
      q: v.q,
      kinds: v.kind.filter((k): k is AskKind => k !== null),
      skill: v.skill,
      language: v.language,
      from: v.from,
      to: v.to,
      online: v.online,
      tag: v.tag,
      near: v.near,
      place: v.place,
      // A distance means nothing without a place to measure it from.
      withinKm: hasPlace ? (v.within ?? DEFAULT_WITHIN_KM) : DEFAULT_WITHIN_KM,
      sort: v.sort ?? (v.q ? 'relevance' : hasPlace ? 'distance' : 'date'),
      cursor: v.cursor ?? v.after,
      legacyCursor: v.cursor === null && v.after !== null,
      limit: v.limit ?? PAGE_SIZE,
    },
  };
}

/** The query string of a search (for "next page" and for links that change one thing), leaving defaults out. */
export function searchParams(query: SearchQuery, change: Partial<Record<SearchField, string | string[] | null>> = {}): string {
  const params = new URLSearchParams();
  const values: Record<string, string | string[] | null> = {
    q: query.q,
    kind: query.kinds,
    skill: query.skill,
    language: query.language,
    from: query.from,
    to: query.to,
    online: query.online,
    tag: query.tag,
    near: query.near,
    place: query.place,
    within: query.near || query.place ? String(query.withinKm) : null,
    sort: query.sort,
    ...change,
  };
  for (const [name, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) if (one !== '') params.append(name, one);
  }
  return params.toString();
}

/** The keyset position of a result: the value it was sorted by (null sorts last) and its id. */
export interface SearchCursor {
  value: number | string | null;
  id: string;
}

/** An opaque cursor for the position after a result, bound to the sort it was made for. */
export function encodeSearchCursor(sort: SearchSort, position: SearchCursor): string {
  return Buffer.from(JSON.stringify([sort, position.value, position.id]), 'utf8').toString('base64url');
}

/** The position in a cursor this server made for this sort, or undefined. Never throws. */
export function decodeSearchCursor(sort: SearchSort, cursor: string): SearchCursor | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [madeFor, value, id] = parsed as unknown[];
  if (madeFor !== sort || typeof id !== 'string' || !UUID_PATTERN.test(id)) return undefined;
  if (value === null) return { value: null, id };
  if (sort === 'date') return typeof value === 'string' && isRealTimestamp(value) ? { value, id } : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? { value, id } : undefined;
}
