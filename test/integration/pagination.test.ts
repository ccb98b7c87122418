/**
 * One pagination convention for every list of the API: each documented list operation is walked to
 * its end through `next` (which the `Link` header repeats), and every row is found exactly once.
 * A list the document adds without a walk here fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { buildAsk, buildCommitment, buildCommunity, buildToken, buildUser } from '../support/factories.js';

type Json = Record<string, unknown>;

interface Walk {
  /** The first page's address. */
  first: string;
  token?: string;
  /** The member holding the rows, and the id of a row. */
  items: string;
  id: (row: Json) => string;
  expected: () => Promise<string[]>;
}

/** The GET operations of the document that return pages (they take the shared Cursor parameter). */
function pagedOperations(document: Json): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    const get = item.get as Json | undefined;
    const parameters = (get?.parameters as Json[] | undefined) ?? [];
    if (parameters.some((p) => p.$ref === '#/components/parameters/Cursor')) out.push(get!.operationId as string);
    void path;
  }
  return out.sort();
}

describe.each(engines())('every list of the API on %s', (engine) => {
  let t: TestApp;
  const walks: Record<string, Walk> = {};

  beforeAll(async () => {
    t = await createTestApp(engine);
    const organizer = await buildUser(t, { displayName: 'Olu Organizer' });
    const ally = await buildUser(t, { displayName: 'Ada Ally', languages: ['en'] });
    const [organizerToken, allyToken] = await Promise.all([buildToken(t, organizer), buildToken(t, ally)]);
    for (let i = 0; i < 4; i++) await buildToken(t, ally);
    const members = await Promise.all(Array.from({ length: 7 }, (_, i) => buildUser(t, { displayName: `Member ${String.fromCharCode(65 + i)}` })));
    const community = await buildCommunity(t, { name: 'Paged pantry', organizers: [organizer], members: members.slice(0, 4), allies: members.slice(4) });
    for (let i = 0; i < 6; i++) await buildCommunity(t);
    const asks = [];
    // More than one page of the feed (twenty to a page): online asks in the ally's language.
    for (let i = 0; i < 30; i++) asks.push(await buildAsk(t, community, { title: `Paged ask ${i}` }));
    await buildAsk(t, community, { status: 'draft', title: 'A draft nobody else sees' });
    for (let i = 0; i < 7; i++) await buildCommitment(t, asks[i]!, ally, { state: i % 3 === 0 ? 'done' : 'pledged', plannedFor: new Date(Date.now() + (i - 3) * 86_400_000) });

    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    walks.listCommunities = {
      first: '/api/v1/communities?limit=2',
      items: 'communities',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('communities').select('id').where('status', '=', 'verified').execute()),
    };
    walks.listAsks = {
      first: `/api/v1/communities/${community.slug}/asks?limit=5`,
      items: 'asks',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('asks').select('id').where('community_id', '=', community.id).where('status', '=', 'open').execute()),
    };
    walks.searchAsks = {
      first: '/api/v1/search/asks?q=paged&limit=4',
      items: 'asks',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('asks').select('id').where('status', '=', 'open').where('title', 'like', 'Paged ask%').execute()),
    };
    walks.getFeed = {
      first: '/api/v1/me/feed',
      token: allyToken,
      items: 'asks',
      id: (row) => row.id as string,
      // The feed leaves out what the ally already holds a place in.
      expected: async () =>
        ids(
          await t.db.kysely
            .selectFrom('asks')
            .select('id')
            .where('status', '=', 'open')
            .where('id', 'not in', t.db.kysely.selectFrom('commitments').select('ask_id').where('user_id', '=', ally.id).where('state', 'in', ['pledged', 'waitlisted']))
            .execute(),
        ),
    };
    walks.myCommitments = {
      first: '/api/v1/me/commitments?limit=3',
      token: allyToken,
      items: 'commitments',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('commitments').select('id').where('user_id', '=', ally.id).execute()),
    };
    walks.listTokens = {
      first: '/api/v1/auth/tokens?limit=2',
      token: allyToken,
      items: 'tokens',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', ally.id).execute()),
    };
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/journal', headers: { authorization: `Bearer ${allyToken}`, 'content-type': 'application/json' }, payload: JSON.stringify({ body: `Entry ${i}` }) });
      expect(res.statusCode).toBe(201);
    }
    walks.listJournalEntries = {
      first: '/api/v1/me/journal?limit=2',
      token: allyToken,
      items: 'entries',
      id: (row) => row.id as string,
      expected: async () => ids(await t.db.kysely.selectFrom('journal_entries').select('id').where('user_id', '=', ally.id).execute()),
    };
    walks.listMemberships = {
      first: `/api/v1/communities/${community.slug}/memberships?limit=3`,
      token: organizerToken,
      items: 'memberships',
      id: (row) => row.userId as string,
      expected: async () => (await t.db.kysely.selectFrom('memberships').select('user_id').where('community_id', '=', community.id).execute()).map((r) => r.user_id),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  function get(url: string, token?: string) {
    return t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  it('walks each of them here', async () => {
    const document = (await get('/api/openapi.json')).json() as Json;
    expect(pagedOperations(document)).toEqual(Object.keys(walks).sort());
  });

  it('finds every row exactly once by following next, which the Link header repeats', async () => {
    for (const [operation, walk] of Object.entries(walks)) {
      const seen: string[] = [];
      let pages = 0;
      for (let url: string | null = walk.first; url; pages++) {
        const res = await get(url, walk.token);
        expect(res.statusCode, `${operation} ${url}`).toBe(200);
        const body = res.json() as Json;
        seen.push(...(body[walk.items] as Json[]).map(walk.id));
        const next = body.next as string | null;
        if (next) expect(res.headers.link, operation).toContain(`<${next}>; rel="next"`);
        else expect(res.headers.link, operation).toBeUndefined();
        url = next;
        expect(pages, operation).toBeLessThan(50);
      }
      expect(pages, `${operation} has more than one page`).toBeGreaterThan(1);
      expect(new Set(seen).size, `${operation} repeats nobody`).toBe(seen.length);
      expect([...seen].sort(), operation).toEqual((await walk.expected()).sort());
    }
  });

  it('refuses a cursor it did not make, or one from another list, with 400 naming it', async () => {
    const communities = (await get('/api/v1/communities?limit=1')).json() as { next: string };
    const foreign = new URL(communities.next, 'http://x').searchParams.get('cursor')!;
    for (const [operation, walk] of Object.entries(walks)) {
      for (const cursor of ['bm90LWEtY3Vyc29y', 'eyJ4Ijox', operation === 'listCommunities' ? 'WyJjb21tdW5pdGllcyIsIm5vdC1hbi1pZCJd' : foreign]) {
        const base = walk.first.includes('?') ? `${walk.first}&` : `${walk.first}?`;
        const res = await get(`${base}cursor=${cursor}`, walk.token);
        expect(res.statusCode, `${operation} ${cursor}`).toBe(400);
        expect((res.json() as { errors?: Array<{ pointer: string }> }).errors?.map((e) => e.pointer), operation).toEqual(['/cursor']);
      }
    }
  });

  it('refuses a page size out of bounds', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const res = await get(`/api/v1/communities?limit=${limit}`);
      expect(res.statusCode, limit).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, limit).toBeLessThan(500);
      expect((res.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toEqual(['/limit']);
    }
  });

  it('still takes the previous release’s query names, for one release, with a Deprecation header', async () => {
    const asks = walks.listAsks!;
    const first = (await get(asks.first)).json() as { next: string };
    const cursor = new URL(first.next, 'http://x').searchParams.get('cursor')!;
    const old = await get(`${asks.first}&after=${cursor}`);
    expect(old.statusCode).toBe(200);
    expect(old.headers.deprecation).toBe('@1796688000');
    const current = await get(first.next);
    expect((old.json() as Json).asks).toEqual((current.json() as Json).asks);
    expect(current.headers.deprecation).toBeUndefined();

    const feed = await get('/api/v1/me/feed?page=2', walks.getFeed!.token);
    expect(feed.statusCode).toBe(200);
    expect(feed.headers.deprecation).toBe('@1796688000');
    expect((feed.json() as { page: number }).page).toBe(2);
  });
});
