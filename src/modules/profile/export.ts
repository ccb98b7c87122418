import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import type { AppContext } from '../../platform/module.js';
import * as repo from './profile.repository.js';
import { getProfile } from './profile.service.js';

/** Version of the export document's shape, so that tools reading it can tell. */
export const EXPORT_FORMAT = 1;

/**
 * Everything the instance keeps about a person, for them: the account (without its secrets), the
 * profile, sessions and API tokens (without their hashes), what they did according to the audit
 * log, the mail addressed to them in the local outbox, their commitments and the feedback they received.
 */
export async function buildExport(ctx: AppContext, userId: string) {
  const { db } = ctx;
  const account = await repo.exportAccountRow(db.kysely, userId);
  if (!account) return undefined;
  const credentials = await repo.findCredentials(db.kysely, userId);
  const [profile, sessions, apiTokens, audit, mails, ...extra] = await Promise.all([
    getProfile(db, userId),
    repo.exportSessions(db.kysely, userId),
    repo.exportApiTokens(db.kysely, userId),
    repo.exportAuditEntries(db.kysely, userId),
    repo.exportMails(db.kysely, credentials?.emailNormalized ?? ''),
    ...ctx.modules.flatMap((module) => (module.exportSection ? [module.exportSection(db.kysely, userId, ctx)] : [])),
  ]);
  // Links in mails carry one-time secrets (a password reset, an address change): a copy of the data
  // must not hand them to whoever holds a session or a read token.
  const withoutSecrets = mails.map((mail) => ({ ...mail, text: mail.text.replace(/([?&]token=)[^\s&#]+/g, '$1[removed]') }));
  return {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    account,
    profile,
    sessions,
    apiTokens,
    audit,
    mails: withoutSecrets,
    ...Object.assign({}, ...extra),
  };
}

export type ExportDocument = NonNullable<Awaited<ReturnType<typeof buildExport>>>;

/** Records that the person downloaded (part of) their data. */
export function auditExport(db: Db, input: { userId: string; part: 'json' | 'sessions.csv' | 'audit.csv' | 'api'; requestId: string }): Promise<void> {
  return audit(db.kysely, { actorId: input.userId, action: 'data.exported', subjectType: 'user', subjectId: input.userId, requestId: input.requestId, details: { part: input.part } });
}

// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: text that could start a formula gets a leading apostrophe; quotes per RFC 4180 when needed. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document (RFC 4180): a header row, CRLF line ends. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The person's sessions as CSV. */
export async function sessionsCsv(db: Db, userId: string): Promise<string> {
  const sessions = await repo.exportSessions(db.kysely, userId);
  return toCsv(
    ['device', 'created_at', 'last_seen_at', 'expires_at'],
    sessions.map((s) => [s.deviceHint, s.createdAt, s.lastSeenAt, s.expiresAt]),
  );
}

/** The audit entries the person is the actor of, as CSV. */
export async function auditCsv(db: Db, userId: string): Promise<string> {
  const entries = await repo.exportAuditEntries(db.kysely, userId);
  return toCsv(
    ['at', 'action', 'subject_type', 'subject_id', 'request_id', 'details'],
    entries.map((e) => [e.at, e.action, e.subjectType, e.subjectId, e.requestId, e.details]),
  );
}
