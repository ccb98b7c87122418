-- Asks: what a community needs, published only by its organizers.

create table asks (
  id uuid primary key default gen_random_uuid(),
  community_id uuid not null references communities (id) on delete cascade,
  kind text not null check (kind in ('shift', 'skill', 'supplies', 'money', 'advocacy', 'attend')),
  title text not null check (char_length(title) between 2 and 140),
  -- Markdown as written; rendered through a sanitiser that lets no raw HTML through.
  description text not null default '' check (char_length(description) <= 10000),
  -- The language the ask is written in (for full-text search with the right dictionary).
  language text not null default 'en' check (language ~ '^[a-z]{2,3}$'),
  status text not null default 'draft' check (status in ('draft', 'open', 'paused', 'filled', 'closed')),
  priority text not null default 'normal' check (priority in ('urgent', 'normal', 'ongoing')),
  online boolean not null default false,
  -- Where, in public: a coarse area (a place of the shipped list and its rounded point) and a label.
  area_place_id text,
  area_label text check (char_length(area_label) <= 120),
  area_lat double precision check (area_lat between -90 and 90),
  area_lon double precision check (area_lon between -180 and 180),
  -- The exact place, shown only to allies whose commitment is accepted when the location is sensitive.
  location_detail text check (char_length(location_detail) <= 500),
  location_sensitive boolean not null default false,
  accessibility_notes text check (char_length(accessibility_notes) <= 1000),
  withdrawal_cutoff_hours integer not null default 24 check (withdrawal_cutoff_hours between 0 and 720),
  -- skill: what is delivered and about how long it takes.
  deliverable text check (char_length(deliverable) <= 1000),
  estimated_hours integer check (estimated_hours between 1 and 1000),
  -- money: a goal in minor units of a currency (ISO 4217).
  money_goal_minor bigint check (money_goal_minor > 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  -- advocacy: the action, its script and its target.
  advocacy_script text check (char_length(advocacy_script) <= 5000),
  advocacy_target text check (char_length(advocacy_target) <= 300),
  -- attend: when the event is and how many can come.
  starts_at timestamptz,
  ends_at timestamptz,
  capacity integer check (capacity between 1 and 100000),
  -- The IANA time zone the times were entered in, so that they are shown as the community meant them.
  time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64),
  -- Written by the community when it closes the ask.
  outcome_note text check (char_length(outcome_note) <= 2000),
  created_by uuid references users (id) on delete set null,
  published_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_at is null or starts_at is null or ends_at > starts_at),
  check (kind <> 'money' or (money_goal_minor is not null and currency is not null)),
  check (kind <> 'attend' or (starts_at is not null and capacity is not null)),
  check (kind <> 'advocacy' or advocacy_script is not null),
  check (status <> 'closed' or closed_at is not null)
);
create index asks_community on asks (community_id, status, created_at desc);
create index asks_open on asks (status, published_at desc) where status = 'open';

create table ask_skills (
  ask_id uuid not null references asks (id) on delete cascade,
  skill text not null check (char_length(skill) between 1 and 40),
  primary key (ask_id, skill)
);

create table ask_languages (
  ask_id uuid not null references asks (id) on delete cascade,
  language text not null check (language ~ '^[a-z]{2,3}$'),
  primary key (ask_id, language)
);

-- A shift's time windows, each with its own number of slots (commitments beyond them wait in line).
create table ask_windows (
  id uuid primary key default gen_random_uuid(),
  ask_id uuid not null references asks (id) on delete cascade,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  slots integer not null check (slots between 1 and 10000),
  check (ends_at > starts_at)
);
create index ask_windows_ask on ask_windows (ask_id, starts_at);

-- A supplies ask's items and quantities.
create table ask_items (
  id uuid primary key default gen_random_uuid(),
  ask_id uuid not null references asks (id) on delete cascade,
  label text not null check (char_length(label) between 1 and 120),
  quantity integer not null check (quantity between 1 and 1000000),
  unit text check (char_length(unit) <= 30),
  position integer not null default 0
);
create index ask_items_ask on ask_items (ask_id, position);
