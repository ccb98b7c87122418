import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/client.js';
import { createAdmin, PASSWORD_MAX, PASSWORD_MIN } from './modules/accounts/index.js';
import { createContext } from './app.js';
import { seedDemo } from './modules/demo/index.js';
import { purgeDeleted } from './modules/profile/index.js';
import { createLogger } from './platform/logger.js';
import { serve, work } from './server.js';

const USAGE = `Usage: alongside <command> [options]

Commands:
  serve          Run the web app (and, unless WORKER=false, the job worker)
  worker         Run only the job worker (PostgreSQL only; several may run at once)
  migrate        Bring the database schema up to date, then exit
  seed-demo      Fill the database with a demo instance in English and Spanish
  create-admin   Create an instance admin, or make an existing account one
  purge-deleted  Delete again the accounts deleted before a backup was restored

Run "alongside <command> --help" for a command's options.
Configuration comes from environment variables; see README.md.`;

const HELP: Record<string, string> = {
  serve: `Usage: alongside serve

Migrates the database, then serves the app on HOST:PORT (default localhost:3000).
Without DATABASE_URL it uses the embedded database in DATA_DIR (default ./data).
Stops cleanly on SIGTERM or SIGINT (Ctrl-C).`,
  worker: `Usage: alongside worker

Runs background jobs (mail, reminders) without serving HTTP. Needs DATABASE_URL;
start as many as you like beside "alongside serve" processes with WORKER=false.`,
  migrate: `Usage: alongside migrate

Applies pending migrations from src/db/migrations in order and exits.
Safe to run from several processes at once.`,
  'seed-demo': `Usage: alongside seed-demo [--password <password>]

Adds demo people in English and Spanish to the configured database. Every demo
account signs in with the given password (default: "alongside-demo"). Running it
again updates the same accounts instead of adding more. Never run it on a
production instance.`,
  'create-admin': `Usage: alongside create-admin --email <address> --name <display name>

Reads the password from standard input (asked twice, hidden, on a terminal), so
it never appears in the process list or shell history:
  printf '%s\\n' "$PASSWORD" | alongside create-admin --email a@example.org --name "Ana"`,
  'purge-deleted': `Usage: alongside purge-deleted

Deletes every account whose id is in the deleted_users table again. Run it after
restoring a backup taken before some people deleted their accounts, so that
their data does not come back. Prints how many accounts it removed.`,
};

function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(prompt);
    output._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await readHidden('Password: ');
  const second = await readHidden('Repeat password: ');
  if (first !== second) throw new Error('The passwords do not match');
  return first;
}

async function withDatabase<T>(config: Config, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Runs one CLI command; resolves to the exit code. Long-running commands resolve once started. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (!(command in HELP)) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      help: { type: 'boolean', short: 'h' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }

  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'worker':
      await work(config);
      return 0;
    case 'migrate': {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
      try {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date');
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'seed-demo': {
      const summary = await withDatabase(config, (db) => seedDemo(createContext({ config, db }), { password: values.password ?? 'alongside-demo', passwordChosen: values.password !== undefined, log: createLogger('warn') }));
      console.log(summary);
      return 0;
    }
    case 'create-admin': {
      const email = values.email?.trim();
      const name = values.name?.trim();
      if (!email || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
        console.error('create-admin needs --email with a valid address');
        return 1;
      }
      if (!name || name.length > 80) {
        console.error('create-admin needs --name with 1 to 80 characters');
        return 1;
      }
      const password = await readPassword();
      if ([...password].length < PASSWORD_MIN || [...password].length > PASSWORD_MAX) {
        console.error(`The password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
        return 1;
      }
      await withDatabase(config, (db) => createAdmin(db, { email, displayName: name, password }));
      console.log(`${email} is an admin now.`);
      return 0;
    }
    case 'purge-deleted': {
      const count = await withDatabase(config, (db) => purgeDeleted(db));
      console.log(count === 1 ? 'Removed 1 deleted account again.' : `Removed ${count} deleted accounts again.`);
      return 0;
    }
    default:
      return 1;
  }
}
