import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/module.js';
import type { Config } from '../../config.js';
import type { Executor } from '../../db/client.js';
import type { Database } from '../../db/schema.js';
import { audit } from '../../platform/audit.js';
import type { MessageValues, Translator } from '../../platform/i18n.js';
import { enqueue, type JobHandler } from '../../platform/jobs/index.js';
import { queueMail } from '../../platform/mail/mail.js';
import { resolveSecretKey, Secrets } from '../../platform/secrets.js';
import type { Preferences } from './notifications.form.js';
import { NOTIFICATION_KINDS, unsubscribeQuery, verifyUnsubscribe, type NotificationKind } from './notifications.kinds.js';
import * as repo from './notifications.repository.js';

export const SHIFT_REMINDER_JOB = 'shift_reminder';
export const ORGANIZER_DIGEST_JOB = 'organizer_digest';

const HOUR = 3_600_000;
const UNSUBSCRIBE_PURPOSE = 'unsubscribe';

/**
 * What sending a notification needs. `secrets` may be left out by callers that only carry
 * configuration; it is then derived from the same master key the app uses.
 */
export type NotifyCtx = Pick<AppContext, 'config' | 'i18n'> & Partial<Pick<AppContext, 'secrets'>>;

const derived = new WeakMap<Config, Secrets>();

function secretsOf(ctx: NotifyCtx): Secrets {
  if (ctx.secrets) return ctx.secrets;
  let secrets = derived.get(ctx.config);
  if (!secrets) {
    secrets = new Secrets(resolveSecretKey(ctx.config));
    derived.set(ctx.config, secrets);
  }
  return secrets;
}

function signer(ctx: NotifyCtx): (value: string) => string {
  const secrets = secretsOf(ctx);
  return (value) => secrets.hmac(UNSUBSCRIBE_PURPOSE, value);
}

function absolute(ctx: NotifyCtx, path: string): string {
  return new URL(path, ctx.config.publicUrl).toString();
}

/** The signed one-click unsubscribe link of one person and kind. */
export function unsubscribeUrl(ctx: NotifyCtx, userId: string, kind: NotificationKind): string {
  return absolute(ctx, `/unsubscribe?${unsubscribeQuery(signer(ctx), userId, kind)}`);
}

/** The person and kind of an unsubscribe link, when its signature is right. */
export function checkUnsubscribe(ctx: NotifyCtx, query: unknown): { userId: string; kind: NotificationKind } | undefined {
  return verifyUnsubscribe(signer(ctx), query);
}

/** A mail's words: message keys and their values, or a function writing them in the recipient's language. */
export type NotifyMessage =
  | { subject: string; text: string; values?: MessageValues }
  | ((t: Translator, recipient: { name: string }) => { subject: string; text: string });

/** What to notify whom about. */
export interface NotifyInput {
  userId: string;
  kind: NotificationKind;
  message: NotifyMessage;
  /** Makes the mail idempotent, for handlers that may run twice. */
  dedupeKey?: string;
}

/**
 * Queues a mail of this kind to the person in the caller's transaction, in their language, with a
 * signed unsubscribe link in the text and the List-Unsubscribe headers; nothing when they turned
 * the kind off or the account is gone. Returns whether a mail was queued.
 */
export async function notify(ctx: NotifyCtx, trx: Executor, input: NotifyInput): Promise<boolean> {
  const person = await repo.recipient(trx, input.userId);
  if (!person) return false;
  if ((await repo.disabledKinds(trx, input.userId)).has(input.kind)) return false;
  const translator = ctx.i18n.translator(person.locale ?? ctx.config.defaultLocale);
  const { t } = translator;
  const words =
    typeof input.message === 'function'
      ? input.message(translator, { name: person.displayName })
      : { subject: t(input.message.subject, { ...input.message.values, name: person.displayName }), text: t(input.message.text, { ...input.message.values, name: person.displayName }) };
  const link = unsubscribeUrl(ctx, input.userId, input.kind);
  const footer = t('mail.notifications.footer', { kind: t(`notifications.kind.${input.kind}`), unsubscribe: link, settings: absolute(ctx, '/account/notifications') });
  await queueMail(trx, { to: person.email, subject: words.subject, text: `${words.text.trimEnd()}\n\n-- \n${footer}\n`, unsubscribeUrl: link }, input.dedupeKey ? { dedupeKey: input.dedupeKey } : {});
  return true;
}

/** Every kind with the person's choice (on unless turned off). */
export async function getPreferences(db: Executor, userId: string): Promise<Preferences> {
  const off = await repo.disabledKinds(db, userId);
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, !off.has(k)])) as Preferences;
}

/** Saves every kind's choice in one transaction, with an audit entry (which kinds, nothing else). */
export async function savePreferences(ctx: Pick<AppContext, 'db'>, input: { userId: string; preferences: Preferences; requestId: string }): Promise<void> {
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.setPreferences(trx, input.userId, input.preferences);
    const off = NOTIFICATION_KINDS.filter((k) => !input.preferences[k]);
    await audit(trx, { actorId: input.userId, action: 'notifications.preferences', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { off: off.join(',') } });
  });
}

/** Whether the person still gets this kind of mail; undefined when the account is gone. */
export async function isSubscribed(ctx: Pick<AppContext, 'db'>, userId: string, kind: NotificationKind): Promise<boolean | undefined> {
  if (!(await repo.userExists(ctx.db.kysely, userId))) return undefined;
  return !(await repo.disabledKinds(ctx.db.kysely, userId)).has(kind);
}

/** Turns one kind off for the person behind a signed link. Returns false when the account is gone. */
export async function unsubscribe(ctx: Pick<AppContext, 'db'>, input: { userId: string; kind: NotificationKind; requestId: string }): Promise<boolean> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    if (!(await repo.userExists(trx, input.userId))) return false;
    await repo.setPreferences(trx, input.userId, { [input.kind]: false });
    await audit(trx, { actorId: input.userId, action: 'notifications.unsubscribed', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { kind: input.kind } });
    return true;
  });
}

// ---- Reminders ----------------------------------------------------------------------------------

/** When a reminder is due: a day before the start, or now when less is left; never once it started. */
export function reminderRunAt(startsAt: Date, now: Date): Date | undefined {
  if (startsAt.getTime() <= now.getTime()) return undefined;
  return new Date(Math.max(now.getTime(), startsAt.getTime() - 24 * HOUR));
}

/**
 * Schedules the reminder of a pledged commitment to a shift window or an event, in the caller's
 * transaction. One per commitment: scheduling again (a retry, a promotion) changes nothing.
 */
export async function scheduleReminder(trx: Executor, commitmentId: string, now: Date = new Date()): Promise<boolean> {
  const facts = await repo.reminderFacts(trx, commitmentId);
  if (!facts || facts.state !== 'pledged' || !facts.startsAt) return false;
  const runAt = reminderRunAt(facts.startsAt, now);
  if (!runAt) return false;
  return (await enqueue(trx, SHIFT_REMINDER_JOB, { commitmentId }, { runAt, dedupeKey: `shift_reminder:${commitmentId}` })) !== undefined;
}

const WHEN: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/** The start in the ask's own time zone, named, so a reader elsewhere is not misled. */
function formatWhen(locale: string, zone: string, date: Date): string {
  try {
    return new Intl.DateTimeFormat(locale, { ...WHEN, timeZone: zone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { ...WHEN, timeZone: 'UTC' }).format(date);
  }
}

/** What the job handlers need: the database, languages, configuration and secrets. */
export type JobsCtx = Pick<AppContext, 'db' | 'config' | 'i18n' | 'secrets'>;

/**
 * Sends a reminder only while it still makes sense: the commitment is pledged, its time has not
 * come, the ask is not closed, the person is not resting and wants reminders. The mail's dedupe
 * key makes a second run a no-op.
 */
export async function sendReminder(ctx: JobsCtx, commitmentId: string, now: Date = new Date()): Promise<boolean> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const facts = await repo.reminderFacts(trx, commitmentId);
    // A reminder queued for a commitment that is no longer live (withdrawn, ended by a block,
    // confirmed) or of a person the community blocked does nothing when it runs.
    if (!facts || !facts.userId || facts.state !== 'pledged' || facts.blocked || !facts.startsAt || facts.startsAt.getTime() <= now.getTime()) return false;
    if (facts.askStatus === 'closed' || facts.askStatus === 'draft') return false;
    const person = await repo.recipient(trx, facts.userId);
    if (!person || person.restMode) return false;
    const startsAt = facts.startsAt;
    const userId = facts.userId;
    return notify(ctx, trx, {
      userId,
      kind: 'shift_reminder',
      dedupeKey: `mail:shift_reminder:${commitmentId}`,
      message: (tr, { name }) => {
        const values = { name, title: facts.askTitle, community: facts.communityName, when: formatWhen(tr.locale, facts.timeZone, startsAt), link: absolute(ctx, `/commitments/${commitmentId}`) };
        return { subject: tr.t('mail.reminder.subject', values), text: tr.t('mail.reminder.text', values) };
      },
    });
  });
}

// ---- Organizer digest ---------------------------------------------------------------------------

/** The UTC day a digest belongs to, as YYYY-MM-DD. */
export function digestDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Hourly: makes sure today's digest job exists (once per day, whichever worker gets there first). */
export async function enqueueDailyDigest(db: Kysely<Database>, now: Date = new Date()): Promise<void> {
  const date = digestDate(now);
  await enqueue(db, ORGANIZER_DIGEST_JOB, { date }, { dedupeKey: `digest:${date}` });
}

/** Groups digest lines per organizer, then per community, keeping their order. */
export function groupDigest(lines: repo.DigestLine[]): Map<string, Array<{ communityName: string; asks: repo.DigestLine[] }>> {
  const out = new Map<string, Array<{ communityName: string; asks: repo.DigestLine[] }>>();
  for (const line of lines) {
    const communities = out.get(line.organizerId) ?? [];
    let group = communities.find((c) => c.asks[0]?.communityId === line.communityId);
    if (!group) {
      group = { communityName: line.communityName, asks: [] };
      communities.push(group);
    }
    group.asks.push(line);
    out.set(line.organizerId, communities);
  }
  return out;
}

/**
 * Sends each organizer with commitments waiting for confirmation one mail for the day, listing
 * them per community with a link to each ask's confirmation page. Returns how many were queued.
 */
export async function sendDigests(ctx: JobsCtx, date: string, now: Date = new Date()): Promise<number> {
  const grouped = groupDigest(await repo.digestLines(ctx.db.kysely, now));
  let sent = 0;
  for (const [organizerId, communities] of grouped) {
    const queued = await ctx.db.kysely.transaction().execute((trx) =>
      notify(ctx, trx, {
        userId: organizerId,
        kind: 'organizer_digest',
        dedupeKey: `mail:organizer_digest:${date}:${organizerId}`,
        message: (tr, { name }) => {
          const total = communities.reduce((n, c) => n + c.asks.reduce((m, a) => m + a.waiting, 0), 0);
          const sections = communities.map((c) =>
            [tr.t('mail.digest.community', { community: c.communityName }), ...c.asks.map((a) => tr.t('mail.digest.ask', { title: a.askTitle, count: a.waiting, link: absolute(ctx, `/asks/${a.askId}/confirm`) }))].join('\n'),
          );
          return { subject: tr.t('mail.digest.subject', { count: total }), text: [tr.t('mail.digest.intro', { name, count: total }), ...sections].join('\n\n') };
        },
      }),
    );
    if (queued) sent += 1;
  }
  return sent;
}

function payloadString(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

/** The job handlers of notifications, and the hourly task that enqueues the daily digest. */
export function notificationJobs(ctx: JobsCtx): Record<string, JobHandler> {
  return {
    [SHIFT_REMINDER_JOB]: async (job, { log }) => {
      const id = payloadString(job.payload, 'commitmentId');
      if (!id) return;
      const sent = await sendReminder(ctx, id);
      log.debug({ sent }, 'shift reminder handled');
    },
    [ORGANIZER_DIGEST_JOB]: async (job, { log }) => {
      const date = payloadString(job.payload, 'date') ?? digestDate(new Date());
      const sent = await sendDigests(ctx, date);
      log.info({ sent }, 'organizer digests queued');
    },
  };
}

/** Housekeeping: the daily digest is enqueued once a day (a dedupe key makes every worker's try one job). */
export const notificationMaintenance = [(db: Kysely<Database>) => enqueueDailyDigest(db)];
