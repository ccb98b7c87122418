import type { FastifyInstance } from 'fastify';
import { anyone } from '../auth.js';
import type { ModuleApi } from '../module.js';
import { buildOpenApiDocument, OPENAPI_PATH, packageVersion } from './document.js';
import type { Json, PathItems } from './schema.js';

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

/** Serves the OpenAPI document at /api/openapi.json: public, built once, cacheable for a few minutes. */
export function registerOpenApi(app: FastifyInstance, publicUrl: URL, modules: readonly ModuleApi[]): void {
  const body = JSON.stringify(openApiDocument(publicUrl, modules));
  app.get(OPENAPI_PATH, { config: { guard: anyone } }, async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(body);
  });
}

export { OPENAPI_PATH } from './document.js';
export { toTemplate } from './schema.js';
