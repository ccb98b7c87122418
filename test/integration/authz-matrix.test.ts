/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoutes, checkRow, collectRows, createMatrix, routeKey, type Matrix } from '../authz/matrix.js';
import { ACTORS, type Actor, type AuthzRowFile } from '../authz/types.js';
import { createTestApp } from '../support/app.js';
import { engines } from '../support/db.js';

// Every module's rows: new files are picked up without being listed here.
const files = import.meta.glob<AuthzRowFile>(['../authz/rows/*.ts', '../../src/modules/*/*.authz.ts'], { eager: true });
const rows = collectRows(files);

function label({ file, row }: (typeof rows)[number]): string {
  return `${routeKey(row.method, row.route)}${row.name ? ` (${row.name})` : ''} [${file.replace(/^.*\//, '')}]`;
}

describe.each(engines())('authorization matrix on %s', (engine) => {
  let m: Matrix;

  beforeAll(async () => {
    m = await createMatrix(await createTestApp(engine));
    for (const module of Object.values(files)) await module.setup?.(m.fixture, m.helpers);
  });
  afterAll(async () => {
    await m?.t.close();
  });

  it('has a row for every route of the app', () => {
    const covered = new Set(rows.map(({ row }) => routeKey(row.method, row.route)));
    const missing = [...appRoutes(m.t.app)].filter((route) => !covered.has(route)).sort();
    expect(missing, `Routes without a row in test/authz/rows/ (or src/modules/*/*.authz.ts):\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it('has a route for every row', () => {
    const routes = appRoutes(m.t.app);
    const stale = rows.filter(({ row }) => !row.optional && !routes.has(routeKey(row.method, row.route))).map(label);
    expect(stale, `Rows whose route the app does not have:\n  ${stale.join('\n  ')}\n`).toEqual([]);
  });

  it('knows every actor in every row', () => {
    const incomplete = rows.filter(({ row }) => typeof row.expect !== 'function' && ACTORS.some((a) => !(a in row.expect))).map(label);
    expect(incomplete).toEqual([]);
  });

  describe.each(rows.map((entry) => [label(entry), entry] as const))('%s', (_label, { row }) => {
    it('gives every actor the expected outcome', async () => {
      expect(await checkRow(m, row)).toEqual([]);
    });
  });

  describe('what a record’s own page shows ⇔ what its list returns', () => {
    async function page(actor: Actor, url: string) {
      const cookie = [...m.credentials[actor].cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      return m.t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {}, remoteAddress: m.credentials[actor].remoteAddress });
    }

    it('a mail of the outbox is on /admin/mail exactly when /admin/mail/:id shows it', async () => {
      const listed = new Set<number>();
      for (let url: string | undefined = '/admin/mail'; url; ) {
        const res = await page('admin', url);
        expect(res.statusCode).toBe(200);
        for (const match of res.body.matchAll(/href="\/admin\/mail\/(\d+)"/g)) listed.add(Number(match[1]));
        url = /href="(\/admin\/mail\?cursor=[^"]+)"/.exec(res.body)?.[1];
      }
      const stored = (await m.t.db.kysely.selectFrom('mail_outbox').select('id').execute()).map((r) => Number(r.id));
      expect(stored.length).toBeGreaterThan(0);
      const candidates = [...new Set([...stored, ...listed, Math.max(0, ...stored) + 1])];
      for (const id of candidates) {
        const shown = (await page('admin', `/admin/mail/${id}`)).statusCode === 200;
        expect({ id, listed: listed.has(id) }).toEqual({ id, listed: shown });
      }
    });

    it('a token of /account/tokens is in GET /api/v1/auth/tokens for its owner and for nobody else', async () => {
      const able = ACTORS.filter((a) => a !== 'anonymous' && a !== 'suspended');
      const byActor = new Map<Actor, Set<string>>();
      for (const actor of able) {
        const html = (await page(actor, '/account/tokens')).body;
        const onPage = new Set([...html.matchAll(/action="\/account\/tokens\/([0-9a-f-]{36})\/revoke"/g)].map((x) => x[1]!));
        const api = await m.t.app.inject({
          method: 'GET',
          url: '/api/v1/auth/tokens',
          headers: { authorization: `Bearer ${m.credentials[actor].token}` },
          remoteAddress: m.credentials[actor].remoteAddress,
        });
        expect(api.statusCode).toBe(200);
        const inList = new Set((api.json() as { tokens: Array<{ id: string }> }).tokens.map((x) => x.id));
        expect(onPage.size, actor).toBeGreaterThan(0);
        expect([...inList].sort(), actor).toEqual([...onPage].sort());
        byActor.set(actor, inList);
      }
      const suspendedTokens = (await m.t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', m.fixture.users.suspended!.id).execute()).map(
        (r) => r.id,
      );
      for (const [owner, ids] of byActor) {
        for (const [other, seen] of byActor) {
          if (other === owner) continue;
          expect([...ids].filter((id) => seen.has(id)), `${other} sees tokens of ${owner}`).toEqual([]);
        }
        expect(suspendedTokens.filter((id) => ids.has(id)), `${owner} sees tokens of suspended`).toEqual([]);
      }
    });
  });
});
