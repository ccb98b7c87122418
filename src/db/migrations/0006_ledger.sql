-- An ally's private calendar feed: a secret address that lists their own pledged and waitlisted
-- commitments. Only a hash of the token is kept, so a copy of the database opens no feed; one feed
-- per person, and resetting it replaces the hash (the old address stops at once).
create table calendar_feeds (
  user_id uuid primary key references users (id) on delete cascade,
  token_hash text unique not null,
  created_at timestamptz not null default now()
);
