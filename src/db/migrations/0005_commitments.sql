-- Commitments: an ally's promise to an ask, which counts only once the community confirms it.

-- Waitlist order is taken from a sequence while the window (or ask) row is locked, so the order of
-- the line is exactly the order in which commits got the lock: first come, first promoted.
create sequence commitment_queue_seq;

create table commitments (
  id uuid primary key default gen_random_uuid(),
  ask_id uuid not null references asks (id) on delete cascade,
  -- A shift's window; null for every other kind, whose commitment is to the ask as a whole.
  -- A window people committed to cannot be deleted: their record would go with it.
  window_id uuid references ask_windows (id) on delete restrict,
  user_id uuid not null references users (id) on delete cascade,
  state text not null check (state in ('pledged', 'waitlisted', 'withdrawn', 'withdrawn_late', 'done', 'partly_done', 'missed')),
  queue_seq bigint not null default nextval('commitment_queue_seq'),
  -- What was promised: minutes of time (shift, event, skill estimate), a supplies item and quantity,
  -- or an amount of money to one of the community's channels (the label is kept, since a community
  -- rewrites its channels when it edits its page).
  planned_minutes integer check (planned_minutes between 0 and 60000),
  -- When the promised time falls, for the weekly capacity and the withdrawal cutoff.
  planned_for timestamptz not null default now(),
  item_id uuid references ask_items (id) on delete set null,
  quantity integer check (quantity between 1 and 1000000),
  amount_minor bigint check (amount_minor > 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  channel_id uuid references donation_channels (id) on delete set null,
  channel_label text check (char_length(channel_label) <= 100),
  -- What happened, as the community confirmed it (or, for advocacy, as the ally reported it).
  done_minutes integer check (done_minutes between 0 and 60000),
  done_amount_minor bigint check (done_amount_minor >= 0),
  done_quantity integer check (done_quantity between 0 and 1000000),
  outcome_line text check (char_length(outcome_line) <= 300),
  self_reported boolean not null default false,
  confirmed_by uuid references users (id) on delete set null,
  confirmed_at timestamptz,
  withdrawn_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((state in ('withdrawn', 'withdrawn_late')) = (withdrawn_at is not null)),
  check ((state in ('done', 'partly_done', 'missed')) = (confirmed_at is not null))
);
-- One live commitment per person per window (shifts) or per ask (every other kind). Two partial
-- indexes rather than one over coalesce(window_id, …): no made-up window id stands in for "none".
create unique index commitments_live_window on commitments (user_id, window_id) where window_id is not null and state in ('pledged', 'waitlisted');
create unique index commitments_live_ask on commitments (user_id, ask_id) where window_id is null and state in ('pledged', 'waitlisted');
create index commitments_ask on commitments (ask_id, state, queue_seq);
create index commitments_window on commitments (window_id, state, queue_seq) where window_id is not null;
create index commitments_user on commitments (user_id, planned_for);

-- A request's answer kept under the client's Idempotency-Key, so that a retry or a second click
-- gets the same answer instead of a second commitment. The fingerprint tells a retry from a reuse.
create table idempotency_keys (
  user_id uuid not null references users (id) on delete cascade,
  key text not null check (char_length(key) between 1 and 200),
  fingerprint text not null,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);

-- Private feedback from a community's organizers to an ally about one commitment.
create table commitment_feedback (
  id uuid primary key default gen_random_uuid(),
  commitment_id uuid not null references commitments (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('thanks', 'suggestion', 'concern')),
  body text not null check (char_length(body) between 1 and 2000),
  created_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  reply text check (char_length(reply) <= 2000),
  replied_at timestamptz,
  check (reply is null or acknowledged_at is not null)
);
create index commitment_feedback_commitment on commitment_feedback (commitment_id, created_at);
