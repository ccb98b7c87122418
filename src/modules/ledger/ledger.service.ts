import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../../platform/module.js';
import { audit } from '../../platform/audit.js';
import type { Viewer } from '../../platform/views/render.js';
import type { AskRecord } from '../asks/index.js';
import { getCommunityAccess, type CommunityAccess } from '../communities/index.js';
import { toCsv } from '../profile/index.js';
import { writeCalendar, type CalendarEvent } from './ical.js';
import { canSeeAllyNames, canSeeLedger } from './ledger.policy.js';
import * as repo from './ledger.repository.js';
import type { ConfirmedRow, FigureRow, Occasion, OwnOccasion } from './ledger.repository.js';
import { majorUnits } from '../../platform/money.js';

type Ctx = Pick<AppContext, 'db' | 'config'>;

/** How files name a person who deleted their account and left their confirmed work in the record. */
const FORMER_ALLY = '(former ally)';

/** What a community's feed lists: asks everyone who sees the community may open. */
const FEED_STATUSES = ['open', 'filled'] as const;

/** What one ask's feed needs of the ask. */
export type AskForFeed = Pick<AskRecord, 'id' | 'title' | 'kind' | 'updatedAt' | 'online' | 'areaLabel' | 'windows' | 'startsAt' | 'endsAt'>;

/** Money per currency, in minor units. */
export type MoneyTotals = Array<{ currency: string; amountMinor: number }>;
/** Supplies per item (label and unit). */
export type SupplyTotals = Array<{ item: string; unit: string | null; quantity: number }>;

/** What a set of confirmed commitments adds up to. */
export interface Totals {
  /** Time the community confirmed (done and partly done), in minutes. */
  minutes: number;
  money: MoneyTotals;
  supplies: SupplyTotals;
  /** Advocacy actions, counted apart: those the community confirmed and those allies reported themselves. */
  advocacy: { confirmed: number; selfReported: number };
  /** Commitments the community confirmed (self-reported actions are not among them). */
  confirmed: number;
  /** People with at least one confirmed commitment. */
  allies: number;
  /** People with confirmed commitments on two or more different asks. */
  returningAllies: number;
}

/**
 * Adds up confirmed commitments. Only the community's word counts: rows must be done or partly done;
 * an advocacy action an ally reported themselves is counted apart and adds to no other total.
 */
export function summarize(rows: readonly FigureRow[]): Totals {
  let minutes = 0;
  let confirmed = 0;
  const money = new Map<string, number>();
  const supplies = new Map<string, { item: string; unit: string | null; quantity: number }>();
  const advocacy = { confirmed: 0, selfReported: 0 };
  const asksByAlly = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.state !== 'done' && row.state !== 'partly_done') continue;
    if (row.selfReported) {
      if (row.askKind === 'advocacy') advocacy.selfReported += 1;
      continue;
    }
    confirmed += 1;
    if (row.askKind === 'advocacy') advocacy.confirmed += 1;
    minutes += row.doneMinutes ?? 0;
    if (row.doneAmountMinor && row.currency) money.set(row.currency, (money.get(row.currency) ?? 0) + row.doneAmountMinor);
    if (row.doneQuantity && row.itemLabel !== null) {
      const key = JSON.stringify([row.itemLabel, row.itemUnit]);
      const entry = supplies.get(key) ?? { item: row.itemLabel, unit: row.itemUnit, quantity: 0 };
      entry.quantity += row.doneQuantity;
      supplies.set(key, entry);
    }
    const asks = asksByAlly.get(row.userId) ?? new Set<string>();
    asks.add(row.askId);
    asksByAlly.set(row.userId, asks);
  }
  return {
    minutes,
    money: [...money].map(([currency, amountMinor]) => ({ currency, amountMinor })).sort((a, b) => a.currency.localeCompare(b.currency)),
    supplies: [...supplies.values()].sort((a, b) => a.item.localeCompare(b.item) || (a.unit ?? '').localeCompare(b.unit ?? '')),
    advocacy,
    confirmed,
    allies: asksByAlly.size,
    returningAllies: [...asksByAlly.values()].filter((asks) => asks.size >= 2).length,
  };
}

/** A closed ask on the ledger: its outcome in the community's words and its own totals. */
export interface LedgerAsk {
  id: string;
  title: string;
  kind: repo.AskKind;
  outcomeNote: string | null;
  closedAt: Date;
  totals: Totals;
}

/** A community's ledger as its viewers see it. */
export interface Ledger {
  access: CommunityAccess;
  totals: Totals;
  closedAsks: LedgerAsk[];
}

/** The ledger with every confirmed commitment behind it, for its CSV. */
export interface LedgerWithRows extends Ledger {
  rows: ConfirmedRow[];
}

/** The community (by slug) when the viewer may see its ledger; undefined otherwise (404 either way). */
export async function getLedgerAccess(ctx: Ctx, slug: string, viewer: Viewer | undefined): Promise<CommunityAccess | undefined> {
  const access = await getCommunityAccess(ctx.db, slug, viewer);
  return access && canSeeLedger(viewer, access) ? access : undefined;
}

/** The ledger of a community the caller found visible: totals only, for its page and the API. */
export async function buildLedger(ctx: Ctx, access: CommunityAccess): Promise<Ledger> {
  const [parts, closed] = await Promise.all([repo.sumConfirmed(ctx.db.kysely, access.community.id), repo.listClosedAsks(ctx.db.kysely, access.community.id)]);
  return { access, ...totalsFromParts(parts, closed) };
}

const noTotals = (): Totals => ({ minutes: 0, money: [], supplies: [], advocacy: { confirmed: 0, selfReported: 0 }, confirmed: 0, allies: 0, returningAllies: 0 });

function addMoney(totals: Totals, currency: string, amountMinor: number): void {
  const entry = totals.money.find((m) => m.currency === currency);
  if (entry) entry.amountMinor += amountMinor;
  else totals.money.push({ currency, amountMinor });
}

function addSupply(totals: Totals, item: string, unit: string | null, quantity: number): void {
  const entry = totals.supplies.find((s) => s.item === item && s.unit === unit);
  if (entry) entry.quantity += quantity;
  else totals.supplies.push({ item, unit, quantity });
}

function sorted(totals: Totals): Totals {
  totals.money.sort((a, b) => a.currency.localeCompare(b.currency));
  totals.supplies.sort((a, b) => a.item.localeCompare(b.item) || (a.unit ?? '').localeCompare(b.unit ?? ''));
  return totals;
}

/** The community's totals and each closed ask's, from the sums the database made (the same figures `summarize` gives from rows). */
function totalsFromParts(parts: readonly repo.FigurePart[], closed: repo.ClosedAsk[]): { totals: Totals; closedAsks: LedgerAsk[] } {
  const all = noTotals();
  const byAsk = new Map<string, Totals>();
  const of = (askId: string) => {
    let totals = byAsk.get(askId);
    if (!totals) byAsk.set(askId, (totals = noTotals()));
    return totals;
  };
  for (const part of parts) {
    if (part.part === 'people') {
      all.allies = part.allies;
      all.returningAllies = part.returningAllies;
    } else if (part.part === 'ask') {
      const one = of(part.askId);
      for (const t of [all, one]) {
        t.minutes += part.minutes;
        t.confirmed += part.confirmed;
        t.advocacy.confirmed += part.advocacyConfirmed;
        t.advocacy.selfReported += part.advocacySelfReported;
      }
      one.allies = part.allies;
    } else if (part.part === 'money') {
      addMoney(all, part.currency, part.amountMinor);
      addMoney(of(part.askId), part.currency, part.amountMinor);
    } else {
      addSupply(all, part.item, part.unit, part.quantity);
      addSupply(of(part.askId), part.item, part.unit, part.quantity);
    }
  }
  return {
    totals: sorted(all),
    closedAsks: closed.map((a) => ({ ...a, closedAt: new Date(a.closedAt), totals: sorted(byAsk.get(a.id) ?? noTotals()) })),
  };
}

/** The ledger with its rows (names, titles, dates), for the CSV. */
export async function buildLedgerWithRows(ctx: Ctx, access: CommunityAccess): Promise<LedgerWithRows> {
  const [rows, closed] = await Promise.all([repo.listConfirmed(ctx.db.kysely, access.community.id), repo.listClosedAsks(ctx.db.kysely, access.community.id)]);
  return { ...assemble(access, rows, closed), rows };
}

function assemble(access: CommunityAccess, rows: readonly FigureRow[], closed: repo.ClosedAsk[]): Ledger {
  const byAsk = new Map<string, FigureRow[]>();
  for (const row of rows) {
    const list = byAsk.get(row.askId);
    if (list) list.push(row);
    else byAsk.set(row.askId, [row]);
  }
  return {
    access,
    totals: summarize(rows),
    closedAsks: closed.map((a) => ({ ...a, closedAt: new Date(a.closedAt), totals: summarize(byAsk.get(a.id) ?? []) })),
  };
}

/** Minutes as hours with at most two decimals. */
export function hours(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

/** The totals as the API shows them. */
export function totalsJson(totals: Totals) {
  return {
    hours: hours(totals.minutes),
    minutes: totals.minutes,
    money: totals.money.map((m) => ({ currency: m.currency, amountMinor: m.amountMinor, amount: majorUnits(m.amountMinor, m.currency) })),
    supplies: totals.supplies,
    advocacy: totals.advocacy,
    confirmedCommitments: totals.confirmed,
    allies: totals.allies,
    returningAllies: totals.returningAllies,
  };
}

/** The ledger as the API shows it (never a name: the API's ledger is the public record). */
export function ledgerJson(ledger: Ledger) {
  return {
    community: ledger.access.community.slug,
    visibility: ledger.access.community.ledgerVisibility,
    totals: totalsJson(ledger.totals),
    closedAsks: ledger.closedAsks.map((a) => ({ id: a.id, title: a.title, kind: a.kind, closedAt: a.closedAt.toISOString(), outcome: a.outcomeNote, totals: totalsJson(a.totals) })),
  };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The ledger as CSV (RFC 4180, cells that could start a formula defused): one row per confirmed or
 * self-reported commitment. The ally's name is a column only for organizers (see `canSeeAllyNames`).
 */
export function ledgerCsv(ledger: LedgerWithRows, viewer: Viewer | undefined): string {
  const names = canSeeAllyNames(viewer, ledger.access);
  const header = ['date', 'ask', 'kind', 'hours', 'amount', 'currency', 'quantity', 'item', 'state', 'self_reported', ...(names ? ['ally'] : [])];
  return toCsv(
    header,
    ledger.rows.map((r) => [
      isoDate(r.happenedAt),
      r.askTitle,
      r.askKind,
      r.doneMinutes === null ? null : hours(r.doneMinutes),
      r.doneAmountMinor !== null && r.currency ? majorUnits(r.doneAmountMinor, r.currency) : null,
      r.doneAmountMinor !== null ? r.currency : null,
      r.doneQuantity,
      r.itemLabel,
      r.state,
      r.selfReported,
      ...(names ? [r.allyName ?? FORMER_ALLY] : []),
    ]),
  );
}

/** An ask's attendance sheet as CSV, for its organizers: every commitment, its window, state, promise and confirmed values. */
export async function attendanceCsv(ctx: Ctx, askId: string): Promise<string> {
  const rows = await repo.listAttendance(ctx.db.kysely, askId);
  return toCsv(
    ['ally', 'window_start', 'window_end', 'state', 'planned_hours', 'planned_amount', 'planned_quantity', 'currency', 'item', 'hours', 'amount', 'quantity', 'self_reported', 'outcome'],
    rows.map((r) => [
      r.allyName ?? FORMER_ALLY,
      r.windowStartsAt ? new Date(r.windowStartsAt) : null,
      r.windowEndsAt ? new Date(r.windowEndsAt) : null,
      r.state,
      r.plannedMinutes === null ? null : hours(r.plannedMinutes),
      r.amountMinor !== null && r.currency ? majorUnits(r.amountMinor, r.currency) : null,
      r.quantity,
      r.currency,
      r.itemLabel,
      r.doneMinutes === null ? null : hours(r.doneMinutes),
      r.doneAmountMinor !== null && r.currency ? majorUnits(r.doneAmountMinor, r.currency) : null,
      r.doneQuantity,
      r.selfReported,
      r.outcomeLine,
    ]),
  );
}

// ---- calendars --------------------------------------------------------------------------------------

/** Words a feed needs, in the reader's language. */
export interface FeedWords {
  online: string;
  waitlisted: string;
}

function host(ctx: Ctx): string {
  return new URL(ctx.config.publicUrl).hostname;
}

function askUrl(ctx: Ctx, askId: string): string {
  return new URL(`/asks/${askId}`, ctx.config.publicUrl).toString();
}

/** Where an occasion is, as anyone may know it: the coarse public area (or "online"), never the exact place. */
function publicLocation(o: Pick<Occasion, 'online' | 'areaLabel'>, words: FeedWords): string | null {
  if (o.online) return o.areaLabel ? `${words.online} · ${o.areaLabel}` : words.online;
  return o.areaLabel;
}

/** The stable id of an occasion: one per window, one per event. */
function occasionUid(ctx: Ctx, o: Pick<Occasion, 'windowId' | 'askId'>): string {
  return o.windowId ? `window-${o.windowId}@${host(ctx)}` : `ask-${o.askId}@${host(ctx)}`;
}

function occasionEvent(ctx: Ctx, o: Occasion, words: FeedWords): CalendarEvent {
  return {
    uid: occasionUid(ctx, o),
    stamp: new Date(o.askUpdatedAt),
    start: o.startsAt,
    end: o.endsAt,
    summary: o.askTitle,
    description: `${o.communityName}\n${askUrl(ctx, o.askId)}`,
    location: publicLocation(o, words),
    url: askUrl(ctx, o.askId),
  };
}

/** The community's calendar: one event per window of its open and filled shifts, and its open and filled events. */
export async function communityCalendar(ctx: Ctx, access: CommunityAccess, words: FeedWords): Promise<string> {
  const occasions = await repo.listCommunityOccasions(ctx.db.kysely, access.community.id, FEED_STATUSES);
  return writeCalendar({ name: access.community.name, events: occasions.map((o) => occasionEvent(ctx, o, words)) });
}

/** One ask's calendar (the caller found it visible): its windows or its event time, with the public location only. */
export function askCalendar(ctx: Ctx, ask: AskForFeed, communityName: string, words: FeedWords): string {
  const base = { askId: ask.id, askTitle: ask.title, askKind: ask.kind, askUpdatedAt: ask.updatedAt, online: ask.online, areaLabel: ask.areaLabel, communityName };
  const occasions: Occasion[] =
    ask.kind === 'shift'
      ? ask.windows.map((w) => ({ ...base, windowId: w.id, startsAt: w.startsAt, endsAt: w.endsAt }))
      : ask.kind === 'attend' && ask.startsAt
        ? [{ ...base, windowId: null, startsAt: ask.startsAt, endsAt: ask.endsAt }]
        : [];
  return writeCalendar({ name: ask.title, events: occasions.map((o) => occasionEvent(ctx, o, words)) });
}

/**
 * Where the ally's own commitment is: a sensitive detail only while their commitment holds a place
 * (pledged); a detail that is not sensitive as the ask page shows it; otherwise the public area.
 */
export function ownLocation(o: OwnOccasion, words: FeedWords): string | null {
  const area = publicLocation(o, words);
  const showDetail = o.locationDetail !== null && o.locationDetail !== '' && (!o.locationSensitive || o.state === 'pledged');
  if (!showDetail) return area;
  return area ? `${o.locationDetail} (${area})` : o.locationDetail;
}

/** The ally's private calendar: their pledged and waitlisted commitments that have a time. */
export async function ownCalendar(ctx: Ctx, userId: string, words: FeedWords & { name: string }): Promise<string> {
  const occasions = await repo.listOwnOccasions(ctx.db.kysely, userId);
  return writeCalendar({
    name: words.name,
    events: occasions.map((o) => ({
      ...occasionEvent(ctx, o, words),
      // Not the community feed's id: a calendar subscribed to both keeps them apart.
      uid: `commitment-${o.commitmentId}@${host(ctx)}`,
      summary: o.state === 'waitlisted' ? `${o.askTitle} (${words.waitlisted})` : o.askTitle,
      location: ownLocation(o, words),
      status: o.state === 'waitlisted' ? 'TENTATIVE' : 'CONFIRMED',
    })),
  });
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function hashFeedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The owner of the feed the secret token opens, or undefined (unknown, reset, or a suspended account). */
export async function feedOwner(ctx: Ctx, token: string): Promise<{ userId: string; locale: 'en' | 'es' | null } | undefined> {
  if (!TOKEN.test(token)) return undefined;
  return repo.findFeedOwner(ctx.db.kysely, hashFeedToken(token));
}

/** Whether the person has a feed, and since when. */
export function feedStatus(ctx: Ctx, userId: string): Promise<{ createdAt: Date } | undefined> {
  return repo.findFeed(ctx.db.kysely, userId);
}

/** Makes a new secret address for the person's feed (256 random bits; only its hash is kept), ending the old one; returns the token. */
export async function resetFeed(ctx: Ctx, input: { userId: string; requestId: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.upsertFeed(trx, input.userId, hashFeedToken(token));
    await audit(trx, { actorId: input.userId, action: 'calendar.feed_reset', subjectType: 'user', subjectId: input.userId, requestId: input.requestId });
  });
  return token;
}

/** Turns the person's feed off; false when there was none. */
export async function deleteFeed(ctx: Ctx, input: { userId: string; requestId: string }): Promise<boolean> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const deleted = await repo.deleteFeed(trx, input.userId);
    if (deleted) await audit(trx, { actorId: input.userId, action: 'calendar.feed_deleted', subjectType: 'user', subjectId: input.userId, requestId: input.requestId });
    return deleted;
  });
}

/** The secret feed's address. */
export function feedUrl(ctx: Ctx, token: string): string {
  return new URL(`/calendar/${token}.ics`, ctx.config.publicUrl).toString();
}
