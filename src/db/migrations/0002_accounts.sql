-- Accounts: profiles, e-mail tokens, the second factor, API tokens, deletion and shared rate limits.

alter table users
  add column pronouns text check (char_length(pronouns) <= 40),
  -- Optional, private to the person: never required, never shown to anyone else.
  add column identity_note text check (char_length(identity_note) <= 500),
  -- The home area is a place from the shipped list, kept as a coarse point: never an address.
  add column home_place_id text,
  add column home_area text check (char_length(home_area) <= 120),
  add column home_lat double precision check (home_lat between -90 and 90),
  add column home_lon double precision check (home_lon between -180 and 180),
  add column travel_radius_km integer check (travel_radius_km between 0 and 1000),
  add column weekly_capacity_hours integer check (weekly_capacity_hours between 0 and 80),
  add column rest_mode boolean not null default false,
  -- The TOTP secret is encrypted with a key derived from SECRET_KEY.
  add column totp_secret text,
  add column totp_enabled_at timestamptz,
  add column totp_last_step bigint,
  add column password_changed_at timestamptz;

create table user_languages (
  user_id uuid not null references users (id) on delete cascade,
  language text not null check (language ~ '^[a-z]{2,3}$'),
  primary key (user_id, language)
);

create table user_skills (
  user_id uuid not null references users (id) on delete cascade,
  skill text not null check (char_length(skill) between 1 and 40),
  primary key (user_id, skill)
);

create table user_availability (
  user_id uuid not null references users (id) on delete cascade,
  weekday smallint not null check (weekday between 0 and 6),
  part text not null check (part in ('morning', 'afternoon', 'evening')),
  primary key (user_id, weekday, part)
);

create table email_tokens (
  -- SHA-256 of the token in the link; the token itself is never stored.
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('verify_email', 'reset_password', 'change_email')),
  new_email text,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index email_tokens_user on email_tokens (user_id, purpose);

create table recovery_codes (
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- Password checked, second factor still to come.
create table login_challenges (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  next_path text not null default '/',
  attempts integer not null default 0,
  expires_at timestamptz not null
);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 60),
  token_hash text not null unique,
  -- 'write' includes 'read'.
  scope text not null check (scope in ('read', 'write')),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz
);
create index api_tokens_user on api_tokens (user_id);

-- Ids of deleted accounts, so that `alongside purge-deleted` can remove them again after a backup is restored.
create table deleted_users (
  user_id uuid primary key,
  deleted_at timestamptz not null default now()
);

-- Fixed-window counters shared by every app process. Keys are HMACs: no address or e-mail in clear.
create table rate_limits (
  bucket text not null,
  key_hash text not null,
  window_start timestamptz not null,
  hits integer not null check (hits >= 0),
  primary key (bucket, key_hash)
);
create index rate_limits_window on rate_limits (window_start);
