-- The private reflection journal. Nothing here is readable without the instance's SECRET_KEY and
-- the person's own data key: each person's key is stored wrapped (AES-256-GCM under a key derived
-- from SECRET_KEY, bound to the person), and each entry is sealed with that key, bound to the person
-- and the entry. No column holds text a search could read; nothing is indexed but the owner and date.
create table journal_keys (
  user_id uuid primary key references users (id) on delete cascade,
  wrapped_key text not null,
  created_at timestamptz not null default now()
);

create table journal_entries (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  -- Title, text, the prompt it answers and the moment it is about, sealed together.
  sealed text not null check (char_length(sealed) <= 60000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index journal_entries_user on journal_entries (user_id, created_at desc, id desc);

create table journal_settings (
  user_id uuid primary key references users (id) on delete cascade,
  weekly_prompt boolean not null default false,
  updated_at timestamptz not null default now()
);
