// The "For you" feed: how an open ask is scored for one ally, and how scored asks are laid out on
// pages so that no big community fills a page. Pure functions: no database, no clock but `now`.
import type { DayPart, Slot, Weekday } from '../profile/index.js';
import { WEEKDAYS } from '../profile/index.js';

export const FEED_PAGE_SIZE = 20;
/** On a page, a community takes at most this many places… */
export const COMMUNITY_CAP = 5;
/** …whenever at least this many communities still have asks to show. */
export const CAP_APPLIES_FROM = 4;
/** A community with no confirmed support for this long is lifted. */
export const QUIET_DAYS = 30;
/** An ask with at most this share of its places free counts as nearly filled and drops. */
export const NEARLY_FILLED_SHARE = 0.2;
/** "Soon" means within this many days. */
export const SOON_DAYS = 7;

/** What an ask's places count: people (shifts, events), items (supplies) or money (minor units). */
export type PlaceUnit = 'places' | 'items' | 'money';

/** What the feed knows of the ally: only what they put in their profile. */
export interface AllyFit {
  skills: readonly string[];
  languages: readonly string[];
  home: { lat: number; lon: number } | null;
  radiusKm: number | null;
  availability: readonly Slot[];
}

/** An open ask the ally may see, with what ranking needs. */
export interface FeedCandidate {
  id: string;
  communityId: string;
  priority: 'urgent' | 'normal' | 'ongoing';
  online: boolean;
  /** From the ally's home area to the ask's public area; null when either is unknown or the ask is online. */
  distanceKm: number | null;
  /** Skills the ask needs. */
  skills: readonly string[];
  /** Languages the ask is carried out in (its own language and any it lists). */
  languages: readonly string[];
  /** Upcoming times (windows, or the event), soonest first. */
  times: ReadonlyArray<{ startsAt: Date; endsAt: Date }>;
  timeZone: string;
  /** Places (slots, seats, items, money) and how many are taken; null when the ask has no limit. */
  places: { total: number; taken: number } | null;
  /** What the places count; people when not given. */
  placeUnit?: PlaceUnit;
  communityLastConfirmedAt: Date | null;
  publishedAt: Date;
}

/** One factor that placed an ask, as the page explains it. */
export type Reason =
  | { code: 'skills'; skills: string[] }
  | { code: 'missingSkills'; skills: string[] }
  | { code: 'language'; languages: string[] }
  | { code: 'near'; km: number; radiusKm: number }
  | { code: 'online' }
  | { code: 'available'; slots: Slot[] }
  | { code: 'places'; free: number; total: number; unit: PlaceUnit }
  | { code: 'soon'; days: number }
  | { code: 'urgent' }
  | { code: 'quietCommunity'; days: number }
  | { code: 'nearlyFilled'; free: number; total: number };

export interface ScoredAsk {
  candidate: FeedCandidate;
  score: number;
  /** The factors that placed it, the weightiest first. */
  reasons: Reason[];
}

const DAY_MS = 86_400_000;

/** The parts of the day a time covers, in the ask's time zone (morning before 12, afternoon to 17, evening after). */
export function slotsOf(startsAt: Date, endsAt: Date, timeZone: string): Slot[] {
  const slots = new Set<Slot>();
  // Local time is read once, at the start; the hours after it follow on (a window that spans a
  // daylight-saving change is off by an hour at most). A long window covers every part of a day it touches.
  const local = localTime(startsAt, timeZone);
  if (!local) return [];
  const hours = Math.min(24, Math.ceil((endsAt.getTime() - startsAt.getTime()) / 3_600_000));
  for (let k = 0; k < Math.max(1, hours); k++) {
    const hour = local.hour + k;
    const weekday = WEEKDAYS[(local.weekday + Math.floor(hour / 24)) % 7]!;
    const h = hour % 24;
    const part: DayPart = h < 12 ? 'morning' : h < 17 ? 'afternoon' : 'evening';
    slots.add(`${weekday}:${part}`);
  }
  return [...slots];
}

const formats = new Map<string, Intl.DateTimeFormat>();
const localTimes = new Map<string, { weekday: number; hour: number } | null>();

/** The weekday (0 = Monday) and hour at this instant in the zone; cached per zone and quarter hour (every offset is a multiple of one), since a feed reads many times at once. */
function localTime(at: Date, timeZone: string): { weekday: number; hour: number } | null {
  const bucket = Math.floor(at.getTime() / 900_000);
  const key = `${timeZone}|${bucket}`;
  const cached = localTimes.get(key);
  if (cached !== undefined) return cached;
  let format = formats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    }
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(bucket * 900_000));
  const weekday = WEEKDAYS.indexOf(parts.find((p) => p.type === 'weekday')?.value.toLowerCase().slice(0, 3) as Weekday);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 'NaN') % 24;
  const value = weekday >= 0 && Number.isInteger(hour) ? { weekday, hour } : null;
  if (localTimes.size > 50_000) localTimes.clear();
  localTimes.set(key, value);
  return value;
}

/** Whether the ask is nearly filled: places are counted and at most a fifth of them is free. */
export function isNearlyFilled(places: FeedCandidate['places']): boolean {
  if (!places || places.total <= 0) return false;
  const free = Math.max(0, places.total - places.taken);
  return free / places.total <= NEARLY_FILLED_SHARE;
}

/** Whether nobody's support of the community was confirmed in the last QUIET_DAYS days. */
export function isQuiet(lastConfirmedAt: Date | null, now: Date): boolean {
  return lastConfirmedAt === null || now.getTime() - lastConfirmedAt.getTime() > QUIET_DAYS * DAY_MS;
}

/**
 * Scores one ask for the ally: fit (skills, languages, distance, time), need (free places, how
 * soon, priority) and fairness (quiet communities lifted, nearly filled asks dropped). Each factor
 * that counted is returned as a reason.
 */
export function scoreAsk(candidate: FeedCandidate, ally: AllyFit, now: Date): ScoredAsk {
  const weighted: Array<{ weight: number; reason?: Reason }> = [];

  // Fit: skills. An ask that needs skills the ally has not listed still shows, lower down.
  if (candidate.skills.length > 0) {
    const held = candidate.skills.filter((s) => ally.skills.includes(s));
    const missing = candidate.skills.filter((s) => !ally.skills.includes(s));
    if (held.length > 0) weighted.push({ weight: 0.3 * (held.length / candidate.skills.length), reason: { code: 'skills', skills: held } });
    if (missing.length > 0) weighted.push({ weight: -0.25 * (missing.length / candidate.skills.length), reason: { code: 'missingSkills', skills: missing } });
  }
  // Fit: a shared language.
  if (ally.languages.length > 0 && candidate.languages.length > 0) {
    const shared = candidate.languages.filter((l) => ally.languages.includes(l));
    weighted.push(shared.length > 0 ? { weight: 0.2, reason: { code: 'language', languages: shared } } : { weight: -0.3 });
  }
  // Fit: place.
  if (candidate.online) {
    weighted.push({ weight: 0.15, reason: { code: 'online' } });
  } else if (candidate.distanceKm !== null && ally.radiusKm !== null && ally.radiusKm > 0) {
    const closeness = Math.max(0, 1 - candidate.distanceKm / ally.radiusKm);
    weighted.push({ weight: 0.05 + 0.25 * closeness, reason: { code: 'near', km: candidate.distanceKm, radiusKm: ally.radiusKm } });
  }
  // Fit: the ask's times fall when the ally said they are free.
  if (candidate.times.length > 0 && ally.availability.length > 0) {
    const overlap = new Set<Slot>();
    for (const time of candidate.times.slice(0, 3)) {
      for (const slot of slotsOf(time.startsAt, time.endsAt, candidate.timeZone)) if (ally.availability.includes(slot)) overlap.add(slot);
    }
    weighted.push(overlap.size > 0 ? { weight: 0.2, reason: { code: 'available', slots: [...overlap].slice(0, 3) } } : { weight: -0.1 });
  }

  // Need: free places, how soon, priority.
  const nearlyFilled = isNearlyFilled(candidate.places);
  if (candidate.places && candidate.places.total > 0 && !nearlyFilled) {
    const free = Math.max(0, candidate.places.total - candidate.places.taken);
    weighted.push({ weight: 0.2 * (free / candidate.places.total), reason: { code: 'places', free, total: candidate.places.total, unit: candidate.placeUnit ?? 'places' } });
  }
  const next = candidate.times.find((t) => t.endsAt.getTime() > now.getTime());
  if (next) {
    const days = Math.max(0, (next.startsAt.getTime() - now.getTime()) / DAY_MS);
    if (days <= SOON_DAYS) weighted.push({ weight: 0.2 * (1 - days / (2 * SOON_DAYS)), reason: { code: 'soon', days: Math.floor(days) } });
  }
  if (candidate.priority === 'urgent') weighted.push({ weight: 0.25, reason: { code: 'urgent' } });
  else if (candidate.priority === 'ongoing') weighted.push({ weight: -0.05 });

  // Fairness.
  if (isQuiet(candidate.communityLastConfirmedAt, now)) weighted.push({ weight: 0.3, reason: { code: 'quietCommunity', days: QUIET_DAYS } });
  if (nearlyFilled && candidate.places) {
    weighted.push({ weight: -0.5, reason: { code: 'nearlyFilled', free: Math.max(0, candidate.places.total - candidate.places.taken), total: candidate.places.total } });
  }

  const score = Math.round(weighted.reduce((sum, w) => sum + w.weight, 0) * 1e6) / 1e6;
  const reasons = weighted
    .filter((w): w is { weight: number; reason: Reason } => w.reason !== undefined)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .map((w) => w.reason);
  return { candidate, score, reasons };
}

/** Highest score first; then the sooner, then the newer, then by id so the order is total. */
export function compareScored(a: ScoredAsk, b: ScoredAsk): number {
  if (a.score !== b.score) return b.score - a.score;
  const at = a.candidate.times[0]?.startsAt.getTime() ?? Number.POSITIVE_INFINITY;
  const bt = b.candidate.times[0]?.startsAt.getTime() ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  const ap = a.candidate.publishedAt.getTime();
  const bp = b.candidate.publishedAt.getTime();
  if (ap !== bp) return bp - ap;
  return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0;
}

/**
 * Lays ranked asks out on pages. While at least CAP_APPLIES_FROM communities still have asks to
 * show, a page gives no community more than COMMUNITY_CAP places: the asks it holds back move on to
 * the next page, so a small community's ask comes up on a page a big one would otherwise fill. A
 * page is shorter than `pageSize` only when the cap leaves nothing else to show on it.
 */
export function arrangePages<T extends { candidate: { communityId: string } }>(ranked: readonly T[], pageSize = FEED_PAGE_SIZE): T[][] {
  const pages: T[][] = [];
  let remaining = [...ranked];
  while (remaining.length > 0) {
    const communities = new Set(remaining.map((r) => r.candidate.communityId));
    const capped = communities.size >= CAP_APPLIES_FROM;
    const page: T[] = [];
    const held: T[] = [];
    const perCommunity = new Map<string, number>();
    let index = 0;
    for (; index < remaining.length && page.length < pageSize; index++) {
      const item = remaining[index]!;
      const count = perCommunity.get(item.candidate.communityId) ?? 0;
      if (capped && count >= COMMUNITY_CAP) {
        held.push(item);
        continue;
      }
      perCommunity.set(item.candidate.communityId, count + 1);
      page.push(item);
    }
    pages.push(page);
    // What was held back keeps its place ahead of what was not reached.
    remaining = [...held, ...remaining.slice(index)];
  }
  return pages;
}

/** Scores and arranges every candidate: the feed's pages, best first. */
export function buildFeed(candidates: readonly FeedCandidate[], ally: AllyFit, now: Date, pageSize = FEED_PAGE_SIZE): ScoredAsk[][] {
  const scored = candidates.map((c) => scoreAsk(c, ally, now)).sort(compareScored);
  return arrangePages(scored, pageSize);
}
