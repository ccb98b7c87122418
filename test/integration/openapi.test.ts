import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const API_PREFIX = '/api/v1';

/** Follows a local `$ref` ("#/components/…"); undefined when it points nowhere. */
function resolve(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function deref(document: Json, node: unknown): Json {
  let current = node as Json;
  while (current && typeof current.$ref === 'string') current = resolve(document, current.$ref) as Json;
  return current;
}

/** Every `$ref` string anywhere in the document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refs(item, out);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refs(value, out);
    }
  }
  return out;
}

function operations(document: Json): Array<{ method: string; path: string; op: Json; item: Json }> {
  const out: Array<{ method: string; path: string; op: Json; item: Json }> = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of METHODS) if (item[method]) out.push({ method, path, op: item[method] as Json, item });
  }
  return out;
}

describe.each(engines())('the OpenAPI document on %s', (engine) => {
  let t: TestApp;
  let document: Json;

  beforeAll(async () => {
    t = await createTestApp(engine, { env: { PUBLIC_URL: 'https://alongside.example.org' } });
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    document = res.json();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is public JSON that may be cached for a few minutes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('names the release and this instance\'s API root', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Alongside', version });
    expect(document.servers).toEqual([{ url: 'https://alongside.example.org/api/v1', description: expect.any(String) }]);
    const components = document.components as Json;
    expect((components.securitySchemes as Json).bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(((components.schemas as Json).Problem as Json).properties).toHaveProperty('errors');
  });

  it('documents exactly the /api/v1 routes of the app', () => {
    const documented = operations(document).map(({ method, path }) => `${method.toUpperCase()} ${API_PREFIX}${path}`);
    expect(new Set(documented).size).toBe(documented.length);
    const routes = t.app.routeTable
      .filter((r) => r.url.startsWith(`${API_PREFIX}/`) && r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`);
    expect([...new Set(documented)].sort()).toEqual([...new Set(routes)].sort());
  });

  it('gives every operation a unique id, its path parameters, a success and a problem+json error', () => {
    const ids = new Set<string>();
    for (const { method, path, op, item } of operations(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(typeof op.operationId, where).toBe('string');
      expect(ids.has(op.operationId as string), `${where}: operationId repeated`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.summary, where).toEqual(expect.any(String));
      const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => deref(document, p));
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), where).toEqual(inPath.sort());
      const responses = op.responses as Record<string, unknown>;
      const statuses = Object.keys(responses);
      expect(statuses.some((s) => /^2\d\d$/.test(s)), `${where}: no 2xx`).toBe(true);
      const problems = statuses.filter((s) => /^[45]\d\d$/.test(s));
      expect(problems.length, `${where}: no error response`).toBeGreaterThan(0);
      for (const status of problems) {
        const content = deref(document, responses[status]).content as Json | undefined;
        expect(Object.keys(content ?? {}), `${where} ${status}`).toEqual(['application/problem+json']);
      }
      if (op.requestBody) expect(Object.keys((deref(document, op.requestBody).content as Json) ?? {}), where).toEqual(['application/json']);
      const needsPerson = (op.security as Json[]).length > 0 && (op.security as Json[]).every((s) => Object.keys(s).length > 0);
      if (needsPerson) expect(statuses, `${where}: signed-in operations answer 401`).toContain('401');
    }
  });

  it('offers the Idempotency-Key header where commits are made', () => {
    const commit = deref(document, (document.paths as Json)['/asks/{id}/commitments']).post as Json;
    const params = (commit.parameters as unknown[]).map((p) => deref(document, p));
    expect(params).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
  });

  it('resolves every $ref', () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(20);
    const broken = all.filter((ref) => resolve(document, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('is valid against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('catches a broken document: the validator is not a formality', async () => {
    const broken = structuredClone(document) as Json;
    ((broken.paths as Json)['/me'] as Json).get = { responses: 'none' };
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });
});
