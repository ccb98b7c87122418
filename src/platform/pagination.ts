/**
 * One way to page through a list, in the API and on pages: an opaque keyset cursor (`cursor`), a
 * page size (`limit`, with a documented maximum), and the next page as a `Link: <…>; rel="next"`
 * header and a `next` URL in JSON (null on the last page). Nothing is capped silently: a list
 * either has a next page or has ended.
 *
 * A cursor is the sort values of the last row, bound to the list it was made for. Every value is
 * checked when it comes back (a date must be a real date, an id an id), so a forged or damaged
 * cursor is a 400 with a message, never a query the database refuses.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { UUID_PATTERN } from './ids.js';

/** The kinds of value a cursor may hold. */
export type CursorField = 'uuid' | 'timestamp' | 'int' | 'number' | 'text' | 'bool' | 'nullableNumber' | 'nullableTimestamp';

type ValueOf<F extends CursorField> = F extends 'uuid' | 'timestamp' | 'text'
  ? string
  : F extends 'int' | 'number'
    ? number
    : F extends 'bool'
      ? boolean
      : F extends 'nullableNumber'
        ? number | null
        : string | null;

export type CursorValues<S extends readonly CursorField[]> = { -readonly [K in keyof S]: S[K] extends CursorField ? ValueOf<S[K]> : never };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,1000}$/;

/** Whether the text is a UTC timestamp of a real moment (no 30 February, no hour 25). */
export function isRealTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function valid(field: CursorField, value: unknown): boolean {
  switch (field) {
    case 'uuid':
      return typeof value === 'string' && UUID_PATTERN.test(value);
    case 'timestamp':
      return typeof value === 'string' && isRealTimestamp(value);
    case 'nullableTimestamp':
      return value === null || (typeof value === 'string' && isRealTimestamp(value));
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'nullableNumber':
      return value === null || (typeof value === 'number' && Number.isFinite(value));
    case 'bool':
      return typeof value === 'boolean';
    case 'text':
      // eslint-disable-next-line no-control-regex
      return typeof value === 'string' && value.length <= 200 && !/[\u0000-\u001F\u007F]/.test(value);
  }
}

/** Makes and reads the cursors of one list. */
export interface CursorCodec<S extends readonly CursorField[]> {
  encode(values: CursorValues<S>): string;
  /** The values, or undefined when the cursor is not one this list made. Never throws. */
  decode(cursor: string): CursorValues<S> | undefined;
}

/** The cursor codec of a list named `list` whose rows are ordered by values of these kinds. */
export function cursorCodec<const S extends readonly CursorField[]>(list: string, shape: S): CursorCodec<S> {
  return {
    encode: (values) => Buffer.from(JSON.stringify([list, ...values]), 'utf8').toString('base64url'),
    decode(cursor) {
      if (!CURSOR_TEXT.test(cursor)) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== list) return undefined;
      const values = parsed.slice(1);
      return shape.every((field, i) => valid(field, values[i])) ? (values as CursorValues<S>) : undefined;
    },
  };
}

/** Page sizes: what a page shows unless asked, and the most it may be asked for. */
export interface PageSize {
  default: number;
  max: number;
}

/** The standard sizes of API lists. */
export const API_PAGE: PageSize = { default: 20, max: 100 };

/** A page asked for: how many rows, and after which (none for the first page). */
export interface PageRequest<V> {
  limit: number;
  after: V | undefined;
}

function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** An address of this release says a query name that the next release drops (RFC 9745). */
export function markDeprecated(reply: FastifyReply, replacement: string): void {
  // The moment the old names were deprecated: this release.
  reply.header('deprecation', '@1796688000');
  reply.header('link', `<${replacement}>; rel="successor-version"`);
}

/**
 * Reads `cursor` and `limit` from the query: a bad cursor or limit is a 400 naming the parameter.
 * `legacy` names a query parameter of an earlier release that still works for one release (it
 * carries the same cursor) and is answered with a `Deprecation` header.
 */
export function readPage<S extends readonly CursorField[]>(
  request: FastifyRequest,
  reply: FastifyReply,
  codec: CursorCodec<S>,
  size: PageSize,
  options: { legacy?: string } = {},
): PageRequest<CursorValues<S>> {
  const query = queryOf(request);
  let raw = query.cursor;
  if ((raw === undefined || raw === '') && options.legacy && query[options.legacy] !== undefined && query[options.legacy] !== '') {
    raw = query[options.legacy];
    markDeprecated(reply, nextUrl(request, typeof raw === 'string' ? raw : null, options.legacy) ?? request.url);
  }
  let after: CursorValues<S> | undefined;
  if (raw !== undefined && raw !== '') {
    after = typeof raw === 'string' ? codec.decode(raw) : undefined;
    if (!after) throw new HttpError(400, 'bad_request', 'bad cursor', [{ pointer: '/cursor', key: 'validation.cursor' }]);
  }
  let limit = size.default;
  const rawLimit = query.limit;
  if (rawLimit !== undefined && rawLimit !== '') {
    limit = typeof rawLimit === 'string' && /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : 0;
    if (limit < 1 || limit > size.max) throw new HttpError(400, 'bad_request', 'bad limit', [{ pointer: '/limit', key: 'validation.limit', values: { max: size.max } }]);
  }
  return { limit, after };
}

/** The address of the next page: this request's path and query with `cursor` set (and a legacy name dropped); null at the end. */
export function nextUrl(request: FastifyRequest, cursor: string | null, legacy?: string): string | null {
  if (cursor === null) return null;
  const url = new URL(request.url, 'http://x');
  url.searchParams.delete('cursor');
  if (legacy) url.searchParams.delete(legacy);
  url.searchParams.append('cursor', cursor);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/**
 * One page of rows, read with one more than asked: the rows to show, and the next page's address
 * (also sent as `Link: <…>; rel="next"`).
 */
export function pageOf<R>(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: readonly R[],
  limit: number,
  cursorOf: (last: R) => string,
  options: { legacy?: string } = {},
): { items: R[]; next: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next = rows.length > limit && last !== undefined ? nextUrl(request, cursorOf(last), options.legacy) : null;
  if (next) reply.header('link', [reply.getHeader('link'), `<${next}>; rel="next"`].filter(Boolean).join(', '));
  return { items, next };
}
