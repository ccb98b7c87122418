import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { JobWorker, listJobs } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB, queueMail, type MailMessage } from '../../src/platform/mail/mail.js';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines, openTestDatabase, type TestDatabase } from '../support/db.js';

const FROM = 'Alongside <no-reply@alongside.example>';
const DOMAIN = 'alongside.example';
const silent = createLogger('silent');

function mailWorker(db: Db, handler: ReturnType<typeof createMailHandler>['handler'], log = silent): JobWorker {
  return new JobWorker({ db, log, handlers: { [MAIL_JOB]: handler } });
}

async function queue(db: Db, message: MailMessage, options: { maxAttempts?: number } = {}): Promise<number> {
  const id = await db.kysely.transaction().execute(async (trx) => {
    const jobId = await queueMail(trx, message);
    if (options.maxAttempts) await trx.updateTable('jobs').set({ max_attempts: options.maxAttempts }).where('id', '=', jobId!).execute();
    return jobId;
  });
  if (id === undefined) throw new Error('expected a new mail job');
  return id;
}

function jobRow(db: Db, id: number) {
  return db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe.each(engines())('mail outbox on %s', (engine) => {
  let t: TestApp;
  const mail = createMailHandler({ smtpUrl: undefined, from: FROM, messageIdDomain: DOMAIN });

  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    mail.close();
    await t?.close();
  });

  function outbox() {
    return t.db.kysely.selectFrom('mail_outbox').selectAll().orderBy('id').execute();
  }

  it('keeps a queued mail in the outbox once, even when its job runs twice', async () => {
    const id = await queue(t.db, { to: 'dana@example.org', subject: 'Your ask was answered', text: 'Someone offered to help.' });
    expect(await outbox()).toEqual([]); // nothing is sent inside the transaction that queued it

    expect(await mailWorker(t.db, mail.handler).drain()).toBe(1);
    expect(await outbox()).toHaveLength(1);

    // At-least-once delivery: the same job delivered again, once after the other and twice at once.
    const [job] = (await listJobs(t.db.kysely, 'done', 50)).filter((j) => j.id === id);
    if (!job) throw new Error('the mail job is not done');
    const context = { db: t.db, log: silent };
    await mail.handler(job, context);
    await Promise.all([mail.handler(job, context), mail.handler(job, context)]);

    const rows = (await outbox()).filter((m) => m.job_id === id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ to_address: 'dana@example.org', subject: 'Your ask was answered', text_body: 'Someone offered to help.' });
  });

  it('shows the outbox to an admin, with subjects and bodies as text', async () => {
    const subject = '<script>alert(1)</script> Welcome';
    await queue(t.db, {
      to: 'erin@example.org',
      subject,
      text: 'Hello <b>Erin</b>, welcome.',
      html: '<p onclick="steal()">Hello</p>',
    });
    await mailWorker(t.db, mail.handler).drain();
    const row = (await outbox()).find((m) => m.subject === subject);
    if (!row) throw new Error('the mail is not in the outbox');

    const admin = await createTestAdmin(t);
    const client = new TestClient(t.app);
    await client.logIn(admin.email, admin.password);

    const list = await client.get('/admin/mail');
    expect(list.statusCode).toBe(200);
    // Text is escaped (a `<` in text becomes `&lt;`; a bare `>` cannot open a tag and may stay).
    expect(list.body).toContain('&lt;script>alert(1)&lt;/script> Welcome');
    expect(list.body).not.toContain('<script>alert(1)');
    expect(list.body).toContain(`href="/admin/mail/${row.id}"`);
    expect(list.body).toContain('erin@example.org');

    const one = await client.get(`/admin/mail/${row.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('<title>&lt;script>alert(1)&lt;/script> Welcome');
    expect(one.body).toContain('<h1 id="mail-subject">&lt;script>alert(1)&lt;/script> Welcome</h1>');
    expect(one.body).not.toContain('<script>alert(1)');
    expect(one.body).toContain('Hello &lt;b>Erin&lt;/b>, welcome.');
    // Only the plain-text part is shown: the HTML part is never rendered here.
    expect(one.body).not.toContain('steal()');

    expect((await client.get('/admin/mail/999999999')).statusCode).toBe(404);
    expect((await client.get('/admin/mail/not-a-number')).statusCode).toBe(404);
  });

  it('keeps the outbox from anyone who is not signed in as an admin', async () => {
    await queue(t.db, { to: 'frank@example.org', subject: 'Private subject', text: 'Private body' });
    await mailWorker(t.db, mail.handler).drain();
    const row = (await outbox()).find((m) => m.subject === 'Private subject');

    const anonymous = new TestClient(t.app);
    for (const url of ['/admin/mail', `/admin/mail/${row?.id}`]) {
      const res = await anonymous.get(url);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(/^\/login\?next=/);
      expect(res.body).not.toContain('Private');
    }
  });

  it('fails a mail job without recipient, subject or text at once', async () => {
    const id = await t.db.kysely.transaction().execute((trx) => queueMail(trx, { to: 'x@example.org' } as MailMessage));
    await mailWorker(t.db, mail.handler).drain();
    expect(await jobRow(t.db, id!)).toMatchObject({ state: 'failed', attempts: 1 });
  });
});

interface Received {
  mailFrom: string;
  rcptTo: string[];
  headers: Map<string, string[]>;
  raw: string;
}

/** Splits a raw message's header block into lower-cased names and unfolded values. */
function parseHeaders(raw: string): Map<string, string[]> {
  const block = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string[]>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** A real SMTP server on a free loopback port that records what it is given, or rejects every recipient. */
async function startSmtpServer(): Promise<{ url: string; received: Received[]; rejectRecipients: { on: boolean }; close(): Promise<void> }> {
  const received: Received[] = [];
  const rejectRecipients = { on: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!rejectRecipients.on) return callback();
      const err = new Error('5.1.1 No such user here') as Error & { responseCode: number };
      err.responseCode = 550;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          headers: parseHeaders(raw),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rejectRecipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(engines())('mail over SMTP on %s', (engine) => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let mail: ReturnType<typeof createMailHandler>;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    smtp = await startSmtpServer();
    mail = createMailHandler({ smtpUrl: smtp.url, from: FROM, messageIdDomain: DOMAIN });
  });
  afterAll(async () => {
    mail?.close();
    await smtp?.close();
    await t?.close();
  });
  afterEach(() => {
    smtp.received.length = 0;
    smtp.rejectRecipients.on = false;
  });

  it('sends a queued mail with its sender, recipient, subject and a Message-ID from the job', async () => {
    const id = await queue(t.db, { to: 'gail@example.org', subject: 'Your commitment is tomorrow', text: 'See you at 10:00.' });
    expect(await mailWorker(t.db, mail.handler).drain()).toBe(1);

    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message?.mailFrom).toBe('no-reply@alongside.example');
    expect(message?.rcptTo).toEqual(['gail@example.org']);
    expect(message?.headers.get('from')).toEqual([FROM]);
    expect(message?.headers.get('to')).toEqual(['gail@example.org']);
    expect(message?.headers.get('subject')).toEqual(['Your commitment is tomorrow']);
    expect(message?.headers.get('message-id')).toEqual([`<job-${id}@${DOMAIN}>`]);
    expect(message?.headers.has('list-unsubscribe')).toBe(false);
    expect(message?.headers.has('list-unsubscribe-post')).toBe(false);
    expect(message?.raw).toContain('See you at 10:00.');

    expect(await jobRow(t.db, id)).toMatchObject({ state: 'done', attempts: 1 });
    const kept = await t.db.kysely.selectFrom('mail_outbox').selectAll().execute();
    expect(kept).toEqual([]); // with SMTP configured, nothing goes to the local outbox
  });

  it('adds one-click unsubscribe headers (RFC 8058) when the mail has an unsubscribe URL', async () => {
    const unsubscribeUrl = 'https://alongside.example/unsubscribe/abc123';
    await queue(t.db, { to: 'hugo@example.org', subject: 'Weekly digest', text: 'This week…', unsubscribeUrl });
    await mailWorker(t.db, mail.handler).drain();

    const [message] = smtp.received;
    const unsubscribe = message?.headers.get('list-unsubscribe') ?? [];
    expect(unsubscribe).toHaveLength(1);
    expect(unsubscribe[0]).toMatch(new RegExp(`^<${unsubscribeUrl.replace(/[.?/]/g, '\\$&')}>`));
    expect(message?.headers.get('list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
  });

  it('keeps a subject with line breaks from adding headers or recipients', async () => {
    await queue(t.db, { to: 'ines@example.org', subject: 'Hello\r\nBcc: intruder@evil.example\r\nX-Injected: yes', text: 'Body' });
    await mailWorker(t.db, mail.handler).drain();

    const [message] = smtp.received;
    expect(message?.rcptTo).toEqual(['ines@example.org']);
    expect(message?.headers.has('bcc')).toBe(false);
    expect(message?.headers.has('x-injected')).toBe(false);
    expect(message?.headers.get('subject')).toHaveLength(1);
  });

  it('fails at once, without crashing or leaking the address, a mail the server refuses for good (5xx)', async () => {
    smtp.rejectRecipients.on = true;
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const worker = mailWorker(t.db, mail.handler, createLogger('info', logStream));
    const id = await queue(t.db, { to: 'jo.rejected@example.org', subject: 'Bounces', text: 'Body' });

    expect(await worker.drain()).toBe(1);
    const job = await jobRow(t.db, id);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.last_error).toMatch(/refused the message \(550\)/);
    expect(job.last_error).not.toContain('jo.rejected');

    expect(smtp.received).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('jo.rejected');
  });

  it('retries a mail when the SMTP server cannot be reached', async () => {
    const unreachable = await startSmtpServer();
    await unreachable.close(); // a port that was just free and is closed again
    const down = createMailHandler({ smtpUrl: unreachable.url, from: FROM, messageIdDomain: DOMAIN });
    try {
      const id = await queue(t.db, { to: 'kim@example.org', subject: 'Later', text: 'Body' });
      expect(await mailWorker(t.db, down.handler).drain()).toBe(1);
      const job = await jobRow(t.db, id);
      expect(job.state).toBe('pending');
      expect(job.last_error).toMatch(/ECONNREFUSED/);
      expect(job.last_error).not.toContain('127.0.0.1');
    } finally {
      down.close();
    }
  });
});
