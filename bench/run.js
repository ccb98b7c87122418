// `npm run bench`: runs every benchmark in turn, each in its own Node process.
// The benchmarks import the built code from dist/, so run `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = ['http.js', 'jobs.js'];

let failed = false;
for (const file of BENCHMARKS) {
  const script = path.join(HERE, file);
  if (!fs.existsSync(script)) continue;
  console.log(`\n## bench/${file}\n`);
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench/${file} failed (${result.signal ?? `exit code ${result.status}`})`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
