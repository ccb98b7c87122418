import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import * as repo from './api-tokens.repository.js';
import { hashToken } from './session.service.js';

/** Personal API tokens carry a recognisable prefix, so that leaked ones can be found by secret scanners. */
export const TOKEN_PREFIX = 'alg_';
const TOUCH_EVERY_MS = 60_000;

/** Creates a token; the clear value is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  input: { userId: string; name: string; scope: 'read' | 'write'; requestId: string },
): Promise<{ id: string; token: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = await db.kysely.transaction().execute(async (trx) => {
    const tokenId = await repo.insertToken(trx, { userId: input.userId, name: input.name, tokenHash: hashToken(token), scope: input.scope });
    await audit(trx, {
      actorId: input.userId,
      action: 'auth.token_created',
      subjectType: 'api_token',
      subjectId: tokenId,
      requestId: input.requestId,
      details: { scope: input.scope },
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

export { listTokens } from './api-tokens.repository.js';
