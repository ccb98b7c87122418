import type { FastifyInstance } from 'fastify';
import { anyone } from '../auth.js';
import type { ModuleApi } from '../module.js';
import { OPTIONAL_BODY } from '../validation.js';
import { buildOpenApiDocument, OPENAPI_PATH, packageVersion } from './document.js';
import { toTemplate, type Json, type PathItems } from './schema.js';

/** The whole OpenAPI document of the instance, from what each module documents. */
export function openApiDocument(publicUrl: URL, modules: readonly ModuleApi[]): Json {
  const paths: PathItems = {};
  const schemas: Record<string, Json> = {};
  for (const module of modules) {
    for (const [template, item] of Object.entries(module.paths)) paths[template] = { ...paths[template], ...item };
    for (const [name, schema] of Object.entries(module.schemas ?? {})) {
      if (schemas[name]) throw new Error(`Two modules define the OpenAPI schema ${name}`);
      schemas[name] = schema;
    }
  }
  return buildOpenApiDocument({ publicUrl, version: packageVersion(), paths, schemas, tags: modules.map((m) => m.tag) });
}

/** The node a local `$ref` points at. */
function resolve(document: Json, ref: string): Json {
  let node: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!node || typeof node !== 'object') throw new Error(`The OpenAPI document has nothing at ${ref}`);
  return node as Json;
}

/** A copy of the schema with every `$ref` to the document's components written in place (the validator sees one self-contained schema). */
function inline(document: Json, node: unknown, depth = 0): unknown {
  if (depth > 32) throw new Error('The OpenAPI document refers to itself too deeply');
  if (Array.isArray(node)) return node.map((item) => inline(document, item, depth + 1));
  if (node === null || typeof node !== 'object') return node;
  const object = node as Json;
  if (typeof object.$ref === 'string') return inline(document, resolve(document, object.$ref), depth + 1);
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, inline(document, value, depth + 1)]));
}

/** The request schemas Fastify validates a route with, taken from its operation in the document. */
export function requestSchemas(document: Json, operation: Json): { params?: Json; querystring?: Json; body?: Json } {
  const parameters = ((operation.parameters as Json[] | undefined) ?? []).map((p) => inline(document, p) as Json);
  const group = (where: string): Json | undefined => {
    const list = parameters.filter((p) => p.in === where);
    if (list.length === 0) return undefined;
    return {
      type: 'object',
      properties: Object.fromEntries(list.map((p) => [p.name as string, p.schema as Json])),
      required: list.filter((p) => p.required === true).map((p) => p.name as string),
      // Query strings may carry more than the operation reads (a cache buster, a tracking tag):
      // only the parameters it names are checked.
      additionalProperties: true,
    };
  };
  const out: { params?: Json; querystring?: Json; body?: Json } = {};
  const params = group('path');
  const querystring = group('query');
  if (params) out.params = params;
  if (querystring) out.querystring = querystring;
  const requestBody = operation.requestBody as { required?: boolean; content?: Record<string, { schema?: Json }> } | undefined;
  const bodySchema = requestBody?.content?.['application/json']?.schema;
  if (bodySchema) out.body = { ...(inline(document, bodySchema) as Json), ...(requestBody?.required === false ? { [OPTIONAL_BODY]: true } : {}) };
  return out;
}

/** The schema of a documented answer (its status's JSON or problem+json body), self-contained; undefined when it has no body. */
export function responseSchema(document: Json, operation: Json, status: number): Json | undefined {
  const responses = (operation.responses ?? {}) as Record<string, Json>;
  let response = responses[String(status)];
  if (!response) return undefined;
  if (typeof response.$ref === 'string') response = resolve(document, response.$ref);
  const content = (response.content ?? {}) as Record<string, { schema?: Json }>;
  const schema = content['application/json']?.schema ?? content['application/problem+json']?.schema;
  return schema ? (inline(document, schema) as Json) : undefined;
}

const API_ROOT = '/api/v1';

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI document this app serves and validates its API by. */
    openApiDocument: Json;
  }
}

/**
 * Builds the OpenAPI document from what the modules document and validates every /api/v1 route by
 * it: each route takes the parameter and body schemas of its operation (so documentation and
 * validation cannot drift), and a route the document does not describe is refused at start.
 * Then serves the document at /api/openapi.json: public, built once, cacheable for a few minutes.
 * Register it before the modules' routes.
 */
export function registerApi(app: FastifyInstance, publicUrl: URL, modules: readonly ModuleApi[]): void {
  const document = openApiDocument(publicUrl, modules);
  app.decorate('openApiDocument', document);
  const paths = document.paths as PathItems;
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${API_ROOT}/`) || route.method === 'HEAD') return;
    for (const method of [route.method].flat()) {
      const operation = paths[toTemplate(route.url.slice(API_ROOT.length))]?.[method.toLowerCase() as 'get'];
      if (!operation) throw new Error(`${method} ${route.url} is not described in the OpenAPI document`);
      route.schema = { ...route.schema, ...requestSchemas(document, operation) };
    }
  });
  const body = JSON.stringify(document);
  app.get(OPENAPI_PATH, { config: { guard: anyone } }, async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(body);
  });
}

export { OPENAPI_PATH } from './document.js';
export { toTemplate } from './schema.js';
