-- Platform tables: people and their sessions, the job queue, the local mail outbox and the audit log.

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  email_normalized text not null unique,
  display_name text not null check (char_length(display_name) between 1 and 80),
  password_hash text not null,
  role text not null default 'user' check (role in ('user', 'moderator', 'admin')),
  locale text check (locale in ('en', 'es')),
  email_verified_at timestamptz,
  suspended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sessions (
  -- SHA-256 of the random token in the cookie; the token itself is never stored.
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  device_hint text
);
create index sessions_user_id on sessions (user_id);

create table jobs (
  id bigint generated always as identity primary key,
  kind text not null check (char_length(kind) between 1 and 100),
  payload jsonb not null default '{}',
  -- Enqueueing twice with the same key makes one job.
  dedupe_key text unique,
  state text not null default 'pending' check (state in ('pending', 'running', 'done', 'failed')),
  run_at timestamptz not null default now(),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 8 check (max_attempts between 1 and 100),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_due on jobs (run_at) where state = 'pending';
create index jobs_running on jobs (locked_until) where state = 'running';
create index jobs_failed on jobs (finished_at desc) where state = 'failed';

create table mail_outbox (
  id bigint generated always as identity primary key,
  job_id bigint unique,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  created_at timestamptz not null default now()
);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id uuid references users (id) on delete set null,
  action text not null,
  subject_type text,
  subject_id text,
  request_id text,
  details jsonb not null default '{}'
);
create index audit_log_at on audit_log (at desc);
