import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;

/** Table types of the database, kept in step with db/migrations by hand. */
export interface Database {
  schema_migrations: {
    id: string;
    checksum: string;
    applied_at: Timestamp;
  };
  users: {
    id: Generated<string>;
    email: string;
    email_normalized: string;
    display_name: string;
    password_hash: string;
    role: ColumnType<'user' | 'moderator' | 'admin', 'user' | 'moderator' | 'admin' | undefined>;
    locale: 'en' | 'es' | null;
    email_verified_at: Date | null;
    suspended_at: Date | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  sessions: {
    token_hash: string;
    user_id: string;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: RequiredTimestamp;
    device_hint: string | null;
  };
  jobs: {
    id: Generated<number>;
    kind: string;
    payload: Json;
    dedupe_key: string | null;
    state: ColumnType<'pending' | 'running' | 'done' | 'failed', 'pending' | undefined, 'pending' | 'running' | 'done' | 'failed'>;
    run_at: Timestamp;
    attempts: ColumnType<number, number | undefined, number>;
    max_attempts: ColumnType<number, number | undefined, number>;
    locked_by: string | null;
    locked_until: Date | null;
    last_error: string | null;
    created_at: Timestamp;
    finished_at: Date | null;
  };
  mail_outbox: {
    id: Generated<number>;
    job_id: number | null;
    to_address: string;
    subject: string;
    text_body: string;
    html_body: string | null;
    created_at: Timestamp;
  };
  audit_log: {
    id: Generated<number>;
    at: Timestamp;
    actor_id: string | null;
    action: string;
    subject_type: string | null;
    subject_id: string | null;
    request_id: string | null;
    details: Json;
  };
}
