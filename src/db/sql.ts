import { sql, type RawBuilder } from 'kysely';

/**
 * A timestamp column as UTC text to the microsecond (`2026-12-08T10:00:00.123456Z`): the sort value
 * a keyset cursor carries, exact where a JavaScript Date would lose the microseconds.
 */
export function utcText(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
