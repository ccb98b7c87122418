/**
 * Factories: tests build their world with these instead of hand-written inserts. Each makes a real
 * row with sensible defaults and takes overrides for what the test is about.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import type { TestDatabase } from './db.js';

export const FACTORY_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;
let counter = 0;

function next(): number {
  counter += 1;
  return counter;
}

export interface BuiltUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
}

/** A confirmed account (password `FACTORY_PASSWORD`), optionally with profile languages. */
export async function buildUser(t: TestDatabase, options: { displayName?: string; role?: Role; languages?: string[]; verified?: boolean } = {}): Promise<BuiltUser> {
  passwordHash ??= hashPassword(FACTORY_PASSWORD);
  const n = next();
  const email = `person${n}-${randomUUID().slice(0, 8)}@factory.test`;
  const displayName = options.displayName ?? `Person ${n}`;
  const id = await upsertUser(t.db.kysely, { email, emailNormalized: normalizeEmail(email), displayName, passwordHash: await passwordHash, role: options.role ?? 'user', verified: options.verified ?? true });
  if (options.languages?.length) await t.db.kysely.insertInto('user_languages').values(options.languages.map((language) => ({ user_id: id, language }))).execute();
  return { id, email, password: FACTORY_PASSWORD, displayName };
}

/** A personal API token of the person (write scope unless asked). */
export async function buildToken(t: TestDatabase, user: { id: string }, scope: 'read' | 'write' = 'write'): Promise<string> {
  return (await createApiToken(t.db, { userId: user.id, name: `factory ${next()}`, scope, requestId: 'factory' })).token;
}

export interface BuiltCommunity {
  id: string;
  slug: string;
  name: string;
}

/** A community, verified and online unless asked, with its organizers, members and allies. */
export async function buildCommunity(
  t: TestDatabase,
  options: { name?: string; status?: 'pending' | 'verified'; organizers?: Array<{ id: string }>; members?: Array<{ id: string }>; allies?: Array<{ id: string }> } = {},
): Promise<BuiltCommunity> {
  const n = next();
  const name = options.name ?? `Community ${n}`;
  const slug = `community-${n}-${randomUUID().slice(0, 6)}`;
  const status = options.status ?? 'verified';
  const row = await t.db.kysely
    .insertInto('communities')
    .values({ slug, name, mission: 'Looking after each other.', status, online: true, ...(status === 'verified' ? { verified_at: sql<Date>`now()` } : {}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const roles: Array<[Array<{ id: string }> | undefined, 'organizer' | 'member' | 'ally']> = [
    [options.organizers, 'organizer'],
    [options.members, 'member'],
    [options.allies, 'ally'],
  ];
  for (const [people, role] of roles) {
    for (const person of people ?? []) await t.db.kysely.insertInto('memberships').values({ community_id: row.id, user_id: person.id, role }).execute();
  }
  return { id: row.id, slug, name };
}

/** An ask of the community: an open online skill ask in English unless asked. */
export async function buildAsk(
  t: TestDatabase,
  community: { id: string },
  options: { title?: string; status?: 'draft' | 'open' | 'paused' | 'closed'; language?: string; createdBy?: { id: string } } = {},
): Promise<{ id: string; title: string }> {
  const title = options.title ?? `Ask ${next()}`;
  const status = options.status ?? 'open';
  const row = await t.db.kysely
    .insertInto('asks')
    .values({
      community_id: community.id,
      kind: 'skill',
      title,
      description: 'Help with a flyer.',
      language: options.language ?? 'en',
      online: true,
      deliverable: 'A flyer',
      estimated_hours: 2,
      status,
      created_by: options.createdBy?.id ?? null,
      ...(status === 'draft' ? {} : { published_at: sql<Date>`now()` }),
      ...(status === 'closed' ? { closed_at: sql<Date>`now()`, outcome_note: 'Done.' } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, title };
}

/** A commitment of the person to a (skill) ask, pledged unless asked. */
export async function buildCommitment(
  t: TestDatabase,
  ask: { id: string },
  user: { id: string },
  options: { state?: 'pledged' | 'waitlisted' | 'done' | 'withdrawn'; plannedFor?: Date } = {},
): Promise<{ id: string }> {
  const state = options.state ?? 'pledged';
  const row = await t.db.kysely
    .insertInto('commitments')
    .values({
      ask_id: ask.id,
      user_id: user.id,
      state,
      planned_minutes: 120,
      planned_for: options.plannedFor ?? new Date(),
      ...(state === 'done' ? { done_minutes: 120, confirmed_at: sql<Date>`now()` } : {}),
      ...(state === 'withdrawn' ? { withdrawn_at: sql<Date>`now()` } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id };
}

/** A shift ask of the community, open, with one window of `slots` places starting in `startsInHours`. */
export async function buildShift(
  t: TestDatabase,
  community: { id: string },
  options: { title?: string; slots?: number; startsInHours?: number; hours?: number } = {},
): Promise<{ id: string; title: string; windowId: string; startsAt: Date }> {
  const title = options.title ?? `Shift ${next()}`;
  const startsAt = new Date(Date.now() + (options.startsInHours ?? 72) * 3_600_000);
  const endsAt = new Date(startsAt.getTime() + (options.hours ?? 3) * 3_600_000);
  const ask = await t.db.kysely
    .insertInto('asks')
    .values({ community_id: community.id, kind: 'shift', title, online: true, status: 'open', published_at: sql<Date>`now()`, first_starts_at: startsAt, last_ends_at: endsAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  const window = await t.db.kysely.insertInto('ask_windows').values({ ask_id: ask.id, starts_at: startsAt, ends_at: endsAt, slots: options.slots ?? 2 }).returning('id').executeTakeFirstOrThrow();
  return { id: ask.id, title, windowId: window.id, startsAt };
}
