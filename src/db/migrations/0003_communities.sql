-- Communities: proposed by anyone, verified by instance moderators, led by their organizers.

create table communities (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$'),
  name text not null check (char_length(name) between 2 and 100),
  mission text not null check (char_length(mission) between 1 and 2000),
  -- A supporter group is led by allies: it can exist and support, but never publish asks.
  kind text not null default 'community' check (kind in ('community', 'supporter_group')),
  status text not null default 'pending' check (status in ('pending', 'verified', 'rejected', 'suspended')),
  how_to_help text check (char_length(how_to_help) <= 2000),
  online boolean not null default false,
  -- A coarse area: a place of the shipped list and its point rounded to two decimals.
  area_place_id text,
  area_label text check (char_length(area_label) <= 120),
  area_lat double precision check (area_lat between -90 and 90),
  area_lon double precision check (area_lon between -180 and 180),
  ledger_visibility text not null default 'public' check (ledger_visibility in ('public', 'members')),
  -- Questions the community asks people who request to join (at most five short texts).
  join_questions jsonb not null default '[]' check (jsonb_typeof(join_questions) = 'array'),
  proposed_by uuid references users (id) on delete set null,
  verified_at timestamptz,
  verified_by uuid references users (id) on delete set null,
  moderation_note text check (char_length(moderation_note) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (online or area_place_id is not null)
);
create index communities_status on communities (status, created_at desc);

-- Who leads the community and whom it serves: several tags each, since people hold intersecting identities.
create table community_tags (
  community_id uuid not null references communities (id) on delete cascade,
  kind text not null check (kind in ('led_by', 'serves')),
  tag text not null check (char_length(tag) between 1 and 60),
  primary key (community_id, kind, tag)
);
create index community_tags_tag on community_tags (tag);

create table community_languages (
  community_id uuid not null references communities (id) on delete cascade,
  language text not null check (language ~ '^[a-z]{2,3}$'),
  primary key (community_id, language)
);

-- Where money goes: links or instructions the community chose. No card processing.
create table donation_channels (
  id uuid primary key default gen_random_uuid(),
  community_id uuid not null references communities (id) on delete cascade,
  label text not null check (char_length(label) between 1 and 100),
  details text not null check (char_length(details) between 1 and 1000),
  position integer not null default 0
);
create index donation_channels_community on donation_channels (community_id, position);

-- Roles are per community: organizer, member, or ally (follows, no approval needed).
create table memberships (
  community_id uuid not null references communities (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('organizer', 'member', 'ally')),
  created_at timestamptz not null default now(),
  primary key (community_id, user_id)
);
create index memberships_user on memberships (user_id);
create index memberships_organizers on memberships (community_id) where role = 'organizer';

-- Single-use invitations to become a member.
create table community_invites (
  token_hash text primary key,
  community_id uuid not null references communities (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  expires_at timestamptz not null,
  used_at timestamptz,
  used_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index community_invites_community on community_invites (community_id);

create table join_requests (
  id uuid primary key default gen_random_uuid(),
  community_id uuid not null references communities (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- Answers to the community's questions, in order.
  answers jsonb not null default '[]' check (jsonb_typeof(answers) = 'array'),
  status text not null default 'pending' check (status in ('pending', 'approved', 'declined')),
  decided_by uuid references users (id) on delete set null,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index join_requests_one_pending on join_requests (community_id, user_id) where status = 'pending';

-- A blocked person sees nothing of the community and cannot join, follow or commit.
create table community_blocks (
  community_id uuid not null references communities (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  blocked_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (community_id, user_id)
);
