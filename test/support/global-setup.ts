import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { PROJECT_ROOT } from '../../src/platform/paths.js';
import { adminUrl, postgresReachable, TEMPLATE_FILE } from './engines.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
  }
}

/**
 * Once per run: a migrated PGlite data folder dumped to a file (each test file loads a copy in
 * ~0.4 s instead of initialising a database), and a migrated PostgreSQL template database that
 * each test file clones. Everything is dropped at the end of the run.
 */
export default async function setup(project: TestProject) {
  await fs.mkdir(path.dirname(TEMPLATE_FILE), { recursive: true });
  const pglite = new PGlite();
  const db = await openDatabase({ pglite });
  await migrate(db);
  const dump = await pglite.dumpDataDir('none');
  await fs.writeFile(TEMPLATE_FILE, Buffer.from(await dump.arrayBuffer()));
  await db.close();

  let template: string | null = null;
  if (await postgresReachable()) {
    template = `alongside_test_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`create database ${template}`);
    await admin.end();
    const pgDb = await openDatabase({ databaseUrl: adminUrl(template), poolSize: 1 });
    await migrate(pgDb);
    await pgDb.close();
  } else if (process.env.CI) {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl()}: CI must test on both engines`);
  } else {
    console.warn(`PostgreSQL is not reachable at ${adminUrl()}: PostgreSQL tests are skipped on this run`);
  }
  project.provide('pgTemplate', template);

  return async () => {
    if (!template) return;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    // Test databases of this run are clones of the template, named after it.
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${template}%`]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}

export { PROJECT_ROOT };
