/**
 * The shape of the code, checked on every run: no import circles anywhere in src/ (type-only
 * imports count: they tie files together for readers as much as for the compiler), the platform
 * never imports a module, and a module reaches another only through that module's index.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/platform/paths.js';

const SRC = path.join(PROJECT_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    // Tests and authorization rows are test code beside the module they test.
    return /\.tsx?$/.test(entry.name) && !/\.(test|authz)\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The src files a file imports (relative specifiers only), resolved from `.js` to the `.ts`/`.tsx` beside it. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = path.resolve(path.dirname(file), name).replace(/\.js$/, '');
      const found = ['.ts', '.tsx'].map((ext) => base + ext).find((candidate) => fs.existsSync(candidate));
      if (!found) throw new Error(`${path.relative(SRC, file)} imports ${name}, which is not a file of src/`);
      return found;
    });
}

/** The import graph of src/: file → the files it imports. */
export function importGraph(): Map<string, string[]> {
  return new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.map((f) => path.relative(SRC, f)).sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

/** The module a file of src/modules/<name>/ belongs to, or undefined. */
function moduleOf(file: string): string | undefined {
  const relative = path.relative(path.join(SRC, 'modules'), file);
  if (relative.startsWith('..')) return undefined;
  const [name, ...rest] = relative.split(path.sep);
  return rest.length > 0 ? name : undefined;
}

/** Imports that break the layering: deep imports into another module, and the platform (or the database layer) importing a module. */
export function layeringProblems(graph: Map<string, string[]>): string[] {
  const problems: string[] = [];
  const modulesList = path.join(SRC, 'modules', 'index.ts');
  const entryPoints = new Set(['app.ts', 'server.ts', 'cli.ts'].map((f) => path.join(SRC, f)));
  for (const [file, imports] of graph) {
    const from = moduleOf(file);
    const name = path.relative(SRC, file);
    for (const target of imports) {
      const to = moduleOf(target);
      const targetName = path.relative(SRC, target);
      if (target === modulesList && !entryPoints.has(file)) problems.push(`${name} imports the module list (only app.ts, server.ts and cli.ts may)`);
      if (to === undefined) continue;
      if (from === undefined && file !== modulesList && !entryPoints.has(file)) problems.push(`${name} (outside the modules) imports ${targetName}`);
      if (from === undefined && (entryPoints.has(file) || file === modulesList) && path.basename(target) !== 'index.ts') problems.push(`${name} imports ${targetName} instead of its module's index.ts`);
      if (from !== undefined && to !== from && path.basename(target) !== 'index.ts') problems.push(`${name} imports ${targetName} instead of the ${to} module's index.ts`);
    }
  }
  return problems.sort();
}

describe('the import structure of src/', () => {
  const graph = importGraph();

  it('reads every source file', () => {
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('keeps the platform free of modules, and modules to each other’s index.ts', () => {
    expect(layeringProblems(graph)).toEqual([]);
  });

  it('would see a circle and a deep import if there were one', () => {
    const a = path.join(SRC, 'modules', 'a', 'a.service.ts');
    const b = path.join(SRC, 'modules', 'b', 'b.service.ts');
    const platform = path.join(SRC, 'platform', 'x.ts');
    const sample = new Map([
      [a, [b]],
      [b, [a]],
      [platform, [a]],
    ]);
    expect(circles(sample)).toEqual([['modules/a/a.service.ts', 'modules/b/b.service.ts']]);
    expect(layeringProblems(sample)).toEqual([
      'modules/a/a.service.ts imports modules/b/b.service.ts instead of the b module\'s index.ts',
      'modules/b/b.service.ts imports modules/a/a.service.ts instead of the a module\'s index.ts',
      'platform/x.ts (outside the modules) imports modules/a/a.service.ts',
    ]);
  });
});
