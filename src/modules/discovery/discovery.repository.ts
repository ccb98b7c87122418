import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/client.js';
import type { AskKind } from '../asks/index.js';
import type { SearchCursor, SearchSort } from './search.form.js';
import { utcText } from '../../db/sql.js';

/** An open ask as a search result or feed item shows it: public fields only, never the exact place. */
export interface DiscoveredAsk {
  id: string;
  kind: AskKind;
  title: string;
  priority: 'urgent' | 'normal' | 'ongoing';
  language: string;
  online: boolean;
  areaLabel: string | null;
  locationSensitive: boolean;
  timeZone: string;
  firstStartsAt: Date | null;
  lastEndsAt: Date | null;
  publishedAt: Date;
  communityId: string;
  communitySlug: string;
  communityName: string;
  communityLastConfirmedAt: Date | null;
  /** From the point searched from (or the ally's home area) to the ask's public area, in km; null for online asks or without a point. */
  distanceKm: number | null;
  placesTotal: number | null;
  placesTaken: number | null;
  currency: string | null;
  skills: string[];
  languages: string[];
  /** The value the results were sorted by, for the next page's cursor. */
  sortValue: number | string | null;
}

export interface Point {
  lat: number;
  lon: number;
}

const EARTH_KM = 6371.0088;
const KM_PER_DEGREE = 111.195;
const SEPARATOR = '\u001f';

/** Great-circle distance (haversine) from a point to the ask's public area, in km; null without an area. */
function distance(point: Point): RawBuilder<number | null> {
  return sql<number | null>`(${EARTH_KM}::float8 * 2 * asin(least(1, sqrt(
    power(sin(radians(a.area_lat - ${point.lat}::float8) / 2), 2)
    + cos(radians(${point.lat}::float8)) * cos(radians(a.area_lat)) * power(sin(radians(a.area_lon - ${point.lon}::float8) / 2), 2)))))`;
}

/** In-person asks whose public area lies within `km` of the point: a box the index can use, then the exact distance. */
function within(point: Point, km: number, options: { boxOnly?: boolean } = {}): RawBuilder<boolean> {
  const dLat = km / KM_PER_DEGREE;
  const box = [sql`a.area_lat between ${point.lat - dLat}::float8 and ${point.lat + dLat}::float8`];
  const cosLat = Math.cos((point.lat * Math.PI) / 180);
  const dLon = cosLat > 0.01 ? km / (KM_PER_DEGREE * cosLat) : 360;
  // Near the poles or across the date line the longitude range wraps: the exact distance alone decides.
  const lonBox = point.lon - dLon >= -180 && point.lon + dLon <= 180;
  if (lonBox) box.push(sql`a.area_lon between ${point.lon - dLon}::float8 and ${point.lon + dLon}::float8`);
  // The box alone (a superset) when the caller applies the exact distance to fewer rows later.
  const exact = options.boxOnly && lonBox ? [] : [sql`${distance(point)} <= ${km}::float8`];
  return sql<boolean>`(not a.online and a.area_lat is not null and ${sql.join([...box, ...exact], sql` and `)})`;
}

/** The text-search configuration of an ask's language, as the generated search vector uses it. */
const CONFIGS = [
  { language: 'en', config: 'english' },
  { language: 'es', config: 'spanish' },
] as const;

/** The ask matches the words, each ask read in its own language's dictionary. */
function textMatch(text: string): RawBuilder<boolean> {
  const known = CONFIGS.map(({ language, config }) => sql`(a.language = ${language} and a.search_vector @@ websearch_to_tsquery(${sql.lit(config)}::regconfig, ${text}))`);
  const other = sql`(a.language not in ('en', 'es') and a.search_vector @@ websearch_to_tsquery('simple'::regconfig, ${text}))`;
  return sql<boolean>`(${sql.join([...known, other], sql` or `)})`;
}

/** How well the ask matches the words (title words weigh more than description words). */
function textRank(text: string): RawBuilder<number> {
  return sql<number>`ts_rank(a.search_vector, case a.language
    when 'en' then websearch_to_tsquery('english'::regconfig, ${text})
    when 'es' then websearch_to_tsquery('spanish'::regconfig, ${text})
    else websearch_to_tsquery('simple'::regconfig, ${text}) end)::float8`;
}

/** Conditions every discovered ask meets: open, of a verified community, not over, not of a community that blocked the viewer. */
function visible(viewerId: string | null): RawBuilder<boolean>[] {
  const conditions = [sql<boolean>`a.status = 'open'`, sql<boolean>`c.status = 'verified'`, sql<boolean>`(a.last_ends_at is null or a.last_ends_at > now())`];
  if (viewerId) conditions.push(sql<boolean>`not exists (select 1 from community_blocks b where b.community_id = a.community_id and b.user_id = ${viewerId}::uuid)`);
  return conditions;
}

/** The columns of a discovered ask; `point` gives distances, `sortValue` the value sorted by. */
function summaryColumns(point: Point | null, sortValue: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`a.id, a.kind, a.title, a.priority, a.language, a.online, a.area_label as "areaLabel",
    a.location_sensitive as "locationSensitive", a.time_zone as "timeZone",
    a.first_starts_at as "firstStartsAt", a.last_ends_at as "lastEndsAt", a.published_at as "publishedAt",
    a.community_id as "communityId", c.slug as "communitySlug", c.name as "communityName", c.last_confirmed_at as "communityLastConfirmedAt",
    ${point ? sql`case when a.online then null else ${distance(point)} end` : sql`null::float8`} as "distanceKm",
    ${sortValue} as "sortValue", a.currency, a.capacity, a.money_goal_minor, a.pledged, a.promised_quantity, a.promised_amount_minor, a.starts_at, a.ends_at`;
}

/**
 * Places (slots, seats, items, money) and how much of them is promised, per kind: read from the
 * tallies the database keeps on windows and asks (migration 0009), a shift's from its upcoming windows.
 */
const PLACES = sql`
  case h.kind
    when 'shift' then wt.slots
    when 'attend' then h.capacity
    when 'supplies' then (select sum(i.quantity) from ask_items i where i.ask_id = h.id)
    when 'money' then h.money_goal_minor
  end::float8 as "placesTotal",
  case h.kind
    when 'shift' then wt.pledged
    when 'attend' then h.pledged
    when 'supplies' then h.promised_quantity
    when 'money' then h.promised_amount_minor
  end::float8 as "placesTaken",
  array_to_string(array(select s.skill from ask_skills s where s.ask_id = h.id order by s.skill), ${SEPARATOR}) as "skillList",
  array_to_string(array(select l.language from ask_languages l where l.ask_id = h.id order by l.language), ${SEPARATOR}) as "languageList"`;

/** The two place columns of PLACES alone, for the feed's candidates. */
const PLACES_NUMBERS = sql`
  case h.kind when 'shift' then wt.slots when 'attend' then h.capacity when 'supplies' then (select sum(i.quantity) from ask_items i where i.ask_id = h.id) when 'money' then h.money_goal_minor end::float8 as "placesTotal",
  case h.kind when 'shift' then wt.pledged when 'attend' then h.pledged when 'supplies' then h.promised_quantity when 'money' then h.promised_amount_minor end::float8 as "placesTaken"`;

/** A shift's upcoming windows, added up, joined to each result. */
const WINDOW_TALLY = sql`left join lateral (
    select sum(w.slots) as slots, sum(w.pledged) as pledged from ask_windows w where w.ask_id = h.id and w.ends_at > now()
  ) wt on h.kind = 'shift'`;

type RawDiscovered = Omit<DiscoveredAsk, 'skills' | 'languages'> & {
  skillList: string;
  languageList: string;
  capacity: unknown;
  money_goal_minor: unknown;
  pledged: unknown;
  promised_quantity: unknown;
  promised_amount_minor: unknown;
  starts_at: unknown;
  ends_at: unknown;
};

function normalise(row: RawDiscovered): DiscoveredAsk {
  const { skillList, languageList, capacity: _capacity, money_goal_minor: _goal, pledged: _pledged, promised_quantity: _quantity, promised_amount_minor: _amount, starts_at: _start, ends_at: _end, ...rest } = row;
  const languages = languageList === '' ? [] : languageList.split(SEPARATOR);
  return {
    ...rest,
    distanceKm: rest.distanceKm === null ? null : Number(rest.distanceKm),
    placesTotal: rest.placesTotal === null ? null : Number(rest.placesTotal),
    placesTaken: rest.placesTaken === null ? null : Number(rest.placesTaken),
    sortValue: typeof rest.sortValue === 'string' || rest.sortValue === null ? rest.sortValue : Number(rest.sortValue),
    skills: skillList === '' ? [] : skillList.split(SEPARATOR),
    languages: languages.includes(rest.language) ? languages : [rest.language, ...languages],
  };
}

export interface SearchFilters {
  viewerId: string | null;
  text: string | null;
  kinds: AskKind[];
  skill: string | null;
  language: string | null;
  from: Date | null;
  /** The first instant after the range. */
  until: Date | null;
  online: 'only' | 'exclude' | null;
  tag: string | null;
  point: Point | null;
  withinKm: number;
  sort: SearchSort;
  after: SearchCursor | null;
  limit: number;
}

/**
 * With a common word and nothing else to narrow it, tens of thousands of asks can match; relevance
 * ranks at most this many of them (found through the text index), so that a search costs the same
 * whatever the word. Any other filter (a place, a kind, dates…) that narrows the matches below it
 * gives the exact order.
 */
export const RANKED_MAX = 200;

/** One page of open asks matching the filters, in the order asked for, and one more if there is a next page. */
export async function searchAsks(db: Executor, f: SearchFilters): Promise<DiscoveredAsk[]> {
  // What the ask itself must be: decided in the inner query, which relevance bounds.
  const matching = [sql<boolean>`a.status = 'open'`, sql<boolean>`(a.last_ends_at is null or a.last_ends_at > now())`];
  if (f.text) matching.push(textMatch(f.text));
  if (f.kinds.length > 0) matching.push(sql<boolean>`a.kind in (${sql.join(f.kinds)})`);
  if (f.skill) matching.push(sql<boolean>`exists (select 1 from ask_skills s where s.ask_id = a.id and s.skill = ${f.skill})`);
  if (f.language) matching.push(sql<boolean>`(a.language = ${f.language} or exists (select 1 from ask_languages l where l.ask_id = a.id and l.language = ${f.language}))`);
  if (f.from) matching.push(sql<boolean>`coalesce(a.last_ends_at, a.first_starts_at) >= ${f.from}::timestamptz`);
  if (f.until) matching.push(sql<boolean>`a.first_starts_at < ${f.until}::timestamptz`);
  if (f.tag) matching.push(sql<boolean>`exists (select 1 from community_tags t where t.community_id = a.community_id and lower(t.tag) = lower(${f.tag}))`);
  // Online asks are found with "only online"; a place means asks in person within the distance.
  const point = f.online === 'only' ? null : f.point;
  if (f.online === 'only') matching.push(sql<boolean>`a.online`);
  else if (point) matching.push(within(point, f.withinKm));
  else if (f.online === 'exclude') matching.push(sql<boolean>`not a.online`);

  // Who may see it: a verified community that has not blocked the viewer, and after the cursor.
  const shown = [sql<boolean>`c.status = 'verified'`];
  if (f.viewerId) shown.push(sql<boolean>`not exists (select 1 from community_blocks b where b.community_id = a.community_id and b.user_id = ${f.viewerId}::uuid)`);

  let sortValue: RawBuilder<unknown>;
  let order: RawBuilder<unknown>;
  const { after } = f;
  const byRelevance = f.sort === 'relevance' && f.text !== null;
  if (byRelevance) {
    const rank = textRank(f.text!);
    sortValue = rank;
    order = sql`${rank} desc, a.id`;
    if (after) shown.push(sql<boolean>`(${rank} < ${after.value}::float8 or (${rank} = ${after.value}::float8 and a.id > ${after.id}::uuid))`);
  } else {
    const byDistance = f.sort === 'distance' && point !== null;
    const expr = byDistance ? distance(point!) : sql`a.first_starts_at`;
    sortValue = byDistance ? expr : utcText('a.first_starts_at');
    order = sql`${expr} asc nulls last, a.id`;
    const cast = byDistance ? sql`::float8` : sql`::timestamptz`;
    if (after && after.value !== null) shown.push(sql<boolean>`(${expr} > ${after.value}${cast} or (${expr} = ${after.value}${cast} and a.id > ${after.id}::uuid) or ${expr} is null)`);
    else if (after) shown.push(sql<boolean>`(${expr} is null and a.id > ${after.id}::uuid)`);
  }

  // Relevance ranks a bounded set of matches (the cursor applies after the bound, so pages stay consistent).
  const candidates = sql`(select a.* from asks a where ${sql.join(matching, sql` and `)}${byRelevance ? sql` limit ${RANKED_MAX}` : sql``})`;
  const result = await sql<RawDiscovered>`
    select h.*, ${PLACES}
    from (
      select ${summaryColumns(point, sortValue)}
      from ${candidates} a join communities c on c.id = a.community_id
      where ${sql.join(shown, sql` and `)}
      order by ${order}
      limit ${f.limit + 1}
    ) h
    ${WINDOW_TALLY}
    order by h."sortValue" ${byRelevance ? sql`desc` : sql`asc nulls last`}, h.id`.execute(db);
  return result.rows.map(normalise);
}

/** At most this many asks near the ally and this many online ones are ranked for the feed. */
export const LOCAL_CANDIDATES = 120;
export const ONLINE_CANDIDATES = 60;

/** What the feed ranks an ask by: no text, and times as milliseconds (cheap to send and read for many asks). */
export interface FeedCandidateRow {
  id: string;
  communityId: string;
  kind: AskKind;
  priority: 'urgent' | 'normal' | 'ongoing';
  online: boolean;
  locationSensitive: boolean;
  timeZone: string;
  distanceKm: number | null;
  placesTotal: number | null;
  placesTaken: number | null;
  publishedMs: number;
  lastConfirmedMs: number | null;
  skills: string[];
  languages: string[];
  /** Up to three upcoming times, [start, end] in milliseconds. */
  times: Array<[number, number]>;
}

/**
 * The open asks the feed ranks for an ally: in-person asks within their travel radius of their home
 * area (the soonest first), and online asks in a language they speak (the newest first). Only what
 * ranking needs is read; the page's asks are then read in full with `asksByIds`.
 */
export async function feedCandidates(
  db: Executor,
  ally: { id: string; point: Point | null; radiusKm: number; languages: string[] },
): Promise<FeedCandidateRow[]> {
  // Nobody is offered the asks of a community they organize: they are the ones asking.
  const base = [...visible(ally.id), sql<boolean>`not exists (select 1 from memberships m where m.community_id = a.community_id and m.user_id = ${ally.id}::uuid and m.role = 'organizer')`];
  const queries: Array<Promise<FeedCandidateRow[]>> = [];
  const run = async (from: RawBuilder<unknown>, conditions: RawBuilder<boolean>[], order: RawBuilder<unknown>, limit: number) => {
    const result = await sql<FeedCandidateRow & { language: string }>`
      select h.id, h."communityId", h.kind, h.priority, h.online, h."locationSensitive", h."timeZone", h.language, h."distanceKm",
        (extract(epoch from h."publishedAt") * 1000)::float8 as "publishedMs",
        (extract(epoch from h."communityLastConfirmedAt") * 1000)::float8 as "lastConfirmedMs",
        ${PLACES_NUMBERS},
        array(select s.skill from ask_skills s where s.ask_id = h.id order by s.skill) as skills,
        array(select l.language from ask_languages l where l.ask_id = h.id order by l.language) as languages,
        case h.kind
          when 'shift' then (
            select coalesce(json_agg(json_build_array(extract(epoch from x.starts_at) * 1000, extract(epoch from x.ends_at) * 1000) order by x.starts_at), '[]'::json)
            from (select w.starts_at, w.ends_at from ask_windows w where w.ask_id = h.id and w.ends_at > now() order by w.starts_at limit 3) x)
          when 'attend' then json_build_array(json_build_array(extract(epoch from h.starts_at) * 1000, extract(epoch from coalesce(h.ends_at, h.starts_at + interval '2 hours')) * 1000))
          else '[]'::json
        end as times
      from (
        select ${summaryColumns(ally.point, sql`null`)}
        from ${from} join communities c on c.id = a.community_id
        where ${sql.join(conditions, sql` and `)}
        order by ${order}
        limit ${limit}
      ) h
      ${WINDOW_TALLY}`.execute(db);
    return result.rows.map(({ language, ...row }) => ({
      ...row,
      distanceKm: row.distanceKm === null ? null : Number(row.distanceKm),
      placesTotal: row.placesTotal === null ? null : Number(row.placesTotal),
      placesTaken: row.placesTaken === null ? null : Number(row.placesTaken),
      languages: row.languages.includes(language) ? row.languages : [language, ...row.languages],
      times: row.times.map(([start, end]) => [Number(start), Number(end)] as [number, number]),
    }));
  };
  if (ally.point) {
    // The asks within the radius are picked from the covering place index alone (a big city holds
    // thousands); only the soonest are then read. A margin covers picks a community hides.
    const soonest = sql`a.first_starts_at asc nulls last, a.id`;
    const picked = sql`(
      select a.id from asks a
      where a.status = 'open' and (a.last_ends_at is null or a.last_ends_at > now()) and ${within(ally.point, ally.radiusKm, { boxOnly: true })}
      order by ${soonest}
      limit ${Math.ceil(LOCAL_CANDIDATES * 1.5)}
    ) pick join asks a on a.id = pick.id`;
    queries.push(run(picked, [...base, within(ally.point, ally.radiusKm)], soonest, LOCAL_CANDIDATES));
  }
  const speaks =
    ally.languages.length > 0
      ? [sql<boolean>`(a.language in (${sql.join(ally.languages)}) or exists (select 1 from ask_languages l where l.ask_id = a.id and l.language in (${sql.join(ally.languages)})))`]
      : [];
  queries.push(run(sql`asks a`, [...base, sql<boolean>`a.online`, ...speaks], sql`a.published_at desc, a.id`, ONLINE_CANDIDATES));
  return (await Promise.all(queries)).flat();
}

/** These open asks in full, as a result list shows them, with distances from the point (in any order). */
export async function asksByIds(db: Executor, ids: string[], point: Point | null): Promise<DiscoveredAsk[]> {
  if (ids.length === 0) return [];
  const result = await sql<RawDiscovered>`
    select h.*, ${PLACES}
    from (
      select ${summaryColumns(point, sql`null`)}
      from asks a join communities c on c.id = a.community_id
      where a.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))})
    ) h
    ${WINDOW_TALLY}`.execute(db);
  return result.rows.map(normalise);
}

/** The asks the person already has a live commitment to (pledged or in line): the feed does not suggest them again. */
export async function committedAskIds(db: Executor, userId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('commitments').select('ask_id').distinct().where('user_id', '=', userId).where('state', 'in', ['pledged', 'waitlisted']).execute();
  return new Set(rows.map((r) => r.ask_id));
}
