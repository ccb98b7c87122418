// `npm run bench`: runs every benchmark in turn, each in its own Node process.
// The benchmarks import the built code from dist/, so run `npm run build` first. bench/scale.js
// generates its dataset first when it is missing (about two minutes at full scale on a 2-core
// machine; BENCH_SCALE=0.1 makes a tenth of it) and keeps it for the next runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = ['http.js', 'jobs.js', 'scale.js'];

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
