import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { AppContext } from '../../platform/module.js';
import type { Db, Executor } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { checkbox, email, parseForm, text, type Field, type FieldError, type FormResult } from '../../platform/forms.js';
import type { Locale } from '../../platform/i18n.js';
import { queueMail } from '../../platform/mail/mail.js';
import * as repo from './accounts.repository.js';
import { newPassword, passwordProblem } from './passwords.js';
import { hashToken, newSessionToken } from './tokens.js';

export { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), which ASVS 5.0 Appendix C accepts.
 * `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
 */
export const ARGON2_OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

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


// ---------------------------------------------------------------------------------------------
// Forms

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The token of an e-mail link: 32 random bytes in base64url, nothing else. */
export function emailLinkToken(): Field<string> {
  return {
    parse: (raw) => (typeof raw === 'string' && TOKEN.test(raw) ? { ok: true, value: raw } : { ok: false, error: { key: 'account.token.invalid' } }),
    echo: (raw) => (typeof raw === 'string' && TOKEN.test(raw) ? raw : ''),
  };
}

/** The password someone already has: only required, so that old passwords keep working whatever the rules become. */
function currentPassword(): Field<string> {
  return {
    parse: (raw) =>
      typeof raw !== 'string' || raw === ''
        ? { ok: false, error: { key: 'validation.required' } }
        : raw.length > 1024
          ? { ok: false, error: { key: 'account.password.currentWrong' } }
          : { ok: true, value: raw },
    echo: () => '',
  };
}

export const signupFields = { email: email(), display_name: text({ min: 1, max: 80 }), password: newPassword() };
export const forgotPasswordFields = { email: email() };
export const resetPasswordFields = { token: emailLinkToken(), password: newPassword() };
export const changePasswordFields = { current_password: currentPassword(), password: newPassword(), sign_out_others: checkbox(), keep_tokens: checkbox() };
export const changeEmailFields = { current_password: currentPassword(), email: email() };
export const emailTokenFields = { token: emailLinkToken() };
export const endSessionFields = { session: text({ max: 64, pattern: /^[0-9a-f]{64}$/ }) };

/** Adds one field error to a parse result (a refusal that needs more than one field to decide). */
function refuse<S extends Record<string, Field<unknown>>>(shape: S, body: unknown, name: keyof S & string, error: FieldError): FormResult<S> {
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const echo: Record<string, string | string[]> = {};
  for (const [key, field] of Object.entries(shape)) {
    const raw = Object.hasOwn(input, key) ? input[key] : undefined;
    echo[key] = field.echo ? field.echo(raw) : typeof raw === 'string' ? raw : '';
  }
  return { ok: false, errors: { [name]: error } as never, echo: echo as never, unknown: [] };
}

/** The sign-up form, including the rule that the password is neither the address nor the name. */
export function parseSignupForm(body: unknown): FormResult<typeof signupFields> {
  const result = parseForm(signupFields, body);
  if (!result.ok) return result;
  const problem = passwordProblem(result.value.password, { email: result.value.email, displayName: result.value.display_name });
  return problem ? refuse(signupFields, body, 'password', problem) : result;
}

// ---------------------------------------------------------------------------------------------
// Links sent by mail

const VERIFY_TTL_MS = 24 * 3_600_000;
const RESET_TTL_MS = 30 * 60_000;
const CHANGE_EMAIL_TTL_MS = 24 * 3_600_000;

type Ctx = Pick<AppContext, 'config' | 'db' | 'i18n' | 'secrets'>;

function link(ctx: Ctx, path: string, token: string): string {
  const url = new URL(path, ctx.config.publicUrl);
  url.searchParams.set('token', token);
  return url.href;
}

async function issueToken(
  executor: Executor,
  userId: string,
  purpose: repo.EmailTokenPurpose,
  ttlMs: number,
  newEmail: string | null,
): Promise<string> {
  const { token, tokenHash } = newSessionToken();
  await repo.insertEmailToken(executor, { tokenHash, userId, purpose, newEmail, expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}

async function mail(
  ctx: Ctx,
  executor: Executor,
  to: string,
  locale: Locale,
  name: string,
  values: Record<string, string>,
): Promise<void> {
  const { t } = ctx.i18n.translator(locale);
  await queueMail(executor, { to, subject: t(`mail.account.${name}.subject`), text: t(`mail.account.${name}.text`, values) });
}

/** Shows an address in a mail to someone else without giving it away whole: "ne…@example.org". */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '…';
  return `${[...address.slice(0, at)].slice(0, 2).join('')}…${address.slice(at)}`;
}

/** Whether a link's token is well-formed and still usable, without using it (so a page can say so before the button). */
export async function isUsableToken(ctx: Ctx, token: unknown, purpose: repo.EmailTokenPurpose): Promise<boolean> {
  if (typeof token !== 'string' || !TOKEN.test(token)) return false;
  return (await repo.findUsableEmailToken(ctx.db.kysely, hashToken(token), purpose)) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Sign-up and verification

/**
 * Creates an account and mails a verification link; when the address already has an account,
 * mails that address a notice instead. Both paths hash the password, so neither answers faster.
 */
export async function signUp(
  ctx: Ctx,
  input: { email: string; displayName: string; password: string; locale: Locale; requestId: string },
): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  const emailNormalized = normalizeEmail(input.email);
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const id = await repo.insertUserIfNew(trx, {
      email: input.email,
      emailNormalized,
      displayName: input.displayName,
      passwordHash,
      locale: input.locale,
    });
    if (id) {
      const token = await issueToken(trx, id, 'verify_email', VERIFY_TTL_MS, emailNormalized);
      await mail(ctx, trx, input.email, input.locale, 'verify', { name: input.displayName, link: link(ctx, '/verify-email', token) });
      await audit(trx, { actorId: id, action: 'auth.signup', subjectType: 'user', subjectId: id, requestId: input.requestId });
      return;
    }
    const existing = await repo.findAccountByEmail(trx, emailNormalized);
    if (!existing) return;
    await mail(ctx, trx, existing.email, existing.locale ?? input.locale, 'signupExisting', {
      name: existing.displayName,
      login: new URL('/login', ctx.config.publicUrl).href,
      reset: new URL('/forgot-password', ctx.config.publicUrl).href,
    });
    await audit(trx, {
      actorId: null,
      action: 'auth.signup',
      subjectType: 'user',
      subjectId: existing.id,
      requestId: input.requestId,
      details: { outcome: 'address_taken' },
    });
  });
}

/** Mails a new verification link; false when the address is already verified. */
export async function resendVerification(ctx: Ctx, userId: string, requestId: string): Promise<boolean> {
  const account = await repo.findAccount(ctx.db.kysely, userId);
  if (!account || account.emailVerifiedAt) return false;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const token = await issueToken(trx, account.id, 'verify_email', VERIFY_TTL_MS, account.emailNormalized);
    await mail(ctx, trx, account.email, account.locale ?? ctx.config.defaultLocale, 'verify', {
      name: account.displayName,
      link: link(ctx, '/verify-email', token),
    });
    await audit(trx, { actorId: account.id, action: 'auth.verification_sent', subjectType: 'user', subjectId: account.id, requestId });
  });
  return true;
}

/** Uses a verification link; false when it is unknown, used, expired, or for an address the person no longer has. */
export async function verifyEmail(ctx: Ctx, token: string, requestId: string): Promise<boolean> {
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const used = await repo.consumeEmailToken(trx, hashToken(token), 'verify_email');
    if (!used?.newEmail) return false;
    if (!(await repo.markEmailVerified(trx, used.userId, used.newEmail))) return false;
    await audit(trx, { actorId: used.userId, action: 'auth.email_verified', subjectType: 'user', subjectId: used.userId, requestId });
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Password reset and change

/**
 * Tells the owner that sign-in to their account is paused after many wrong passwords (once per
 * pause): that their own browsers still get in, and a reset link in case the password is known.
 */
export async function noticeLockout(ctx: Ctx, input: { email: string; requestId: string }): Promise<void> {
  const account = await repo.findAccountByEmail(ctx.db.kysely, normalizeEmail(input.email));
  if (!account) return;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.invalidateEmailTokens(trx, account.id, ['reset_password']);
    const token = await issueToken(trx, account.id, 'reset_password', RESET_TTL_MS, null);
    await mail(ctx, trx, account.email, account.locale ?? ctx.config.defaultLocale, 'lockout', { name: account.displayName, link: link(ctx, '/reset-password', token) });
    await audit(trx, { actorId: null, action: 'auth.lockout_notice', subjectType: 'user', subjectId: account.id, requestId: input.requestId });
  });
}

/** Mails a reset link if the address has an account, invalidating older links; the caller answers the same either way. */
export async function requestPasswordReset(ctx: Ctx, input: { email: string; locale: Locale; requestId: string }): Promise<void> {
  const account = await repo.findAccountByEmail(ctx.db.kysely, normalizeEmail(input.email));
  if (!account) return;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.invalidateEmailTokens(trx, account.id, ['reset_password']);
    const token = await issueToken(trx, account.id, 'reset_password', RESET_TTL_MS, null);
    await mail(ctx, trx, account.email, account.locale ?? input.locale, 'reset', { name: account.displayName, link: link(ctx, '/reset-password', token) });
    await audit(trx, { actorId: null, action: 'auth.password_reset_requested', subjectType: 'user', subjectId: account.id, requestId: input.requestId });
  });
}

export type ResetOutcome = { ok: true } | { ok: false; reason: 'token' } | { ok: false; reason: 'password'; error: FieldError };

/** Sets a new password from a reset link and ends every session of the person; it never signs anyone in. */
export async function resetPassword(ctx: Ctx, input: { token: string; password: string; requestId: string }): Promise<ResetOutcome> {
  const tokenHash = hashToken(input.token);
  const found = await repo.findUsableEmailToken(ctx.db.kysely, tokenHash, 'reset_password');
  const account = found ? await repo.findAccount(ctx.db.kysely, found.userId) : undefined;
  if (!account) return { ok: false, reason: 'token' };
  const problem = passwordProblem(input.password, { email: account.email, displayName: account.displayName });
  if (problem) return { ok: false, reason: 'password', error: problem };
  const passwordHash = await hashPassword(input.password);
  return ctx.db.kysely.transaction().execute(async (trx): Promise<ResetOutcome> => {
    if (!(await repo.consumeEmailToken(trx, tokenHash, 'reset_password'))) return { ok: false, reason: 'token' };
    await repo.updatePasswordHash(trx, account.id, passwordHash);
    const ended = await repo.deleteSessionsOfUser(trx, account.id);
    // A reset is how people take back an account: tokens made by whoever held it must end too.
    const revoked = await repo.deleteApiTokensOfUser(trx, account.id);
    await repo.deleteLoginChallenges(trx, account.id);
    await repo.invalidateEmailTokens(trx, account.id, ['reset_password']);
    await audit(trx, {
      actorId: account.id,
      action: 'auth.password_reset',
      subjectType: 'user',
      subjectId: account.id,
      requestId: input.requestId,
      details: { sessions_ended: ended, tokens_revoked: revoked },
    });
    await mail(ctx, trx, account.email, account.locale ?? ctx.config.defaultLocale, 'passwordChanged', {
      name: account.displayName,
      reset: new URL('/forgot-password', ctx.config.publicUrl).href,
    });
    return { ok: true };
  });
}

export type ChangeOutcome = { ok: true } | { ok: false; field: 'current_password' | 'password' | 'email'; error: FieldError };

/** Changes the password after checking the current one; ends the person's other sessions when asked. */
export async function changePassword(
  ctx: Ctx,
  input: { userId: string; currentSessionHash: string | undefined; current: string; password: string; signOutOthers: boolean; keepTokens?: boolean; requestId: string },
): Promise<ChangeOutcome> {
  const account = await repo.findAccount(ctx.db.kysely, input.userId);
  if (!account || !(await verifyPassword(account.passwordHash, input.current))) {
    return { ok: false, field: 'current_password', error: { key: 'account.password.currentWrong' } };
  }
  const problem = passwordProblem(input.password, { email: account.email, displayName: account.displayName });
  if (problem) return { ok: false, field: 'password', error: problem };
  const passwordHash = await hashPassword(input.password);
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.updatePasswordHash(trx, account.id, passwordHash);
    // Without a current session (which a page request always has) "others" would be everyone.
    const ended = input.signOutOthers && input.currentSessionHash ? await repo.deleteSessionsOfUser(trx, account.id, input.currentSessionHash) : 0;
    // "Everywhere else" includes scripts: API tokens end too, unless the person chose to keep them.
    const tokensEnded = input.signOutOthers && !input.keepTokens ? await repo.deleteApiTokensOfUser(trx, account.id) : 0;
    await repo.deleteLoginChallenges(trx, account.id);
    await repo.invalidateEmailTokens(trx, account.id, ['reset_password']);
    await audit(trx, { actorId: account.id, action: 'auth.password_changed', subjectType: 'user', subjectId: account.id, requestId: input.requestId, details: { other_sessions_ended: ended, tokens_ended: tokensEnded } });
    await mail(ctx, trx, account.email, account.locale ?? ctx.config.defaultLocale, 'passwordChanged', {
      name: account.displayName,
      reset: new URL('/forgot-password', ctx.config.publicUrl).href,
    });
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Address change

/**
 * Checks the password and mails a confirmation link to the new address and a notice to the old
 * one. Whether the new address has an account is not said here: confirmation refuses it then.
 */
export async function requestEmailChange(
  ctx: Ctx,
  input: { userId: string; current: string; email: string; requestId: string },
): Promise<ChangeOutcome> {
  const account = await repo.findAccount(ctx.db.kysely, input.userId);
  if (!account || !(await verifyPassword(account.passwordHash, input.current))) {
    return { ok: false, field: 'current_password', error: { key: 'account.password.currentWrong' } };
  }
  if (normalizeEmail(input.email) === account.emailNormalized) return { ok: false, field: 'email', error: { key: 'account.email.same' } };
  const locale = account.locale ?? ctx.config.defaultLocale;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.invalidateEmailTokens(trx, account.id, ['change_email']);
    const token = await issueToken(trx, account.id, 'change_email', CHANGE_EMAIL_TTL_MS, input.email);
    await mail(ctx, trx, input.email, locale, 'changeEmail', { name: account.displayName, link: link(ctx, '/confirm-email', token) });
    await mail(ctx, trx, account.email, locale, 'changeEmailNotice', {
      name: account.displayName,
      masked: maskEmail(input.email),
      reset: new URL('/forgot-password', ctx.config.publicUrl).href,
    });
    await audit(trx, { actorId: account.id, action: 'auth.email_change_requested', subjectType: 'user', subjectId: account.id, requestId: input.requestId });
  });
  return { ok: true };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/** Uses a confirmation link: the address changes now, unless the link is no good or another account took the address. */
export async function confirmEmailChange(ctx: Ctx, token: string, requestId: string): Promise<'changed' | 'invalid' | 'taken'> {
  try {
    return await ctx.db.kysely.transaction().execute(async (trx) => {
      const used = await repo.consumeEmailToken(trx, hashToken(token), 'change_email');
      if (!used?.newEmail) return 'invalid' as const;
      if (!(await repo.updateEmail(trx, used.userId, used.newEmail, normalizeEmail(used.newEmail)))) return 'taken' as const;
      await repo.invalidateEmailTokens(trx, used.userId, ['verify_email', 'change_email']);
      await audit(trx, { actorId: used.userId, action: 'auth.email_changed', subjectType: 'user', subjectId: used.userId, requestId });
      return 'changed' as const;
    });
  } catch (err) {
    // Another account took the address between the check and the update.
    if (isUniqueViolation(err)) return 'taken';
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Account overview and sessions

/** What the account pages show about the person. */
export function getAccount(ctx: Ctx, userId: string): Promise<repo.AccountRecord | undefined> {
  return repo.findAccount(ctx.db.kysely, userId);
}

export interface SessionView {
  /** An opaque id: a keyed hash of the stored hash, so pages never show what identifies a session in the database. */
  id: string;
  deviceHint: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

function sessionId(ctx: Ctx, tokenHash: string): string {
  return ctx.secrets.hmac('session-id', tokenHash);
}

/** The person's sessions, the current one marked. */
export async function listSessions(ctx: Ctx, userId: string, currentSessionHash: string | undefined): Promise<SessionView[]> {
  const sessions = await repo.listSessionsOfUser(ctx.db.kysely, userId);
  return sessions.map((s) => ({
    id: sessionId(ctx, s.tokenHash),
    deviceHint: s.deviceHint,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    current: s.tokenHash === currentSessionHash,
  }));
}

/** Ends one of the person's sessions by its opaque id: 'current' when it was the one asking. */
export async function endSession(
  ctx: Ctx,
  input: { userId: string; id: string; currentSessionHash: string | undefined; requestId: string },
): Promise<'ended' | 'current' | 'unknown'> {
  const sessions = await repo.listSessionsOfUser(ctx.db.kysely, input.userId);
  const wanted = Buffer.from(input.id);
  const match = sessions.find((s) => {
    const candidate = Buffer.from(sessionId(ctx, s.tokenHash));
    return candidate.length === wanted.length && timingSafeEqual(candidate, wanted);
  });
  if (!match) return 'unknown';
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.deleteSessionOfUser(trx, input.userId, match.tokenHash);
    await audit(trx, { actorId: input.userId, action: 'auth.session_ended', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { sessions: 1 } });
  });
  return match.tokenHash === input.currentSessionHash ? 'current' : 'ended';
}

/** Ends every session of the person but the current one; returns how many ended. */
export async function endOtherSessions(ctx: Ctx, input: { userId: string; currentSessionHash: string | undefined; requestId: string }): Promise<number> {
  if (!input.currentSessionHash) return 0;
  const currentSessionHash = input.currentSessionHash;
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const ended = await repo.deleteSessionsOfUser(trx, input.userId, currentSessionHash);
    await audit(trx, { actorId: input.userId, action: 'auth.session_ended', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { sessions: ended, others: true } });
    return ended;
  });
}
