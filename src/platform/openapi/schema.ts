/**
 * Small builders for the OpenAPI 3.1 document: JSON Schema 2020-12 fragments and operations whose
 * error responses all point at the one Problem schema.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** A JSON Schema (2020-12) or an OpenAPI object: plain JSON. */
export type Json = Record<string, unknown>;

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Statuses an operation may answer with problem+json. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429;

/** The path items a module documents: `{param}` templates under the server URL (/api/v1). */
export type PathItems = Record<string, Partial<Record<Method, Json>>>;

/**
 * The schema builders below are TypeBox's (they are plain JSON Schema 2020-12 underneath, with the
 * static type of what they accept): the same schema documents an operation in the OpenAPI
 * document and validates its requests through Fastify (see validation.ts).
 */
export type Schema = TSchema;

/** A reference to a schema of the document's components. */
export const ref = (name: string): TSchema => Type.Unsafe<unknown>({ $ref: `#/components/schemas/${name}` });

/** The same schema, or null. */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A string with optional limits (counted in characters). */
export const str = (options: { min?: number; max?: number; format?: string; description?: string; pattern?: string } = {}) =>
  Type.String({
    ...(options.min !== undefined ? { minLength: options.min } : {}),
    ...(options.max !== undefined ? { maxLength: options.max } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.pattern ? { pattern: options.pattern } : {}),
    ...(options.description ? { description: options.description } : {}),
  });

export const uuid = Type.String({ format: 'uuid' });
export const dateTime = Type.String({ format: 'date-time' });
export const bool = Type.Boolean();
export const num = Type.Number();

/** An integer within bounds. */
export const int = (min?: number, max?: number, description?: string) =>
  Type.Integer({
    ...(min !== undefined ? { minimum: min } : {}),
    ...(max !== undefined ? { maximum: max } : {}),
    ...(description ? { description } : {}),
  });

/** One of the values (a string enum, as JSON Schema writes it). */
export const oneOf = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** An array of items, at most `max`. */
export const list = <T extends TSchema>(items: T, max?: number, description?: string) =>
  Type.Array(items, { ...(max !== undefined ? { maxItems: max } : {}), ...(description ? { description } : {}) });

/** An object; `required` lists the members always present (responses) or needed (requests). Unknown members are refused by default. */
export const obj = (properties: Record<string, TSchema>, required: string[] = [], options: { open?: boolean; description?: string } = {}): TSchema => {
  const members: Record<string, TSchema> = {};
  for (const [name, schema] of Object.entries(properties)) members[name] = required.includes(name) ? schema : Type.Optional(schema);
  return Type.Object(members, { ...(options.open ? {} : { additionalProperties: false }), ...(options.description ? { description: options.description } : {}) });
};

/** Every member of a response object is always present. */
export const record = (properties: Record<string, TSchema>, description?: string): TSchema => obj(properties, Object.keys(properties), description ? { description } : {});

/** A schema written out as JSON Schema (for shapes the builders do not cover). */
export const raw = (json: Json): TSchema => Type.Unsafe<unknown>(json);

/** Any JSON object (a document whose members are described in words). */
export const anyObject = (description: string): TSchema => Type.Object({}, { additionalProperties: true, description });

/** A path parameter. */
export const pathParam = (name: string, schema: TSchema, description: string): Json => ({ name, in: 'path', required: true, description, schema });

/** A query parameter. */
export const queryParam = (name: string, schema: TSchema, description: string): Json => ({ name, in: 'query', required: false, description, schema });

/** A deprecated query name of the previous release, still accepted for one release (its answers carry a `Deprecation` header). */
export const deprecatedParam = (name: string, schema: TSchema, description: string): Json => ({ ...queryParam(name, schema, description), deprecated: true });

/** The parameters of every paged list: `cursor` and `limit` (shared components of the document). */
export const PAGE_PARAMETERS: Json[] = [{ $ref: '#/components/parameters/Cursor' }, { $ref: '#/components/parameters/Limit' }];

/** One page of a list: its members (the items), `next`, and the `Link` header. */
export const page = (description: string, members: Record<string, TSchema>, headers: Json = {}): Json =>
  json(description, record({ ...members, next: ref('NextPage') }), { Link: { $ref: '#/components/headers/Link' }, ...headers });

/** A JSON response. */
export const json = (description: string, schema: TSchema, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

/** An empty response. */
export const empty = (description: string): Json => ({ description });

/** Who may call an operation: nobody needs to be signed in, anyone may be, or a token with the scope is needed. */
export type Access = 'public' | 'optional' | 'read' | 'write';

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  parameters?: Json[];
  /** The JSON body (a schema), if the operation takes one. */
  body?: TSchema;
  bodyRequired?: boolean;
  /** Successful responses by status. */
  success: Record<number, Json>;
  /** Problem statuses beyond those `access` and `body` imply. */
  problems?: ProblemStatus[];
}

function security(access: Access): Json[] {
  switch (access) {
    case 'public':
      return [];
    case 'optional':
      // Anonymous callers see what the public sees; a token shows what its owner may see.
      return [{}, { bearer: ['read'] }];
    default:
      return [{ bearer: [access] }];
  }
}

/**
 * An operation: security from `access`; 401 unless public (a bad token is refused everywhere), 403
 * for write scope, 400 and 422 for query parameters, 400 and 415 for bodies, 429 for every
 * operation (the general rate limit), plus `problems`.
 */
export function operation(spec: OperationSpec): Json {
  const statuses = new Set<ProblemStatus>(spec.problems ?? []);
  // A token that is not valid is refused even where no token is needed.
  if (spec.access !== 'public') statuses.add(401);
  // Query parameters are checked at the door: a value that does not fit is a 422, an unknown cursor a 400.
  if ((spec.parameters ?? []).some((p) => p.in === 'query' || (typeof p.$ref === 'string' && /parameters\/(Cursor|Limit)$/.test(p.$ref)))) {
    statuses.add(400);
    statuses.add(422);
  }
  if (spec.access === 'write') statuses.add(403);
  if (spec.body) {
    statuses.add(400);
    statuses.add(415);
  }
  statuses.add(429);
  const responses: Json = {};
  for (const [status, response] of Object.entries(spec.success)) responses[status] = response;
  for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    security: security(spec.access),
    ...(spec.parameters && spec.parameters.length > 0 ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: { required: spec.bodyRequired ?? true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses,
  };
}

/** Fastify's route pattern ("/asks/:id") as an OpenAPI path template ("/asks/{id}"). */
export function toTemplate(route: string): string {
  return route.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
