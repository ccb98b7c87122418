import type { Db, Executor } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { verifyPassword } from '../accounts/index.js';
import * as repo from './profile.repository.js';

/** What happens to what a deleted person wrote: removed, or kept without their name. */
export type ContentMode = 'delete' | 'anonymise';
export const CONTENT_MODES: readonly ContentMode[] = ['delete', 'anonymise'];

/**
 * A module's part of deleting an account. It runs inside the deletion transaction, before the
 * person's row goes, and either deletes what they wrote or detaches it from them. Modules that
 * hold content written by people (stories, asks, comments…) register one from their index.ts;
 * anything they leave pointing at the user row must use `on delete cascade` or `set null`.
 */
export type DeletionHandler = (trx: Executor, userId: string, mode: ContentMode) => Promise<void>;

const handlers = new Map<string, DeletionHandler>();

/** Registers a module's deletion handler under its name; registering the same name again replaces it. */
export function registerDeletionHandler(name: string, handler: DeletionHandler): void {
  handlers.set(name, handler);
}

/** The names of the registered handlers, in the order they run. */
export function deletionHandlerNames(): string[] {
  return [...handlers.keys()];
}

export type DeletionResult = 'deleted' | 'wrong_password' | 'not_found';

/**
 * Deletes an account after checking the password, in one transaction: module handlers, the
 * person's row (cascading to their profile, sessions and tokens), their mail, and a record of the
 * id for `alongside purge-deleted`. The audit entry has no actor: the person no longer exists.
 */
export async function deleteAccount(db: Db, input: { userId: string; password: string; mode: ContentMode; requestId: string }): Promise<DeletionResult> {
  const credentials = await repo.findCredentials(db.kysely, input.userId);
  if (!(await verifyPassword(credentials?.passwordHash, input.password))) return credentials ? 'wrong_password' : 'not_found';
  return db.kysely.transaction().execute(async (trx) => {
    for (const handler of handlers.values()) await handler(trx, input.userId, input.mode);
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
