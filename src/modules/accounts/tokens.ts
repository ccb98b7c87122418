import { createHash, randomBytes } from 'node:crypto';

/** A 256-bit random session token and the SHA-256 digest that is stored instead of it. */
export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

/** SHA-256 of a token, hex: what is stored instead of session and challenge tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
