import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../platform/module.js';
import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { countHit, LIMITS } from '../../platform/rate-limit.js';
import { normalizeEmail, verifyPassword } from './accounts.service.js';
import * as repo from './api-tokens.repository.js';
import { hashToken } from './tokens.js';
import { verifySecondFactor } from './two-factor.service.js';

/** Personal API tokens carry a recognisable prefix, so that leaked ones can be found by secret scanners. */
export const TOKEN_PREFIX = 'alg_';
const TOUCH_EVERY_MS = 60_000;

/** Creates a token; the clear value is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  input: { userId: string; name: string; scope: 'read' | 'write'; expiresAt?: Date | null; requestId: string },
): Promise<{ id: string; token: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = await db.kysely.transaction().execute(async (trx) => {
    const tokenId = await repo.insertToken(trx, { userId: input.userId, name: input.name, tokenHash: hashToken(token), scope: input.scope, expiresAt: input.expiresAt ?? null });
    await audit(trx, {
      actorId: input.userId,
      action: 'auth.token_created',
      subjectType: 'api_token',
      subjectId: tokenId,
      requestId: input.requestId,
      details: { scope: input.scope, expires: input.expiresAt ? 'dated' : 'never' },
    });
    return tokenId;
  });
  return { id, token };
}

/** The person and scope behind a bearer token, or undefined. Records when it was last used (to the minute). */
export async function resolveApiToken(db: Db, token: string) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length !== TOKEN_PREFIX.length + 43) return undefined;
  const found = await repo.findLiveToken(db.kysely, hashToken(token));
  if (!found) return undefined;
  if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > TOUCH_EVERY_MS) await repo.touchToken(db.kysely, found.id);
  return found;
}

/** Revokes a token of the person. */
export async function revokeApiToken(db: Db, input: { userId: string; tokenId: string; requestId: string }): Promise<boolean> {
  return db.kysely.transaction().execute(async (trx) => {
    const removed = await repo.deleteToken(trx, input.userId, input.tokenId);
    if (removed) {
      await audit(trx, { actorId: input.userId, action: 'auth.token_revoked', subjectType: 'api_token', subjectId: input.tokenId, requestId: input.requestId });
    }
    return removed;
  });
}

export type IssueOutcome =
  | { ok: true; id: string; token: string }
  | { ok: false; reason: 'invalid_credentials' | 'second_factor_required' | 'second_factor_invalid' | 'email_unconfirmed' }
  | { ok: false; reason: 'rate_limited'; retryAfter: number };

/**
 * Issues a token to a client that proves the password (and the second factor when it is on), for
 * scripts that have no session. A refusal never says whether the address has an account: unknown
 * addresses cost the same password check, and suspended accounts are refused alike.
 */
export async function issueApiToken(
  ctx: AppContext,
  input: { email: string; password: string; otp: string | null; name: string; scope: 'read' | 'write'; expiresAt?: Date | null; requestId: string },
): Promise<IssueOutcome> {
  const account = await repo.findTokenCredentials(ctx.db.kysely, normalizeEmail(input.email));
  const passwordOk = await verifyPassword(account?.passwordHash, input.password);
  if (!account || !passwordOk || account.suspendedAt) {
    await audit(ctx.db.kysely, {
      actorId: account?.id ?? null,
      action: 'auth.token_refused',
      requestId: input.requestId,
      details: { reason: !account ? 'unknown_account' : passwordOk ? 'suspended' : 'bad_password' },
    });
    return { ok: false, reason: 'invalid_credentials' };
  }
  if (account.secondFactor) {
    // Only someone who knows the password learns that a second factor is needed.
    if (!input.otp) return { ok: false, reason: 'second_factor_required' };
    // One budget of guesses per account, shared with the sign-in page's second step.
    const budget = await countHit(ctx, LIMITS.secondFactorPerAccount, account.id);
    if (!budget.allowed) return { ok: false, reason: 'rate_limited', retryAfter: budget.retryAfter };
    if (!(await verifySecondFactor(ctx, account.id, input.otp, { requestId: input.requestId }))) {
      await audit(ctx.db.kysely, { actorId: account.id, action: 'auth.token_refused', requestId: input.requestId, details: { reason: 'bad_second_factor' } });
      return { ok: false, reason: 'second_factor_invalid' };
    }
  }
  // Only someone who proved the password and the second factor learns that the address is unconfirmed.
  if (!account.confirmed) return { ok: false, reason: 'email_unconfirmed' };
  const created = await createApiToken(ctx.db, { userId: account.id, name: input.name, scope: input.scope, expiresAt: input.expiresAt ?? null, requestId: input.requestId });
  return { ok: true, ...created };
}

export { listTokens } from './api-tokens.repository.js';
