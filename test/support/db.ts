import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { adminUrl, TEMPLATE_FILE, type EngineName } from './engines.js';

/** The engines this run tests on: always PGlite, and PostgreSQL when one was reachable at setup. */
export function engines(): EngineName[] {
  return inject('pgTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  db: Db;
  engine: EngineName;
  /** For PostgreSQL: the URL of this test's own database, so other pools or processes can share it. */
  url: string | undefined;
  close(): Promise<void>;
}

/** A fresh, migrated database of its own: a copy of the PGlite template, or a PostgreSQL clone of the template database. */
export async function openTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const dump = await fs.readFile(TEMPLATE_FILE);
    const pglite = new PGlite({ loadDataDir: new Blob([dump]) });
    const db = await openDatabase({ pglite });
    return { db, engine, url: undefined, close: () => db.close() };
  }
  const template = inject('pgTemplate');
  if (!template) throw new Error('PostgreSQL is not available in this run');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        // Another file cloning the same template at this instant: try again shortly.
        if (attempt > 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = adminUrl(name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 10 });
  return {
    db,
    engine,
    url,
    close: async () => {
      await db.close();
      const dropper = new pg.Client({ connectionString: adminUrl() });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
