-- Browsers that signed in to an account before. A flood of wrong passwords from elsewhere stops
-- sign-in to the account for an hour, except from these: the owner is not locked out by strangers.
-- Only a SHA-256 of the cookie's random value is kept.
create table known_devices (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now()
);
create index known_devices_user on known_devices (user_id);
