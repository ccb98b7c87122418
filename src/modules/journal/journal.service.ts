import { randomBytes, randomUUID } from 'node:crypto';
import type { Executor } from '../../db/client.js';
import type { AppContext } from '../../platform/module.js';
import { openWithKey, sealWithKey } from '../../platform/secrets.js';
import { ownMoment, recentMoments, type Moment } from '../commitments/index.js';
import { PROMPTS, type Entry, type EntryContent, type MomentLink, type Prompt } from './journal.model.js';
import * as repo from './journal.repository.js';

type Ctx = Pick<AppContext, 'db' | 'secrets'>;

/**
 * Envelope encryption: each person has a random 256-bit data key, stored only wrapped under a key
 * derived from SECRET_KEY and bound to the person (so a wrapped key copied to another row does not
 * open). Each entry is sealed with AES-256-GCM under the person's key, bound to the person and the
 * entry's id: an entry moved to another person or swapped with another entry does not open.
 */
async function dataKey(ctx: Ctx, db: Executor, userId: string): Promise<Buffer> {
  let wrapped = await repo.findWrappedKey(db, userId);
  if (!wrapped) wrapped = await repo.storeWrappedKey(db, userId, ctx.secrets.encrypt('journal-key', randomBytes(32).toString('base64url'), `user:${userId}`));
  return Buffer.from(ctx.secrets.decrypt('journal-key', wrapped, `user:${userId}`), 'base64url');
}

const aad = (userId: string, entryId: string) => `journal:${userId}:${entryId}`;

function seal(key: Buffer, userId: string, entryId: string, content: EntryContent): string {
  return sealWithKey(key, JSON.stringify(content), aad(userId, entryId));
}

function isPrompt(value: unknown): value is Prompt {
  return typeof value === 'string' && (PROMPTS as readonly string[]).includes(value);
}

function open(key: Buffer, row: repo.SealedRow): Entry {
  const content = JSON.parse(openWithKey(key, row.sealed, aad(row.userId, row.id))) as Partial<EntryContent>;
  return {
    id: row.id,
    title: typeof content.title === 'string' ? content.title : null,
    body: typeof content.body === 'string' ? content.body : '',
    prompt: isPrompt(content.prompt) ? content.prompt : null,
    link: content.link && (content.link.kind === 'commitment' || content.link.kind === 'feedback') && typeof content.link.id === 'string' ? content.link : null,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  };
}

export type SaveResult = { ok: true; id: string } | { ok: false; field: 'link' };

/** A link must be to the person's own record: their commitment, or feedback written to them. */
async function checkLink(ctx: Ctx, userId: string, link: MomentLink | null): Promise<boolean> {
  return link === null || (await ownMoment(ctx.db.kysely, userId, link.kind, link.id)) !== undefined;
}

/** Writes a new entry, sealed. Nothing about it is logged or audited: even that someone writes is theirs alone. */
export async function writeEntry(ctx: Ctx, userId: string, content: EntryContent): Promise<SaveResult> {
  if (!(await checkLink(ctx, userId, content.link))) return { ok: false, field: 'link' };
  const id = randomUUID();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const key = await dataKey(ctx, trx, userId);
    await repo.insertEntry(trx, { id, userId, sealed: seal(key, userId, id, content) });
  });
  return { ok: true, id };
}

/** Rewrites one of the person's entries; false when they have no such entry. */
export async function rewriteEntry(ctx: Ctx, userId: string, id: string, content: EntryContent): Promise<SaveResult | { ok: false; field: 'not_found' }> {
  if (!(await checkLink(ctx, userId, content.link))) return { ok: false, field: 'link' };
  const key = await dataKey(ctx, ctx.db.kysely, userId);
  return (await repo.updateEntry(ctx.db.kysely, userId, id, seal(key, userId, id, content))) ? { ok: true, id } : { ok: false, field: 'not_found' };
}

/** Deletes one of the person's entries for good. */
export function eraseEntry(ctx: Ctx, userId: string, id: string): Promise<boolean> {
  return repo.deleteEntry(ctx.db.kysely, userId, id);
}

/** One of the person's entries, opened; undefined when they have none with this id. */
export async function readEntry(ctx: Ctx, userId: string, id: string): Promise<Entry | undefined> {
  const row = await repo.findEntry(ctx.db.kysely, userId, id);
  if (!row) return undefined;
  return open(await dataKey(ctx, ctx.db.kysely, userId), row);
}

/** A page of the person's entries, newest first (one more than the limit, so the caller knows whether a next page exists). */
export async function readEntries(ctx: Ctx, userId: string, page: { limit: number; after: [string, string] | undefined }): Promise<Array<Entry & { position: [string, string] }>> {
  const rows = await repo.listEntries(ctx.db.kysely, userId, { limit: page.limit + 1, after: page.after });
  if (rows.length === 0) return [];
  const key = await dataKey(ctx, ctx.db.kysely, userId);
  return rows.map((row) => ({ ...open(key, row), position: row.position }));
}

/** A prompt the journal offers now, and the moment it is about. */
export interface Offer {
  prompt: Prompt;
  moment: Moment | null;
}

const DAY = 86_400_000;

/**
 * The prompts that fit now: one for each commitment the community confirmed and each piece of
 * feedback received in the last 30 days that no entry is about yet, and the weekly prompt when
 * the person asked for it and has not written for a week.
 */
export async function offers(ctx: Ctx, userId: string, now: Date = new Date()): Promise<Offer[]> {
  const since = new Date(now.getTime() - 30 * DAY);
  const [moments, recent, weekly, last] = await Promise.all([
    recentMoments(ctx.db.kysely, userId, since, 10),
    repo.listEntries(ctx.db.kysely, userId, { limit: 200, since }),
    repo.weeklyPrompt(ctx.db.kysely, userId),
    repo.lastWritten(ctx.db.kysely, userId),
  ]);
  const key = recent.length > 0 ? await dataKey(ctx, ctx.db.kysely, userId) : undefined;
  const written = new Set(recent.map((row) => open(key!, row).link).flatMap((link) => (link ? [`${link.kind}:${link.id}`] : [])));
  const out: Offer[] = moments
    .filter((m) => !written.has(`${m.kind}:${m.id}`))
    .map((moment) => ({ prompt: moment.kind === 'commitment' ? ('after_confirmation' as const) : ('after_feedback' as const), moment }));
  if (weekly && (!last || now.getTime() - last.getTime() >= 7 * DAY)) out.push({ prompt: 'weekly', moment: null });
  return out;
}

/** The moment a new entry would be about, when it is the person's own. */
export function momentFor(ctx: Ctx, userId: string, link: MomentLink): Promise<Moment | undefined> {
  return ownMoment(ctx.db.kysely, userId, link.kind, link.id);
}

export function weeklyPromptOn(ctx: Ctx, userId: string): Promise<boolean> {
  return repo.weeklyPrompt(ctx.db.kysely, userId);
}

export function setWeeklyPromptOn(ctx: Ctx, userId: string, on: boolean): Promise<void> {
  return repo.setWeeklyPrompt(ctx.db.kysely, userId, on);
}

/** The person's whole journal, opened, for their data export (and only there). */
export async function exportJournal(ctx: Ctx, db: Executor, userId: string): Promise<{ entries: Array<Omit<Entry, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string }>; weeklyPrompt: boolean }> {
  const rows = await repo.allEntries(db, userId);
  const key = rows.length > 0 ? await dataKey(ctx, db, userId) : undefined;
  return {
    entries: rows.map((row) => {
      const entry = open(key!, row);
      return { ...entry, createdAt: entry.createdAt.toISOString(), updatedAt: entry.updatedAt.toISOString() };
    }),
    weeklyPrompt: await repo.weeklyPrompt(db, userId),
  };
}

/** Removes the person's journal (account deletion, whatever they chose for their public contributions). */
export function deleteJournal(db: Executor, userId: string): Promise<void> {
  return repo.deleteJournalOf(db, userId);
}
