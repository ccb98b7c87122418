import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Engine = 'pglite' | 'postgres';

/** An open database: the typed query builder, which engine is behind it, and how to close it. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly engine: Engine;
  close(): Promise<void>;
}

/** A query builder that is either the whole database or one open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

const INT8_OID = 20;

/** Opens PostgreSQL at `databaseUrl`, or the embedded PGlite database in `dataDir`. */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  pglite?: PGlite;
  applicationName?: string;
}): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'alongside',
      // Row counts and ids fit in a JavaScript number; PGlite returns them as numbers too.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, engine: 'postgres', close: () => kysely.destroy() };
  }

  let instance = options.pglite;
  let unlock = () => {};
  if (!instance) {
    if (!options.dataDir) throw new Error('openDatabase needs a databaseUrl, a dataDir or a PGlite instance');
    await fs.mkdir(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    try {
      instance = await PGlite.create(options.dataDir);
    } catch (err) {
      unlock();
      throw err;
    }
  }
  const pglite = instance;
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kysely,
    engine: 'pglite',
    close: async () => {
      await kysely.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
