import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { int, type Json, list, nullable, obj, type PathItems, type ProblemStatus, ref, str } from './schema.js';

/** The version in package.json: the API document describes this release. */
export function packageVersion(): string {
  const raw = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof raw.version === 'string' ? raw.version : '0.0.0';
}

const PROBLEM_DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request was malformed: a body that is not JSON or not an object, a bad cursor, a bad Idempotency-Key header.',
  401: 'No valid credentials: sign in or send a personal API token. Also sent when issuing a token with wrong credentials.',
  403: 'Signed in, but not allowed: the token lacks the `write` scope (`insufficient_scope`) or the person lacks the role.',
  404: 'Not found, or not visible to the caller: hidden records are never revealed.',
  409: 'The record is not in a state that allows this (already decided, full, final, rest mode).',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not `application/json`.',
  422: 'The body was understood but refused: `errors` lists each field by JSON pointer with a translated message.',
  429: 'Too many requests: wait for the seconds in `Retry-After`.',
};

const problemSchema: Json = obj(
  {
    type: str({ format: 'uri', description: 'A stable problem type, `urn:alongside:problem:<code>` (e.g. `validation_error`, `insufficient_scope`, `conflict`).' }),
    title: str({ description: 'A short, translated summary of the status.' }),
    status: int(400, 599),
    detail: str({ description: 'A translated explanation for people.' }),
    instance: str({ format: 'uri-reference', description: 'The path of the request.' }),
    requestId: str({ description: 'The request id, as logged: quote it when reporting a problem.' }),
    errors: list(
      obj({ pointer: str({ description: 'RFC 6901 JSON pointer.' }), detail: str() }, ['pointer', 'detail']),
      undefined,
      'Each refused field: a JSON pointer into the request body (or a header, `/Idempotency-Key`) or the query, and a translated message.',
    ),
  },
  ['type', 'title', 'status', 'detail', 'instance', 'requestId'],
  { description: 'An RFC 9457 problem document, with `errors` for field-level problems.' },
);

function problemResponses(): Json {
  const out: Json = {};
  for (const [status, description] of Object.entries(PROBLEM_DESCRIPTIONS)) {
    const headers: Json = {};
    if (status === '401') headers['WWW-Authenticate'] = { description: '`Bearer realm="alongside"`', schema: str() };
    if (status === '429') headers['Retry-After'] = { description: 'Seconds to wait.', schema: { type: 'integer', minimum: 0 } };
    out[`Problem${status}`] = {
      description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { 'application/problem+json': { schema: ref('Problem') } },
    };
  }
  return out;
}

/** Builds the OpenAPI 3.1 document for the paths of every module. */
export function buildOpenApiDocument(options: { publicUrl: URL; version: string; paths: PathItems; schemas: Record<string, Json>; tags: Array<{ name: string; description: string }> }): Json {
  const origin = options.publicUrl.origin;
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Alongside',
      version: options.version,
      summary: 'Communities say what they need, allies show up, and the community keeps the record.',
      description: [
        'The JSON API of an Alongside instance. Every path is relative to the server URL (`/api/v1`).',
        '',
        'Authenticate with a personal API token (`Authorization: Bearer alg_…`) issued at `POST /auth/tokens` or on the account page.',
        'A token has the scope `read` (GET requests) or `write` (everything). A browser session also works; its unsafe requests need the `X-CSRF-Token` header.',
        '',
        'Errors are RFC 9457 problem documents (`application/problem+json`); refused fields are listed in `errors` by JSON pointer.',
        'Every list is paged the same way: ask for up to `limit` items (at most 100; 20 unless given), and follow `next`, also sent as `Link: <…>; rel="next"`, until it is null.',
        'The `cursor` in `next` is opaque: a cursor that is not one this server made is refused with 400. Nothing is cut off silently.',
        'Query names of the previous release (`after`, `page`, `before`) still work for one release and are answered with a `Deprecation` header (RFC 9745).',
      ].join('\n'),
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: `${origin}/api/v1`, description: 'This instance' }],
    tags: options.tags,
    security: [{ bearer: ['read'] }],
    paths: options.paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'alg_…',
          description:
            'A personal API token, `alg_` followed by random characters, shown once when issued. Scopes: `read` allows GET requests; `write` also allows changes. ' +
            'Operations list the scope they need. A suspended account\'s tokens stop working; a revoked token answers 401.',
        },
      },
      schemas: {
        Problem: problemSchema,
        NextPage: nullable(str({ format: 'uri-reference', description: 'The address of the next page (the same as the `Link` header\'s `rel="next"`), or null on the last page.' })),
        ...options.schemas,
      },
      responses: problemResponses(),
      parameters: {
        Cursor: { name: 'cursor', in: 'query', required: false, description: 'Where the page starts: it is in the previous page\'s `next` (opaque; only this server makes them).', schema: str({ max: 1000 }) },
        Limit: { name: 'limit', in: 'query', required: false, description: 'How many items a page holds: 1 to 100, 20 unless given.', schema: int(1, 100) },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'A key of your own (8–200 printable ASCII characters). Repeating the request with the same key and body answers the first response again (`Idempotent-Replayed: true`) instead of acting twice; the same key with another body is refused with 422.',
          schema: str({ min: 8, max: 200, pattern: '^[\\x21-\\x7e]{8,200}$' }),
        },
      },
      headers: {
        Link: { description: 'The next page as `<…>; rel="next"` (RFC 8288), when there is one.', schema: str() },
        Deprecation: { description: 'Present when the request used a query name of the previous release (RFC 9745): the moment it was deprecated.', schema: str() },
        Location: { description: 'The URL of the created resource.', schema: str({ format: 'uri-reference' }) },
        IdempotentReplayed: { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
      },
    },
  };
}

/** The document's URL under the server root; outside /api/v1 so that it does not describe itself. */
export const OPENAPI_PATH = '/api/openapi.json';
