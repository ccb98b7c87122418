import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import * as repo from './accounts.repository.js';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), which ASVS 5.0 Appendix C accepts.
 * `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
 */
export const ARGON2_OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// Verified against when no account matches, so that a wrong address costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Checks a password against its hash; without a hash it spends the same time and fails. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** Addresses compare without case or surrounding space, in Unicode NFC. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** Creates an instance admin, or makes an existing account one with the given password. */
export async function createAdmin(db: Db, input: { email: string; displayName: string; password: string }): Promise<string> {
  const passwordHash = await hashPassword(input.password);
  return db.kysely.transaction().execute(async (trx) => {
    const id = await repo.upsertUser(trx, {
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      displayName: input.displayName.trim(),
      passwordHash,
      role: 'admin',
      verified: true,
    });
    await audit(trx, { actorId: null, action: 'admin.created', subjectType: 'user', subjectId: id, details: { via: 'cli' } });
    return id;
  });
}

