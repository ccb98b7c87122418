-- Discovery: full-text search in the ask's own language, the times an ask happens, and when a
-- community last had support confirmed (the feed lifts communities nobody has helped lately).

-- English and Spanish asks are stemmed in their language; any other language is matched word for word.
alter table asks
  add column search_vector tsvector generated always as (
    setweight(to_tsvector(case language when 'en' then 'english'::regconfig when 'es' then 'spanish'::regconfig else 'simple'::regconfig end, title), 'A')
    || setweight(to_tsvector(case language when 'en' then 'english'::regconfig when 'es' then 'spanish'::regconfig else 'simple'::regconfig end, description), 'B')
  ) stored,
  -- When the ask first happens and when it is over: a shift's first window start and last window
  -- end, an event's start and end; null for asks without times. Kept by the asks repository.
  add column first_starts_at timestamptz,
  add column last_ends_at timestamptz;

update asks a set
  first_starts_at = coalesce((select min(w.starts_at) from ask_windows w where w.ask_id = a.id), a.starts_at),
  last_ends_at = coalesce((select max(w.ends_at) from ask_windows w where w.ask_id = a.id), a.ends_at, a.starts_at);

-- Search and the feed only ever read open asks: every discovery index is partial on that.
create index asks_open_search on asks using gin (search_vector) where status = 'open';
create index asks_open_point on asks (area_lat, area_lon) where status = 'open' and area_lat is not null;
create index asks_open_starts on asks (first_starts_at, id) where status = 'open';
create index asks_open_online on asks (published_at desc, id) where status = 'open' and online;
create index ask_skills_skill on ask_skills (skill, ask_id);
create index ask_languages_language on ask_languages (language, ask_id);

-- Kept by the commitments service when a commitment is confirmed done or partly done.
alter table communities add column last_confirmed_at timestamptz;

update communities c set last_confirmed_at = (
  select max(m.confirmed_at) from commitments m join asks a on a.id = m.ask_id
  where a.community_id = c.id and m.state in ('done', 'partly_done') and not m.self_reported
);
