import type { Db } from '../../db/client.js';
import type { FieldError } from '../../platform/forms.js';
import type { Translator } from '../../platform/i18n.js';
import type { Viewer } from '../../platform/views/render.js';
import { getProfile, placeById, placeLabel, resolvePlace, skillLabelKey, type Place, type PlaceResolution, type SkillCode } from '../profile/index.js';
import { isSkill } from '../profile/index.js';
import * as repo from './discovery.repository.js';
import type { DiscoveredAsk } from './discovery.repository.js';
import { buildFeed, FEED_PAGE_SIZE, type AllyFit, type FeedCandidate, type Reason } from './feed.policy.js';
import { decodeSearchCursor, encodeSearchCursor, type SearchQuery, type SearchSort } from './search.form.js';

export type { DiscoveredAsk } from './discovery.repository.js';

/** Without a travel radius in the profile, the feed looks this far around the home area. */
export const DEFAULT_RADIUS_KM = 25;
/** The feed ranks at most this many pages. */
export const FEED_PAGES_MAX = Math.ceil((repo.LOCAL_CANDIDATES + repo.ONLINE_CANDIDATES) / FEED_PAGE_SIZE);

export type SearchOutcome =
  | { ok: true; results: DiscoveredAsk[]; next: string | null; place: Place | null; sort: SearchSort }
  | { ok: false; errors: { near?: FieldError; cursor?: FieldError }; candidates: Place[] };

/** The place a search is near: the name typed (or, without one, the chosen place's own label) looked up in the shipped list. */
export function resolveSearchPlace(query: Pick<SearchQuery, 'near' | 'place'>): PlaceResolution {
  const chosen = query.place ? placeById(query.place) : undefined;
  if (query.place && !chosen) return { ok: false, error: { key: 'discovery.error.placeUnknown' }, candidates: [] };
  return resolvePlace(query.near ?? (chosen ? placeLabel(chosen) : null), query.place, {
    ambiguous: 'discovery.error.placeAmbiguous',
    postal: 'discovery.error.placePostal',
    unknown: 'discovery.error.placeUnknown',
  });
}

/** One page of open asks matching the search, as the viewer may see them, and the next page's cursor. */
export async function search(db: Db, viewer: Viewer | undefined, query: SearchQuery): Promise<SearchOutcome> {
  const resolved = resolveSearchPlace(query);
  if (!resolved.ok) return { ok: false, errors: { near: resolved.error }, candidates: resolved.candidates };
  // Online asks are everywhere: with "only online", a place narrows nothing.
  const place = query.online === 'only' ? null : resolved.place;
  // Relevance needs words and distance a place; without them the soonest come first.
  const sort: SearchSort = (query.sort === 'relevance' && !query.q) || (query.sort === 'distance' && !place) ? 'date' : query.sort;
  const after = query.cursor ? decodeSearchCursor(sort, query.cursor) : null;
  if (after === undefined) return { ok: false, errors: { cursor: { key: 'validation.cursor' } }, candidates: [] };
  const rows = await repo.searchAsks(db.kysely, {
    viewerId: viewer?.id ?? null,
    text: query.q,
    kinds: query.kinds,
    skill: query.skill,
    language: query.language,
    from: query.from ? new Date(`${query.from}T00:00:00Z`) : null,
    until: query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + 86_400_000) : null,
    online: query.online,
    tag: query.tag,
    point: place ? { lat: place.lat, lon: place.lon } : null,
    withinKm: query.withinKm,
    sort,
    after,
    limit: query.limit,
  });
  const results = rows.slice(0, query.limit);
  const last = results.at(-1);
  const next = rows.length > query.limit && last ? encodeSearchCursor(sort, { value: last.sortValue, id: last.id }) : null;
  return { ok: true, results, next, place, sort };
}

export interface FeedItem {
  ask: DiscoveredAsk;
  score: number;
  reasons: Reason[];
}

/** What the ally could add to their profile for a better fit. */
export type ProfileHint = 'home' | 'skills' | 'languages' | 'availability';

export type FeedOutcome =
  | { kind: 'rest' }
  | { kind: 'feed'; page: number; pages: number; items: FeedItem[]; hints: ProfileHint[]; homeArea: string | null; radiusKm: number };

/**
 * The ally's "For you" feed, one page of it: open asks near them or online, ranked by fit, need and
 * fairness. In rest mode there is no feed at all.
 */
export async function feed(db: Db, viewer: Viewer, page: number, now = new Date()): Promise<FeedOutcome> {
  const profile = await getProfile(db, viewer.id);
  if (!profile) return { kind: 'feed', page, pages: 0, items: [], hints: [], homeArea: null, radiusKm: DEFAULT_RADIUS_KM };
  if (profile.restMode) return { kind: 'rest' };
  const radiusKm = profile.travelRadiusKm && profile.travelRadiusKm > 0 ? profile.travelRadiusKm : DEFAULT_RADIUS_KM;
  const languages = profile.languages;
  const [found, committed] = await Promise.all([
    repo.feedCandidates(db.kysely, { id: viewer.id, point: profile.homePoint, radiusKm, languages }),
    repo.committedAskIds(db.kysely, viewer.id),
  ]);
  const candidates: FeedCandidate[] = found
    .filter((a) => !committed.has(a.id))
    .map((a) => ({
      id: a.id,
      communityId: a.communityId,
      priority: a.priority,
      online: a.online,
      distanceKm: a.distanceKm === null ? null : shownDistanceKm(a.distanceKm, a.locationSensitive),
      skills: a.skills,
      languages: a.languages,
      times: a.times.map(([start, end]) => ({ startsAt: new Date(start), endsAt: new Date(end) })),
      timeZone: a.timeZone,
      places: a.placesTotal !== null && a.placesTaken !== null ? { total: a.placesTotal, taken: a.placesTaken } : null,
      placeUnit: a.kind === 'supplies' ? 'items' : a.kind === 'money' ? 'money' : 'places',
      communityLastConfirmedAt: a.lastConfirmedMs === null ? null : new Date(a.lastConfirmedMs),
      publishedAt: new Date(a.publishedMs),
    }));
  const ally: AllyFit = {
    skills: [...profile.skills, ...profile.tags],
    languages,
    home: profile.homePoint,
    radiusKm,
    availability: profile.availability,
  };
  const pages = buildFeed(candidates, ally, now);
  const hints: ProfileHint[] = [];
  if (!profile.homePoint) hints.push('home');
  if (profile.skills.length + profile.tags.length === 0) hints.push('skills');
  if (languages.length === 0) hints.push('languages');
  if (profile.availability.length === 0) hints.push('availability');
  // Only the page shown is read in full.
  const shown = pages[page - 1] ?? [];
  const full = new Map((await repo.asksByIds(db.kysely, shown.map((s) => s.candidate.id), profile.homePoint)).map((a) => [a.id, a]));
  const items = shown.flatMap((s) => {
    const ask = full.get(s.candidate.id);
    return ask ? [{ ask, score: s.score, reasons: s.reasons }] : [];
  });
  return { kind: 'feed', page, pages: pages.length, items, hints, homeArea: profile.homeArea, radiusKm };
}

/**
 * A distance as people are shown it: whole kilometres, at least 1. An ask whose exact place is
 * kept for its allies shows only steps of 5 km, so that distances seen from several places cannot
 * narrow down where it is.
 */
export function shownDistanceKm(km: number, sensitive: boolean): number {
  if (sensitive) return Math.max(5, Math.round(km / 5) * 5);
  return Math.max(1, Math.round(km));
}

const displayNames = new Map<string, Intl.DisplayNames>();
const listFormats = new Map<string, Intl.ListFormat>();

function languageName(t: Translator, code: string): string {
  let names = displayNames.get(t.locale);
  if (!names) {
    names = new Intl.DisplayNames([t.locale], { type: 'language', fallback: 'code' });
    displayNames.set(t.locale, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

function listOf(t: Translator, items: string[]): string {
  let format = listFormats.get(t.locale);
  if (!format) {
    format = new Intl.ListFormat(t.locale, { type: 'conjunction' });
    listFormats.set(t.locale, format);
  }
  return format.format(items);
}

function skillName(t: Translator, code: string): string {
  return isSkill(code) ? t.t(skillLabelKey(code as SkillCode)) : code;
}

/** A reason in plain words, in the viewer's language. */
export function reasonText(t: Translator, reason: Reason): string {
  const list = (items: string[]) => listOf(t, items);
  switch (reason.code) {
    case 'skills':
      return t.t('discovery.reason.skills', { skills: list(reason.skills.map((s) => skillName(t, s))) });
    case 'missingSkills':
      return t.t('discovery.reason.missingSkills', { skills: list(reason.skills.map((s) => skillName(t, s))) });
    case 'language':
      return t.t('discovery.reason.language', { languages: list(reason.languages.map((l) => languageName(t, l))) });
    case 'near':
      return t.t('discovery.reason.near', { km: reason.km, radius: reason.radiusKm });
    case 'online':
      return t.t('discovery.reason.online');
    case 'available':
      return t.t('discovery.reason.available', {
        when: list(reason.slots.map((slot) => {
          const [day, part] = slot.split(':') as [string, string];
          const text = t.t('discovery.reason.slot', { day: t.t(`profile.day.${day}`), part: t.t(`profile.part.${part}`).toLocaleLowerCase(t.locale) });
          // Spanish writes the days of the week in lower case inside a sentence.
          return t.locale === 'es' ? text.toLocaleLowerCase('es') : text;
        })),
      });
    case 'places':
      if (reason.unit === 'items') return t.t('discovery.reason.items', { free: reason.free, total: reason.total });
      if (reason.unit === 'money') return t.t('discovery.reason.money', { share: Math.round((reason.free / reason.total) * 100) });
      return t.t('discovery.reason.places', { free: reason.free, total: reason.total });
    case 'soon':
      return t.t('discovery.reason.soon', { days: reason.days });
    case 'urgent':
      return t.t('discovery.reason.urgent');
    case 'quietCommunity':
      return t.t('discovery.reason.quietCommunity', { days: reason.days });
    case 'nearlyFilled':
      return t.t('discovery.reason.nearlyFilled');
  }
}

/** A discovered ask as the API gives it. */
export function discoveredJson(ask: DiscoveredAsk) {
  const places =
    ask.placesTotal !== null && ask.placesTaken !== null
      ? { total: ask.placesTotal, taken: Math.min(ask.placesTaken, ask.placesTotal), free: Math.max(0, ask.placesTotal - ask.placesTaken), ...(ask.kind === 'money' ? { currency: ask.currency } : {}) }
      : null;
  return {
    id: ask.id,
    title: ask.title,
    kind: ask.kind,
    priority: ask.priority,
    language: ask.language,
    languages: ask.languages,
    skills: ask.skills,
    online: ask.online,
    area: ask.areaLabel,
    distanceKm: ask.distanceKm === null ? null : shownDistanceKm(ask.distanceKm, ask.locationSensitive),
    startsAt: ask.firstStartsAt ? new Date(ask.firstStartsAt).toISOString() : null,
    endsAt: ask.lastEndsAt ? new Date(ask.lastEndsAt).toISOString() : null,
    places,
    community: { slug: ask.communitySlug, name: ask.communityName },
    url: `/api/v1/asks/${ask.id}`,
    page: `/asks/${ask.id}`,
  };
}
