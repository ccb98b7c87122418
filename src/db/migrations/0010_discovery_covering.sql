-- The feed picks the asks within a person's travel radius from the place index alone (a big city
-- holds thousands of open asks), reading in full only the soonest: the index carries what the pick
-- needs.
drop index asks_open_point;
create index asks_open_point on asks (area_lat, area_lon) include (first_starts_at, last_ends_at, online, id) where status = 'open' and area_lat is not null;
