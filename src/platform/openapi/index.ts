import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { accountsApi } from '../../modules/accounts/accounts.openapi.js';
import { asksApi } from '../../modules/asks/asks.openapi.js';
import { commitmentsApi } from '../../modules/commitments/commitments.openapi.js';
import { communitiesApi } from '../../modules/communities/communities.openapi.js';
import { discoveryApi } from '../../modules/discovery/discovery.openapi.js';
import { ledgerApi } from '../../modules/ledger/ledger.openapi.js';
import { notificationsApi } from '../../modules/notifications/notifications.openapi.js';
import { profileApi } from '../../modules/profile/profile.openapi.js';
import { buildOpenApiDocument, OPENAPI_PATH, packageVersion } from './document.js';
import type { Json, PathItems } from './schema.js';

/** What a module documents: its tag, its path items and the schemas they refer to. */
export interface ModuleApi {
  tag: { name: string; description: string };
  paths: PathItems;
  schemas?: Record<string, Json>;
}

const MODULES: ModuleApi[] = [accountsApi, profileApi, communitiesApi, asksApi, commitmentsApi, ledgerApi, notificationsApi, discoveryApi];

/** The whole OpenAPI document of the instance. */
export function openApiDocument(publicUrl: URL): Json {
  const paths: PathItems = {};
  const schemas: Record<string, Json> = {};
  for (const module of MODULES) {
    for (const [template, item] of Object.entries(module.paths)) paths[template] = { ...paths[template], ...item };
    for (const [name, schema] of Object.entries(module.schemas ?? {})) {
      if (schemas[name]) throw new Error(`Two modules define the OpenAPI schema ${name}`);
      schemas[name] = schema;
    }
  }
  return buildOpenApiDocument({ publicUrl, version: packageVersion(), paths, schemas, tags: MODULES.map((m) => m.tag) });
}

/** Serves the OpenAPI document at /api/openapi.json: public, built once, cacheable for a few minutes. */
export function registerOpenApi(app: FastifyInstance, ctx: AppContext): void {
  const body = JSON.stringify(openApiDocument(ctx.config.publicUrl));
  app.get(OPENAPI_PATH, async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(body);
  });
}

export { OPENAPI_PATH } from './document.js';
export { toTemplate } from './schema.js';
