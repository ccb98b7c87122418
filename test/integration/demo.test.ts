import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, seedDemo } from '../../src/modules/demo/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

describe.each(engines())('seed-demo on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates demo people with profiles in English and Spanish, and running it again changes nothing', async () => {
    const log = createLogger('silent');
    const summary = await seedDemo(t.db, { password: 'demo password 1', log, passwordChosen: true });
    expect(summary).toContain(`Seeded ${DEMO_PEOPLE.length} demo people`);
    await seedDemo(t.db, { password: 'demo password 1', log, passwordChosen: true });

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

    // A demo person can sign in and sees their profile.
    const client = new TestClient(t.app);
    expect((await client.logIn('rosa@demo.alongside.test', 'demo password 1')).statusCode).toBe(303);
    const profile = await client.get('/account/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('Madrid, ES');
  });
});
