import { randomInt, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { AppContext } from '../../platform/module.js';
import type { Executor } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { queueMail } from '../../platform/mail/mail.js';
import { verifyPassword } from './accounts.service.js';
import { openSession } from './session.service.js';
import { hashToken } from './tokens.js';
import * as repo from './two-factor.repository.js';
import { fail, type Field } from '../../platform/forms.js';

// What authenticator apps expect when the URI does not say otherwise.
const ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps of clock drift accepted either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
/** Wrong answers a sign-in challenge survives before it is deleted. */
export const MAX_CHALLENGE_ATTEMPTS = 5;
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 10;
// No 0/o, 1/i/l: codes are read from paper and typed by hand.
export const RECOVERY_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const ISSUER = 'Alongside';

// ---------------------------------------------------------------------------------------------
// TOTP, pure

/** The TOTP time step a moment falls in. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of one time step. */
export function totpCodeAt(secretBase32: string, step: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: ALGORITHM, digits: TOTP_DIGITS, counter: step });
}

function sameCode(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The time step whose code `code` is, looking only at the current step and TOTP_DRIFT_STEPS
 * either side, and only at steps later than `lastStep` (a code is good once). Undefined when none.
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number, lastStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const now = totpStep(nowMs);
  let found: number | undefined;
  // Every candidate is computed, so the time taken does not say which step matched.
  for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step += 1) {
    if (lastStep !== null && step <= lastStep) continue;
    if (sameCode(totpCodeAt(secretBase32, step), code) && found === undefined) found = step;
  }
  return found;
}

/** A new random 160-bit secret, base32 (the length RFC 4226 recommends for SHA-1). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(secretBase32: string, accountLabel: string): string {
  return new TOTP({
    issuer: ISSUER,
    label: accountLabel,
    secret: Secret.fromBase32(secretBase32),
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/** The QR code of a URI as an SVG data: URL (the CSP allows data: images, and no script is needed). */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** A key split in groups of four for typing by hand. */
export function groupKey(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

// ---------------------------------------------------------------------------------------------
// Recovery codes, pure

/** A new random recovery code (about 50 bits). */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i += 1) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code;
}

/** A recovery code as people read it: two groups of five. */
export function formatRecoveryCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What people type, made comparable: no spaces or dashes, lower case. */
export function normalizeRecoveryCode(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s-]/g, '').toLowerCase();
}

const RECOVERY_PATTERN = new RegExp(`^[${RECOVERY_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);

/** Whether a normalised value has the shape of a recovery code. */
export function isRecoveryCode(normalized: string): boolean {
  return RECOVERY_PATTERN.test(normalized);
}

/** A TOTP code as typed, made comparable: digits only (people type "123 456"). */
export function normalizeTotpCode(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s-]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Form fields

function rawString(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw : undefined;
}

/** A six-digit code from the authenticator app; spaces and dashes are ignored. */
export function totpCodeField(): Field<string> {
  return {
    parse(raw) {
      if (raw !== undefined && raw !== null && rawString(raw) === undefined) return fail('validation.invalid');
      const value = normalizeTotpCode((rawString(raw) ?? '').slice(0, 64));
      if (value === '') return fail('validation.required');
      return /^\d{6}$/.test(value) ? { ok: true, value } : fail('twofactor.codeFormat');
    },
    echo: () => '',
  };
}

/** A recovery code; spaces, dashes and case are ignored. */
export function recoveryCodeField(): Field<string> {
  return {
    parse(raw) {
      if (raw !== undefined && raw !== null && rawString(raw) === undefined) return fail('validation.invalid');
      const value = normalizeRecoveryCode((rawString(raw) ?? '').slice(0, 64));
      if (value === '') return fail('validation.required');
      return isRecoveryCode(value) ? { ok: true, value } : fail('twofactor.recoveryCodeFormat');
    },
    echo: () => '',
  };
}

/** Either a six-digit code or a recovery code, normalised. */
export function anyCodeField(): Field<string> {
  const totp = totpCodeField();
  const recovery = recoveryCodeField();
  return {
    parse(raw) {
      const asTotp = totp.parse(raw);
      if (asTotp.ok) return asTotp;
      const asRecovery = recovery.parse(raw);
      if (asRecovery.ok) return asRecovery;
      return asTotp.error.key === 'twofactor.codeFormat' ? fail('twofactor.anyCodeFormat') : asTotp;
    },
    echo: () => '',
  };
}

// ---------------------------------------------------------------------------------------------
// Use cases

function recoveryHash(ctx: AppContext, userId: string, normalized: string): string {
  return ctx.secrets.hmac('recovery-code', `${userId}:${normalized}`);
}

function openSecret(ctx: AppContext, sealed: string): string {
  return ctx.secrets.decrypt('totp', sealed);
}

function translatorFor(ctx: AppContext, user: repo.TwoFactorUser) {
  return ctx.i18n.translator(user.locale ?? ctx.config.defaultLocale);
}

async function queueNotice(ctx: AppContext, executor: Executor, user: repo.TwoFactorUser, kind: 'enabled' | 'disabled' | 'codes' | 'recoveryUsed') {
  const { t } = translatorFor(ctx, user);
  await queueMail(executor, {
    to: user.email,
    subject: t(`twofactor.mail.${kind}.subject`),
    text: [
      t('twofactor.mail.greeting', { name: user.displayName }),
      '',
      t(`twofactor.mail.${kind}.body`),
      '',
      t('twofactor.mail.notYou'),
      '',
      new URL('/account/two-factor', ctx.config.publicUrl).toString(),
    ].join('\n'),
  });
}

/** New recovery codes: the plain codes to show once, and the keyed hashes to store. */
function makeRecoveryCodes(ctx: AppContext, userId: string): { codes: string[]; hashes: string[] } {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  const list = [...codes];
  return { codes: list, hashes: list.map((code) => recoveryHash(ctx, userId, code)) };
}

type SecondFactorKind = 'totp' | 'recovery';

async function checkSecondFactor(
  ctx: AppContext,
  userId: string,
  rawCode: string,
  requestId: string | undefined,
): Promise<SecondFactorKind | undefined> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  if (!user?.totpEnabledAt || !user.totpSecret) return undefined;
  const totp = normalizeTotpCode(rawCode);
  if (/^\d{6}$/.test(totp)) {
    const step = matchTotpStep(openSecret(ctx, user.totpSecret), totp, Date.now(), user.totpLastStep);
    if (step === undefined) return undefined;
    // The update only succeeds if no other request used this step or a later one meanwhile.
    return (await repo.claimTotpStep(ctx.db.kysely, userId, step)) ? 'totp' : undefined;
  }
  const recovery = normalizeRecoveryCode(rawCode);
  if (!isRecoveryCode(recovery)) return undefined;
  return ctx.db.kysely.transaction().execute(async (trx) => {
    if (!(await repo.useRecoveryCode(trx, userId, recoveryHash(ctx, userId, recovery)))) return undefined;
    const remaining = await repo.countUnusedRecoveryCodes(trx, userId);
    await audit(trx, { actorId: userId, action: 'auth.recovery_code_used', requestId, details: { remaining } });
    await queueNotice(ctx, trx, user, 'recoveryUsed');
    return 'recovery' as const;
  });
}

/**
 * Checks a second factor of a person who has one turned on: a current TOTP code (once only: a
 * code of a step already used is refused) or an unused recovery code (then marked used).
 */
export async function verifySecondFactor(ctx: AppContext, userId: string, code: string, options: { requestId?: string } = {}): Promise<boolean> {
  return (await checkSecondFactor(ctx, userId, code.slice(0, 64), options.requestId)) !== undefined;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

/** Whether a person has a second factor, since when, and how many recovery codes are left. */
export async function getTwoFactorStatus(ctx: AppContext, userId: string): Promise<TwoFactorStatus> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  const enabled = !!user?.totpEnabledAt;
  return {
    enabled,
    enabledAt: user?.totpEnabledAt ?? null,
    recoveryCodesLeft: enabled ? await repo.countUnusedRecoveryCodes(ctx.db.kysely, userId) : 0,
  };
}

export interface SetupDetails {
  /** The base32 secret, shown once for typing by hand. */
  secret: string;
  uri: string;
  qr: string;
}

async function setupDetails(secret: string, email: string): Promise<SetupDetails> {
  const uri = otpauthUri(secret, email);
  return { secret, uri, qr: await qrDataUrl(uri) };
}

/** Starts (or starts over) enrolment after checking the password: stores a new secret, encrypted and not yet on. */
export async function startTwoFactorSetup(
  ctx: AppContext,
  userId: string,
  password: string,
): Promise<{ ok: true; setup: SetupDetails } | { ok: false; reason: 'wrong_password' | 'already_enabled' }> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  if (!user || !(await verifyPassword(user.passwordHash, password))) return { ok: false, reason: 'wrong_password' };
  if (user.totpEnabledAt) return { ok: false, reason: 'already_enabled' };
  const secret = newTotpSecret();
  if (!(await repo.storePendingSecret(ctx.db.kysely, userId, ctx.secrets.encrypt('totp', secret)))) return { ok: false, reason: 'already_enabled' };
  return { ok: true, setup: await setupDetails(secret, user.email) };
}

/** Turns the second factor on when the first code from the app is right; gives the recovery codes to show once. */
export async function enableTwoFactor(
  ctx: AppContext,
  userId: string,
  code: string,
  requestId: string,
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong_code' | 'no_setup' | 'already_enabled' }> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  if (!user) return { ok: false, reason: 'no_setup' };
  if (user.totpEnabledAt) return { ok: false, reason: 'already_enabled' };
  if (!user.totpSecret) return { ok: false, reason: 'no_setup' };
  const step = matchTotpStep(openSecret(ctx, user.totpSecret), normalizeTotpCode(code), Date.now(), null);
  if (step === undefined) return { ok: false, reason: 'wrong_code' };
  const { codes, hashes } = makeRecoveryCodes(ctx, userId);
  const sealed = user.totpSecret;
  const enabled = await ctx.db.kysely.transaction().execute(async (trx) => {
    if (!(await repo.enableSecret(trx, userId, sealed, step))) return false;
    await repo.replaceRecoveryCodes(trx, userId, hashes);
    await audit(trx, { actorId: userId, action: 'auth.2fa_enabled', subjectType: 'user', subjectId: userId, requestId });
    await queueNotice(ctx, trx, user, 'enabled');
    return true;
  });
  return enabled ? { ok: true, recoveryCodes: codes } : { ok: false, reason: 'already_enabled' };
}

/** Turns the second factor off: needs the password and a current code or a recovery code. */
export async function disableTwoFactor(
  ctx: AppContext,
  userId: string,
  input: { password: string; code: string },
  requestId: string,
): Promise<{ ok: true } | { ok: false; reason: 'wrong_password' | 'wrong_code' | 'not_enabled' }> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  if (!user || !(await verifyPassword(user.passwordHash, input.password))) return { ok: false, reason: 'wrong_password' };
  if (!user.totpEnabledAt) return { ok: false, reason: 'not_enabled' };
  if (!(await verifySecondFactor(ctx, userId, input.code, { requestId }))) return { ok: false, reason: 'wrong_code' };
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.clearTwoFactor(trx, userId);
    await repo.deleteLoginChallengesOf(trx, userId);
    await audit(trx, { actorId: userId, action: 'auth.2fa_disabled', subjectType: 'user', subjectId: userId, requestId });
    await queueNotice(ctx, trx, user, 'disabled');
  });
  return { ok: true };
}

/** Replaces the recovery codes after a current code (or a recovery code) is given; returns the new ones to show once. */
export async function regenerateRecoveryCodes(
  ctx: AppContext,
  userId: string,
  code: string,
  requestId: string,
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong_code' | 'not_enabled' }> {
  const user = await repo.findTwoFactorUser(ctx.db.kysely, userId);
  if (!user?.totpEnabledAt) return { ok: false, reason: 'not_enabled' };
  if (!(await verifySecondFactor(ctx, userId, code, { requestId }))) return { ok: false, reason: 'wrong_code' };
  const { codes, hashes } = makeRecoveryCodes(ctx, userId);
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await repo.replaceRecoveryCodes(trx, userId, hashes);
    await audit(trx, { actorId: userId, action: 'auth.recovery_codes_regenerated', subjectType: 'user', subjectId: userId, requestId });
    await queueNotice(ctx, trx, user, 'codes');
  });
  return { ok: true, recoveryCodes: codes };
}

/** The person a live sign-in challenge belongs to, or undefined. */
export async function findLoginChallenge(ctx: AppContext, challengeToken: string): Promise<repo.LoginChallenge | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(challengeToken)) return undefined;
  return repo.findLiveLoginChallenge(ctx.db.kysely, hashToken(challengeToken));
}

export type SecondStepResult =
  | { status: 'signed_in'; sessionToken: string; next: string }
  /** attemptsLeft 0: that was the last try and the challenge is deleted. */
  | { status: 'wrong_code'; attemptsLeft: number }
  /** Expired, used up or unknown: sign in again. */
  | { status: 'gone' };

/**
 * The second sign-in step: counts the attempt against the challenge (at most
 * MAX_CHALLENGE_ATTEMPTS, then it is deleted), checks the code, and on success ends the
 * challenge and opens the session.
 */
export async function completeSecondFactorLogin(
  ctx: AppContext,
  input: { challengeToken: string; code: string; deviceHint: string | null; requestId: string },
): Promise<SecondStepResult> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(input.challengeToken)) return { status: 'gone' };
  const tokenHash = hashToken(input.challengeToken);
  const challenge = await repo.findLiveLoginChallenge(ctx.db.kysely, tokenHash);
  const attempts = challenge && (await repo.countChallengeAttempt(ctx.db.kysely, tokenHash, MAX_CHALLENGE_ATTEMPTS));
  if (!challenge || attempts === undefined) {
    await repo.deleteLoginChallenge(ctx.db.kysely, tokenHash);
    return { status: 'gone' };
  }
  const user = await repo.findTwoFactorUser(ctx.db.kysely, challenge.userId);
  if (!user || user.suspendedAt || !user.totpEnabledAt) {
    await repo.deleteLoginChallenge(ctx.db.kysely, tokenHash);
    return { status: 'gone' };
  }
  const kind = await checkSecondFactor(ctx, user.id, input.code, input.requestId);
  if (!kind) {
    await audit(ctx.db.kysely, {
      actorId: user.id,
      action: 'auth.login_failed',
      requestId: input.requestId,
      details: { reason: 'bad_second_factor', attempt: attempts },
    });
    if (attempts >= MAX_CHALLENGE_ATTEMPTS) await repo.deleteLoginChallenge(ctx.db.kysely, tokenHash);
    return { status: 'wrong_code', attemptsLeft: MAX_CHALLENGE_ATTEMPTS - attempts };
  }
  // Only the request that deletes the challenge may open the session.
  if (!(await repo.deleteLoginChallenge(ctx.db.kysely, tokenHash))) return { status: 'gone' };
  const sessionToken = await openSession(ctx.db, { userId: user.id, deviceHint: input.deviceHint, requestId: input.requestId, secondFactor: true });
  return { status: 'signed_in', sessionToken, next: challenge.nextPath };
}
