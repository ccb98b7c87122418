import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { MIGRATIONS_DIR } from '../platform/paths.js';
import type { Db } from './client.js';

export interface Migration {
  id: string;
  sql: string;
  checksum: string;
}

const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** Reads the migrations in order; refuses gaps and duplicate numbers. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const [index, file] of files.entries()) {
    const match = NAME.exec(file);
    if (!match) throw new Error(`Migration file name "${file}" must look like 0001_name.sql`);
    if (Number(match[1]) !== index + 1) throw new Error(`Migration "${file}" is out of sequence: expected number ${index + 1}`);
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    migrations.push({ id: file.replace(/\.sql$/, ''), sql: text, checksum: createHash('sha256').update(text).digest('hex') });
  }
  return migrations;
}

// Any constant works: it only has to be the same in every process of one deployment.
const MIGRATION_LOCK = 4_207_113;

/**
 * Applies pending migrations in order and records them, all in one transaction: either every
 * pending migration lands or none does.
 * Several processes may call it at once: an advisory lock lets one migrate while the rest wait.
 * Fails when a migration that was applied has since been edited.
 */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return db.kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      id text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = new Map(
      (await trx.selectFrom('schema_migrations').select(['id', 'checksum']).execute()).map((r) => [r.id, r.checksum]),
    );
    for (const id of applied.keys()) {
      if (!migrations.some((m) => m.id === id)) throw new Error(`Database has migration ${id}, which this version of Alongside does not know`);
    }
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.id);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.id} was edited after it was applied; add a new migration instead`);
        }
        continue;
      }
      await sql.raw(migration.sql).execute(trx);
      await trx.insertInto('schema_migrations').values({ id: migration.id, checksum: migration.checksum }).execute();
      done.push(migration.id);
    }
    return done;
  });
}
