import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { MIGRATIONS_DIR } from '../../src/platform/paths.js';
import { engines, openTestDatabase, type TestDatabase } from '../support/db.js';

async function copyMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alongside-migrations-'));
  for (const file of await fs.readdir(MIGRATIONS_DIR)) await fs.copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
  return dir;
}

describe('readMigrations', () => {
  it('reads the shipped migrations in order with checksums', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    migrations.forEach((m, i) => {
      expect(m.id.startsWith(String(i + 1).padStart(4, '0'))).toBe(true);
      expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('refuses badly named and out-of-sequence files', async () => {
    const dir = await copyMigrations();
    // One number skipped after the last migration.
    const gap = `${String((await readMigrations()).length + 2).padStart(4, '0')}_gap.sql`;
    await fs.writeFile(path.join(dir, gap), 'select 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/out of sequence/);
    await fs.rm(path.join(dir, gap));
    await fs.writeFile(path.join(dir, 'Add Stuff.sql'), 'select 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/must look like/);
  });
});

describe.each(engines())('migrate on %s', (engine) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is a no-op on an up-to-date database', async () => {
    t = await openTestDatabase(engine);
    expect(await migrate(t.db)).toEqual([]);
    const rows = await t.db.kysely.selectFrom('schema_migrations').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual((await readMigrations()).map((m) => m.id));
  });

  it('applies a new migration once, and all of it or nothing', async () => {
    t = await openTestDatabase(engine);
    const dir = await copyMigrations();
    const next = String((await readMigrations()).length + 1).padStart(4, '0');
    await fs.writeFile(path.join(dir, `${next}_broken.sql`), 'create table half_done (id int);\nselect * from no_such_table;');
    await expect(migrate(t.db, dir)).rejects.toThrow(/no_such_table/);
    const half = await sql<{ exists: boolean }>`select to_regclass('half_done') is not null as exists`.execute(t.db.kysely);
    expect(half.rows[0]?.exists).toBe(false);

    await fs.writeFile(path.join(dir, `${next}_broken.sql`), 'create table half_done (id int);');
    expect(await migrate(t.db, dir)).toEqual([`${next}_broken`]);
    expect(await migrate(t.db, dir)).toEqual([]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    t = await openTestDatabase(engine);
    const dir = await copyMigrations();
    const first = (await fs.readdir(dir)).sort()[0]!;
    await fs.appendFile(path.join(dir, first), '\n-- edited\n');
    await expect(migrate(t.db, dir)).rejects.toThrow(/edited after it was applied/);
  });

  it('refuses a database that is newer than the code', async () => {
    t = await openTestDatabase(engine);
    await t.db.kysely.insertInto('schema_migrations').values({ id: '9999_future', checksum: 'x' }).execute();
    await expect(migrate(t.db)).rejects.toThrow(/does not know/);
  });
});

describe('migrate from scratch', () => {
  it('migrates an empty embedded database', async () => {
    const db = await openDatabase({ pglite: new PGlite() });
    try {
      const applied = await migrate(db);
      expect(applied).toEqual((await readMigrations()).map((m) => m.id));
    } finally {
      await db.close();
    }
  });

  it.runIf(engines().includes('postgres'))('lets several processes migrate one PostgreSQL at once', async () => {
    // A fresh, empty database: clone of template0, not of the migrated template.
    const { adminUrl } = await import('../support/engines.js');
    const pg = (await import('pg')).default;
    const name = `alongside_test_concurrent_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ databaseUrl: adminUrl(name), poolSize: 2 })));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const all = results.flat();
      expect(all.sort()).toEqual((await readMigrations()).map((m) => m.id).sort());
      expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  });
});
