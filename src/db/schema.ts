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
    pronouns: ColumnType<string | null, string | null | undefined, string | null>;
    identity_note: ColumnType<string | null, string | null | undefined, string | null>;
    home_place_id: ColumnType<string | null, string | null | undefined, string | null>;
    home_area: ColumnType<string | null, string | null | undefined, string | null>;
    home_lat: ColumnType<number | null, number | null | undefined, number | null>;
    home_lon: ColumnType<number | null, number | null | undefined, number | null>;
    travel_radius_km: ColumnType<number | null, number | null | undefined, number | null>;
    weekly_capacity_hours: ColumnType<number | null, number | null | undefined, number | null>;
    rest_mode: ColumnType<boolean, boolean | undefined, boolean>;
    totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
    totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
    password_changed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
  user_languages: { user_id: string; language: string };
  user_skills: { user_id: string; skill: string };
  user_availability: { user_id: string; weekday: number; part: 'morning' | 'afternoon' | 'evening' };
  email_tokens: {
    token_hash: string;
    user_id: string;
    purpose: 'verify_email' | 'reset_password' | 'change_email';
    new_email: string | null;
    expires_at: RequiredTimestamp;
    used_at: Date | null;
    created_at: Timestamp;
  };
  recovery_codes: { user_id: string; code_hash: string; used_at: Date | null };
  login_challenges: {
    token_hash: string;
    user_id: string;
    next_path: ColumnType<string, string | undefined, string>;
    attempts: ColumnType<number, number | undefined, number>;
    expires_at: RequiredTimestamp;
  };
  api_tokens: {
    id: Generated<string>;
    user_id: string;
    name: string;
    token_hash: string;
    scope: 'read' | 'write';
    created_at: Timestamp;
    last_used_at: Date | null;
    expires_at: Date | null;
  };
  deleted_users: { user_id: string; deleted_at: Timestamp };
  rate_limits: { bucket: string; key_hash: string; window_start: RequiredTimestamp; hits: number };
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
