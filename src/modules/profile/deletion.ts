import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import type { AppContext, ContentMode } from '../../platform/module.js';
import { verifyPassword } from '../accounts/index.js';
import * as repo from './profile.repository.js';

export type { ContentMode, DeletionHandler } from '../../platform/module.js';
export const CONTENT_MODES: readonly ContentMode[] = ['delete', 'anonymise'];

export type DeletionResult = 'deleted' | 'wrong_password' | 'not_found';

/**
 * Deletes an account after checking the password, in one transaction: module handlers, the
 * person's row (cascading to their profile, sessions and tokens), their mail, and a record of the
 * id for `alongside purge-deleted`. The audit entry has no actor: the person no longer exists.
 */
export async function deleteAccount(ctx: AppContext, input: { userId: string; password: string; mode: ContentMode; requestId: string }): Promise<DeletionResult> {
  const { db } = ctx;
  const credentials = await repo.findCredentials(db.kysely, input.userId);
  if (!(await verifyPassword(credentials?.passwordHash, input.password))) return credentials ? 'wrong_password' : 'not_found';
  return db.kysely.transaction().execute(async (trx) => {
    // Each module's own content first (in the module list's order), while the person's row still exists.
    for (const module of ctx.modules) await module.deletion?.(trx, input.userId, input.mode, ctx);
    await repo.deleteMailTo(trx, credentials!.emailNormalized);
    if (!(await repo.deleteUserRow(trx, input.userId))) return 'not_found';
    await repo.recordDeletedUser(trx, input.userId);
    await audit(trx, { actorId: null, action: 'account.deleted', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { content: input.mode } });
    return 'deleted';
  });
}

/** Deletes again every account recorded as deleted (after a backup is restored); returns how many there were. */
export async function purgeDeleted(db: Db): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const count = await repo.purgeDeletedUsers(trx);
    if (count > 0) await audit(trx, { actorId: null, action: 'account.purged', details: { count } });
    return count;
  });
}
