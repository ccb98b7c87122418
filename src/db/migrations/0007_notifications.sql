-- Notifications: which mails each person wants. A missing row means the default, which is on:
-- people opt out per kind (from their account or a mail's unsubscribe link), never in.
create table notification_preferences (
  user_id uuid not null references users (id) on delete cascade,
  kind text not null check (kind in ('commitment_received', 'waitlist_promotion', 'shift_reminder', 'feedback_received', 'organizer_digest')),
  email boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, kind)
);
