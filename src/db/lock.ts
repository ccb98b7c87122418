import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, as the kernel counts it (Linux: field 22 of /proc/<pid>/stat, clock ticks
 * since boot), or undefined where there is no such file. A pid can be reused; a pid and its start
 * time together name one process.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** What the lock file holds: our pid and, where the system tells, when we started. */
function identity(pid: number): string {
  const start = processStart(pid);
  return start === undefined ? String(pid) : `${pid}:${start}`;
}

/** Whether the process the lock file names is still the one that wrote it. */
function holderLives(content: string): { pid: number; lives: boolean } {
  const [pidText, start] = content.trim().split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return { pid, lives: false };
  // The pid is taken: by the same process only if it started when the lock says (another program
  // may have been given the pid of an Alongside that died without removing its lock).
  if (start !== undefined) {
    const now = processStart(pid);
    if (now !== undefined && now !== start) return { pid, lives: false };
  }
  return { pid, lives: true };
}

/**
 * The embedded database may be opened by one process at a time: two PGlite instances on one
 * folder would corrupt it. Takes a lock file holding our pid and start time; a lock left by a
 * process that is gone (or whose pid now belongs to another program) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'alongside.lock');
  const mine = identity(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === mine) fs.unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = holderLives(fs.readFileSync(file, 'utf8'));
      if (holder.lives) {
        throw new Error(`The embedded database in ${dataDir} is in use by process ${holder.pid}; stop it first, or use DATABASE_URL to share PostgreSQL between processes`, { cause: err });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}
