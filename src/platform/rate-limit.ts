import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from './module.js';
import type { Executor } from '../db/client.js';
import { HttpError } from './errors.js';

/** A limit: at most `limit` hits per `windowSeconds`. */
export interface Limit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** The limits of the account routes, at least as tight as Mastodon's. */
export const LIMITS = {
  loginPerIp: { bucket: 'login:ip', limit: 25, windowSeconds: 300 },
  loginPerAccount: { bucket: 'login:account', limit: 25, windowSeconds: 3600 },
  // The owner's own browser still gets this many tries an hour while strangers have the account's limit spent.
  loginPerDevice: { bucket: 'login:device', limit: 25, windowSeconds: 3600 },
  signupPerIp: { bucket: 'signup:ip', limit: 5, windowSeconds: 1800 },
  resetPerEmail: { bucket: 'reset:email', limit: 5, windowSeconds: 1800 },
  resetPerIp: { bucket: 'reset:ip', limit: 25, windowSeconds: 1800 },
  tokenPerIp: { bucket: 'token:ip', limit: 25, windowSeconds: 300 },
  secondFactorPerAccount: { bucket: '2fa:account', limit: 10, windowSeconds: 900 },
} satisfies Record<string, Limit>;

export interface RateDecision {
  allowed: boolean;
  /** Hits in the window so far, this one included. */
  hits: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

/**
 * Counts one hit against a fixed window kept in the database, so that every app process shares
 * the count. `keyHash` must already be a keyed hash (Secrets.hmac): addresses are never stored.
 */
export async function hit(db: Executor, limit: Limit, keyHash: string): Promise<RateDecision> {
  const result = await sql<{ hits: number; retry_after: number }>`
    insert into rate_limits as r (bucket, key_hash, window_start, hits)
    values (${limit.bucket}, ${keyHash}, now(), 1)
    on conflict (bucket, key_hash) do update set
      hits = case when r.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) then 1 else r.hits + 1 end,
      window_start = case when r.window_start <= now() - make_interval(secs => ${limit.windowSeconds}) then now() else r.window_start end
    returning hits,
      greatest(1, ceil(extract(epoch from (window_start + make_interval(secs => ${limit.windowSeconds}) - now()))))::int as retry_after`.execute(db);
  const row = result.rows[0]!;
  return { allowed: row.hits <= limit.limit, hits: Number(row.hits), retryAfter: Number(row.retry_after) };
}

/** Forgets counters whose window ended long ago. */
export async function pruneRateLimits(db: Executor, olderThanSeconds = 86_400): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Counts one hit against a limit under the keyed hash of `key`; the caller decides what a refusal means. */
export function countHit(ctx: Pick<AppContext, 'db' | 'secrets'>, limit: Limit, key: string): Promise<RateDecision> {
  return hit(ctx.db.kysely, limit, ctx.secrets.hmac(`rate:${limit.bucket}`, key));
}

/**
 * Counts a hit against each limit (every limit counts, so an attacker cannot probe which one
 * refused), and refuses with 429 and Retry-After when any is exceeded.
 */
export async function enforceLimits(ctx: AppContext, reply: FastifyReply, limits: Array<[Limit, string]>): Promise<void> {
  let retryAfter = 0;
  for (const [limit, key] of limits) {
    const decision = await hit(ctx.db.kysely, limit, ctx.secrets.hmac(`rate:${limit.bucket}`, key));
    if (!decision.allowed) retryAfter = Math.max(retryAfter, decision.retryAfter);
  }
  if (retryAfter > 0) {
    reply.header('retry-after', String(retryAfter));
    throw new HttpError(429, 'rate_limited');
  }
}
