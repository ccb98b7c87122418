/** The journal's tables, added to the database's type where they are used: this module alone reads them. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

declare module '../../db/schema.js' {
  interface Database {
    journal_keys: { user_id: string; wrapped_key: string; created_at: Timestamp };
    journal_entries: { id: string; user_id: string; sealed: string; created_at: Timestamp; updated_at: Timestamp };
    journal_settings: { user_id: string; weekly_prompt: boolean; updated_at: Timestamp };
  }
}
