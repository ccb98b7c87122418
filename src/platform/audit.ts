import type { Executor } from '../db/client.js';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  requestId?: string;
  /** Never secrets, passwords, tokens or addresses: only what an admin needs to understand the event. */
  details?: Record<string, string | number | boolean | null>;
}

/** Appends an entry to the audit log, in the caller's transaction. */
export async function audit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId ?? null,
      request_id: entry.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditRow {
  id: number;
  at: Date;
  actorName: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The newest audit entries, with keyset pagination on id. */
export function listAudit(db: Executor, limit: number, beforeId?: number): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select([
      'audit_log.id as id',
      'audit_log.at as at',
      'users.display_name as actorName',
      'audit_log.action as action',
      'audit_log.subject_type as subjectType',
      'audit_log.subject_id as subjectId',
      'audit_log.request_id as requestId',
      'audit_log.details as details',
    ]);
  if (beforeId !== undefined) query = query.where('audit_log.id', '<', beforeId);
  return query.orderBy('audit_log.id', 'desc').limit(limit).execute();
}
