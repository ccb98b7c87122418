import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Alongside folder (no package.json above the code)');
    dir = parent;
  }
  return dir;
}

/** The project folder, found the same way from src/ (tests) and from dist/ (built). */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const LOCALES_DIR = path.join(PROJECT_ROOT, 'locales');
export const PUBLIC_DIR = path.join(PROJECT_ROOT, 'public');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'src', 'db', 'migrations');
export const MODULES_DIR = path.join(PROJECT_ROOT, 'src', 'modules');
