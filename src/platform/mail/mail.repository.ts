import type { Executor } from '../../db/client.js';

export interface OutboxMail {
  id: number;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  createdAt: Date;
}

/** Keeps a mail in the local outbox; a job that runs twice stores it once. */
export async function insertOutboxMail(
  db: Executor,
  mail: { jobId: number; to: string; subject: string; text: string; html?: string | undefined },
): Promise<void> {
  await db
    .insertInto('mail_outbox')
    .values({ job_id: mail.jobId, to_address: mail.to, subject: mail.subject, text_body: mail.text, html_body: mail.html ?? null })
    .onConflict((oc) => oc.column('job_id').doNothing())
    .execute();
}

const columns = ['id', 'to_address as toAddress', 'subject', 'text_body as textBody', 'html_body as htmlBody', 'created_at as createdAt'] as const;

/** The newest mails in the outbox, with keyset pagination on id. */
export function listOutbox(db: Executor, limit: number, beforeId?: number): Promise<OutboxMail[]> {
  let query = db.selectFrom('mail_outbox').select(columns);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** One mail of the outbox. */
export function findOutboxMail(db: Executor, id: number): Promise<OutboxMail | undefined> {
  return db.selectFrom('mail_outbox').select(columns).where('id', '=', id).executeTakeFirst();
}
