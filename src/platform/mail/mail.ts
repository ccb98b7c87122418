import nodemailer from 'nodemailer';
import type { Executor } from '../../db/client.js';
import { enqueue, PermanentJobError, type JobHandler } from '../jobs/index.js';
import { insertOutboxMail } from './mail.repository.js';

export const MAIL_JOB = 'mail.send';

/** A mail as the rest of the app writes it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** A one-click unsubscribe URL (RFC 8058), for mails people can opt out of. */
  unsubscribeUrl?: string;
}

function isMailMessage(value: unknown): value is MailMessage {
  const v = value as Partial<MailMessage> | null;
  return !!v && typeof v.to === 'string' && typeof v.subject === 'string' && typeof v.text === 'string';
}

/** Queues a mail in the caller's transaction; it is sent by the job worker after commit. */
export function queueMail(executor: Executor, message: MailMessage, options: { dedupeKey?: string } = {}): Promise<number | undefined> {
  return enqueue(executor, MAIL_JOB, { ...message }, options);
}

/**
 * The handler that delivers queued mail: over SMTP when `smtpUrl` is set, otherwise into the
 * local outbox admins read in the app. The Message-ID comes from the job id, so a retried send
 * can be recognised as the same mail by the receiving side.
 */
export function createMailHandler(options: { smtpUrl: string | undefined; from: string; messageIdDomain: string }): {
  handler: JobHandler;
  close(): void;
} {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  const handler: JobHandler = async (job, { db }) => {
    if (!isMailMessage(job.payload)) throw new PermanentJobError('Mail job has no recipient, subject or text');
    const message = job.payload;
    if (!transport) {
      await insertOutboxMail(db.kysely, { jobId: job.id, to: message.to, subject: message.subject, text: message.text, html: message.html });
      return;
    }
    try {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        messageId: `<job-${job.id}@${options.messageIdDomain}>`,
        ...(message.unsubscribeUrl
          ? { list: { unsubscribe: { url: message.unsubscribeUrl, comment: 'Unsubscribe' } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
          : {}),
      });
    } catch (err) {
      // A 5xx reply is the server's final word (no such mailbox, refused): retrying cannot help.
      const code = (err as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) {
        throw new PermanentJobError(`The mail server refused the message (${code})`, { cause: err });
      }
      throw err;
    }
  };
  return { handler, close: () => transport?.close() };
}
