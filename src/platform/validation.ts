/**
 * Requests to /api/v1 are validated at the door by Fastify, against the schemas of the operation
 * the OpenAPI document gives for the route (see openapi/index.ts): the same schema documents and
 * validates, so the two cannot drift. JSON bodies are validated strictly (no coercion: `"maybe"` is
 * not a boolean, `"3"` is not a number, unknown members are refused); query strings and path
 * parameters arrive as text, so there numbers are read from their digits.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { Translator } from './i18n.js';

// ajv-formats is CommonJS: under NodeNext its function arrives as the default export's `default`.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

function newAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: false, removeAdditional: false, strict: false });
  addFormats(ajv);
  return ajv;
}

const strictAjv = newAjv(false);
const textAjv = newAjv('array');

/** A schema marked this way accepts a missing body (operations whose body is optional). */
export const OPTIONAL_BODY = 'x-alongside-optional';

/** Compiles each route's schemas: bodies strictly, the query string and path parameters from text. */
export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate: ValidateFunction = (httpPart === 'body' ? strictAjv : textAjv).compile(schema as object);
    if (httpPart !== 'body') {
      // Reading numbers from text changes the values it checks: check a copy, so that the handler
      // reads the query and the path exactly as they arrived.
      const onCopy = ((data: unknown) => validate(structuredClone(data))) as ValidateFunction;
      Object.defineProperty(onCopy, 'errors', { get: () => validate.errors });
      return onCopy;
    }
    if (httpPart === 'body' && (schema as Record<string, unknown>)[OPTIONAL_BODY] === true) {
      const optional = ((data: unknown) => data === undefined || data === null || validate(data)) as ValidateFunction;
      Object.defineProperty(optional, 'errors', { get: () => validate.errors });
      return optional;
    }
    return validate;
  });
}

/** One refused member: a JSON pointer and a translated message. */
export interface ValidationProblem {
  pointer: string;
  detail: string;
}

function pointerOf(error: ErrorObject): string {
  const base = error.instancePath || '';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return `${base}/${params.missingProperty}`;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return `${base}/${params.additionalProperty}`;
  return base || '/';
}

function messageOf(t: Translator['t'], error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const limit = typeof params.limit === 'number' ? params.limit : 0;
  switch (error.keyword) {
    case 'required':
      return t('validation.required');
    case 'additionalProperties':
      return t('validation.unknownField');
    case 'type':
      return t('validation.type', { type: t(`validation.type.${String(params.type).split(',')[0]}`) });
    case 'minLength':
      return t('validation.tooShort', { min: limit });
    case 'maxLength':
      return t('validation.tooLong', { max: limit });
    case 'minimum':
      return t('validation.atLeast', { min: limit });
    case 'maximum':
      return t('validation.atMost', { max: limit });
    case 'maxItems':
      return t('validation.tooMany', { max: limit });
    case 'enum':
      return t('validation.choice');
    default:
      return t('validation.invalid');
  }
}

/**
 * The refused members of a request as translated problems, one per member: the pointer is into the
 * body, or names the query parameter (`/limit`). Of several reasons for one member (a nullable
 * string that is too long fails as "too long" and as "not null"), the most telling is given.
 */
export function validationProblems(i18n: Translator, errors: readonly ErrorObject[], part: string = 'body'): ValidationProblem[] {
  const byPointer = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    // A query parameter is named as a whole (`/kind`, not `/kind/0`): it has no inner structure to point into.
    const pointer = part === 'querystring' ? pointerOf(error).replace(/^(\/[^/]*).*$/, '$1') : pointerOf(error);
    byPointer.set(pointer, [...(byPointer.get(pointer) ?? []), error]);
  }
  return [...byPointer].map(([pointer, list]) => {
    const best = list.find((e) => e.keyword !== 'type' && e.keyword !== 'anyOf') ?? list.find((e) => e.keyword === 'type') ?? list[0]!;
    return { pointer, detail: messageOf(i18n.t, best) };
  });
}
