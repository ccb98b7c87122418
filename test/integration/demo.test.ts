import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, demoTotals, seedDemo } from '../../src/modules/demo/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const TABLES = [
  'users',
  'communities',
  'memberships',
  'join_requests',
  'community_invites',
  'donation_channels',
  'asks',
  'ask_windows',
  'ask_items',
  'commitments',
  'commitment_feedback',
] as const;

describe.each(engines())('seed-demo on %s', (engine) => {
  let t: TestApp;
  let summary: string;
  const password = 'demo password 1';
  const log = createLogger('silent');

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    }
    return out;
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    summary = await seedDemo(t.ctx, { password, log, passwordChosen: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates demo people with profiles in English and Spanish', async () => {
    expect(summary).toContain(`Seeded ${DEMO_PEOPLE.length} demo people`);
    const users = await t.db.kysely.selectFrom('users').select(['email', 'locale', 'role', 'home_area', 'home_lat', 'weekly_capacity_hours', 'rest_mode']).execute();
    expect(users).toHaveLength(DEMO_PEOPLE.length);
    expect(new Set(users.map((u) => u.locale))).toEqual(new Set(['en', 'es']));
    expect(users.filter((u) => u.role === 'admin')).toHaveLength(1);
    const rosa = users.find((u) => u.email === 'rosa@demo.alongside.test')!;
    expect(rosa.home_area).toBe('Madrid, ES');
    // Only a coarse point: two decimals.
    expect(Math.round(rosa.home_lat! * 100) / 100).toBe(rosa.home_lat);
    expect(users.some((u) => u.rest_mode)).toBe(true);
    const skills = await t.db.kysely.selectFrom('user_skills').select('skill').execute();
    expect(skills.length).toBeGreaterThan(10);

    const client = new TestClient(t.app);
    expect((await client.logIn('rosa@demo.alongside.test', password)).statusCode).toBe(303);
    const profile = await client.get('/account/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('Madrid, ES');
  });

  it('verifies communities with the moderator’s notes and leaves one in the queue', async () => {
    const communities = await t.db.kysely.selectFrom('communities').select(['slug', 'status', 'kind', 'moderation_note', 'verified_by']).execute();
    const verified = communities.filter((c) => c.status === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(4);
    expect(communities.filter((c) => c.status === 'pending')).toHaveLength(1);
    const moderator = await t.db.kysely.selectFrom('users').select('id').where('email', '=', 'moderator@demo.alongside.test').executeTakeFirstOrThrow();
    for (const c of verified) {
      expect(c.verified_by).toBe(moderator.id);
      expect(c.moderation_note?.length).toBeGreaterThan(10);
    }
    expect(communities.some((c) => c.kind === 'supporter_group' && c.status === 'verified')).toBe(true);
    const roles = await t.db.kysely.selectFrom('memberships').select('role').execute();
    expect(new Set(roles.map((r) => r.role))).toEqual(new Set(['organizer', 'member', 'ally']));
    // Someone belongs to one community and follows another as an ally.
    const dee = await t.db.kysely
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.role')
      .where('u.email', '=', 'dee@demo.alongside.test')
      .execute();
    expect(dee.map((r) => r.role).sort()).toEqual(['member', 'organizer']);
    const nadia = await t.db.kysely
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.role')
      .where('u.email', '=', 'nadia@demo.alongside.test')
      .execute();
    expect(nadia.map((r) => r.role).sort()).toEqual(['ally', 'member']);
  });

  it('holds asks of every kind and status in both languages, and commitments in every state with feedback', async () => {
    const asks = await t.db.kysely.selectFrom('asks').select(['kind', 'status', 'language', 'outcome_note']).execute();
    expect(new Set(asks.map((a) => a.kind))).toEqual(new Set(['shift', 'skill', 'supplies', 'money', 'advocacy', 'attend']));
    expect(new Set(asks.map((a) => a.language))).toEqual(new Set(['en', 'es']));
    for (const status of ['draft', 'open', 'paused', 'closed'] as const) expect(asks.some((a) => a.status === status)).toBe(true);
    expect(asks.find((a) => a.status === 'closed')?.outcome_note).toMatch(/212 doors/);

    const commitments = await t.db.kysely.selectFrom('commitments').select(['state', 'done_minutes']).execute();
    expect(new Set(commitments.map((c) => c.state))).toEqual(new Set(['pledged', 'waitlisted', 'withdrawn', 'withdrawn_late', 'done', 'partly_done', 'missed']));
    expect(commitments.some((c) => c.state === 'done' && (c.done_minutes ?? 0) > 0)).toBe(true);
    expect(commitments.some((c) => c.state === 'partly_done' && (c.done_minutes ?? 0) > 0)).toBe(true);
    // Past shifts were confirmed: their windows lie before now.
    const past = await t.db.kysely
      .selectFrom('commitments as c')
      .innerJoin('ask_windows as w', 'w.id', 'c.window_id')
      .select(['c.state', 'w.starts_at'])
      .where('c.state', 'in', ['done', 'partly_done', 'missed'])
      .execute();
    expect(past.length).toBeGreaterThan(0);
    for (const row of past) expect(new Date(row.starts_at).getTime()).toBeLessThan(Date.now());

    const feedback = await t.db.kysely.selectFrom('commitment_feedback').select(['kind', 'acknowledged_at', 'reply']).execute();
    expect(new Set(feedback.map((f) => f.kind))).toEqual(new Set(['thanks', 'suggestion', 'concern']));
    expect(feedback.some((f) => f.acknowledged_at !== null && (f.reply ?? '').length > 0)).toBe(true);

    const totals = demoTotals();
    expect(asks).toHaveLength(totals.asks);
    expect(commitments).toHaveLength(totals.commitments);
    expect(feedback).toHaveLength(totals.feedback);
    expect(summary).toContain(`Commitments: ${totals.commitments}`);
  });

  it('changes no counts when it runs again', async () => {
    const before = await counts();
    const again = await seedDemo(t.ctx, { password, log, passwordChosen: true });
    expect(await counts()).toEqual(before);
    expect(again).toContain('nothing was added');
  });

  it('lets a demo ally see their commitments, and shows the community and an ask in English and Spanish', async () => {
    const client = new TestClient(t.app);
    expect((await client.logIn('kofi@demo.alongside.test', password)).statusCode).toBe(303);
    const mine = await client.get('/account/commitments');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Repair café: sign-in desk and damp readings');
    expect(mine.body).toContain('Listening line: evening cover');

    const ask = await t.db.kysely
      .selectFrom('asks')
      .innerJoin('communities', 'communities.id', 'asks.community_id')
      .select(['asks.id', 'asks.title', 'communities.slug', 'communities.name'])
      .where('asks.status', '=', 'open')
      .where('asks.language', '=', 'es')
      .where('asks.kind', '=', 'shift')
      .executeTakeFirstOrThrow();
    const anonymous = new TestClient(t.app);
    for (const [language, word] of [
      ['en', 'lang="en"'],
      ['es', 'lang="es"'],
    ] as const) {
      const community = await anonymous.get(`/c/${ask.slug}`, { 'accept-language': language });
      expect(community.statusCode).toBe(200);
      expect(community.body).toContain(word);
      expect(community.body).toContain('Comedor Social Cerro Alegre');
      const page = await anonymous.get(`/asks/${ask.id}`, { 'accept-language': language });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(word);
      expect(page.body).toContain('Turnos de cocina para el almuerzo del comedor');
    }
  });
});
