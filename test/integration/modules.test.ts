/**
 * A module is one definition in the list: a module added to it gets its routes (each with a
 * guard, or the app refuses to start), its header and account links, its part of the data export,
 * its job handlers and its housekeeping, with no other file touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { hashPassword, normalizeEmail, upsertUser } from '../../src/modules/accounts/index.js';
import { MODULES } from '../../src/modules/index.js';
import { createWorker } from '../../src/server.js';
import { anyone, guarded, signedIn, viewerOf } from '../../src/platform/auth.js';
import { enqueue } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { json, list, operation, record, str } from '../../src/platform/openapi/schema.js';
import { createTestApp, TestClient, testConfig, type TestApp } from '../support/app.js';
import { engines, openTestDatabase } from '../support/db.js';

const PASSWORD = 'correct horse battery staple';

/** What the test module's job saw. */
const ran: string[] = [];

const notesModule: ModuleDefinition = {
  name: 'test-notes',
  routes(app) {
    app.get('/notes', guarded(signedIn), async (request) => ({ mine: viewerOf(request).displayName }));
    app.get('/api/v1/notes', guarded(anyone), async () => ({ notes: [] }));
  },
  api: {
    tag: { name: 'Notes', description: 'A module of the tests.' },
    paths: {
      '/notes': {
        get: operation({ operationId: 'listNotes', summary: 'Notes', tags: ['Notes'], access: 'public', success: { 200: json('The notes.', record({ notes: list(str()) })) } }),
      },
    },
  },
  nav: [{ href: '/notes', label: 'home.pageTitle', order: 15, show: (viewer) => viewer !== undefined }],
  accountLinks: [{ href: '/notes/settings', label: 'home.pageTitle', order: 5 }],
  exportSection: async () => ({ notes: ['a note of mine'] }),
  jobs: () => ({
    'test-notes.ping': async (job) => {
      ran.push(String((job.payload as { word?: unknown }).word));
    },
  }),
};

describe.each(engines())('a module added to the list on %s', (engine) => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await createTestApp(engine, { modules: [...MODULES, notesModule] });
    const email = 'notes-person@example.test';
    await upsertUser(t.db.kysely, { email, emailNormalized: normalizeEmail(email), displayName: 'Noor', passwordHash: await hashPassword(PASSWORD), role: 'user', verified: true });
    client = new TestClient(t.app);
    expect((await client.logIn(email, PASSWORD)).statusCode).toBe(303);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves its routes behind the guards they declare', async () => {
    expect((await client.get('/notes')).json()).toEqual({ mine: 'Noor' });
    const anonymous = await new TestClient(t.app).get('/notes');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fnotes');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notes' })).statusCode).toBe(200);
  });

  it('puts its links in the header (as its rule says) and on the account page, in order', async () => {
    const home = await client.get('/');
    expect(home.body).toMatch(/href="\/feed"[\s\S]*href="\/notes"[\s\S]*href="\/search"/);
    expect((await new TestClient(t.app).get('/')).body).not.toContain('href="/notes"');
    const account = await client.get('/account');
    expect(account.body).toMatch(/href="\/notes\/settings"[\s\S]*href="\/account\/commitments"/);
  });

  it('adds its part to the person’s data export', async () => {
    const res = await client.get('/account/data/export.json');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ notes: ['a note of mine'] });
  });

  it('has its jobs run by the worker beside every other module’s', async () => {
    ran.length = 0;
    const { worker, close } = createWorker(t.config, t.db, createLogger('silent'), t.ctx);
    try {
      await enqueue(t.db.kysely, 'test-notes.ping', { word: 'hello' });
      await worker.drain();
      expect(ran).toEqual(['hello']);
    } finally {
      close();
    }
  });
});

describe('the module list', () => {
  it('refuses to start with a route that declares no guard', async () => {
    const database = await openTestDatabase('pglite');
    const careless: ModuleDefinition = {
      name: 'careless',
      routes(app) {
        app.get('/open-door', async () => 'anyone at all');
      },
    };
    try {
      await expect(buildApp({ config: testConfig(), db: database.db, modules: [...MODULES, careless] })).rejects.toThrow('GET /open-door declares no guard');
    } finally {
      await database.close();
    }
  });

  it('refuses to start with an API route its OpenAPI document does not describe', async () => {
    const database = await openTestDatabase('pglite');
    const undocumented: ModuleDefinition = {
      name: 'undocumented',
      routes(app) {
        app.get('/api/v1/secret-list', guarded(anyone), async () => ({ items: [] }));
      },
    };
    try {
      await expect(buildApp({ config: testConfig(), db: database.db, modules: [...MODULES, undocumented] })).rejects.toThrow('GET /api/v1/secret-list is not described in the OpenAPI document');
    } finally {
      await database.close();
    }
  });

  it('refuses two modules of one name', async () => {
    const database = await openTestDatabase('pglite');
    try {
      await expect(buildApp({ config: testConfig(), db: database.db, modules: [...MODULES, { name: 'asks' }] })).rejects.toThrow('Two modules are named "asks"');
    } finally {
      await database.close();
    }
  });
});
