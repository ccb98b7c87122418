import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemErrors, type Refusal } from './forms.js';
import { validationProblems } from './validation.js';

/** A refused part of a request: a JSON pointer (into the body, or naming a query parameter) and the message key explaining why. */
export interface FieldRefusal {
  pointer: string;
  key: string;
  values?: Record<string, string | number>;
}

/** An error a route raises on purpose: its status and a stable code become the response, with the refused fields if any. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message?: string,
    readonly fields: readonly FieldRefusal[] = [],
  ) {
    super(message ?? code);
    this.name = 'HttpError';
  }
}

/** One invalid field: a JSON pointer into the input and a translated message. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

const KNOWN_STATUSES = new Set([400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500, 503]);

/** Whether a request speaks the JSON API rather than HTML. */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/');
}

function codeFor(status: number, error?: Partial<FastifyError>): string {
  if (status === 403 && error?.code?.startsWith('FST_CSRF')) return 'csrf_failed';
  if (status === 400 && error?.validation) return 'validation_error';
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'authentication_required',
    403: 'authorization_error',
    404: 'not_found',
    405: 'method_not_allowed',
    406: 'not_acceptable',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'validation_error',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return codes[status] ?? 'internal_error';
}

function pathOf(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? request.url : request.url.slice(0, index);
}

/** Sends an RFC 9457 problem document. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  extra: { detail?: string; errors?: FieldProblem[] } = {},
): FastifyReply {
  const { t } = request.i18n;
  const titleKey = KNOWN_STATUSES.has(status) ? `errors.${status}.title` : 'errors.500.title';
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `urn:alongside:problem:${code}`,
      title: t(titleKey),
      status,
      detail: extra.detail ?? t(KNOWN_STATUSES.has(status) ? `errors.${status}.detail` : 'errors.500.detail'),
      instance: pathOf(request),
      requestId: request.id,
      ...(extra.errors ? { errors: extra.errors } : {}),
    });
}

/** A refused submission as RFC 9457 problem+json (422), a JSON pointer and translated message per field. */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal, pointerFor: (name: string) => string = (name) => `/${name}`): FastifyReply {
  const errors = problemErrors(request.i18n, refusal.errors, [...(refusal.unknown ?? [])]).map((e) => ({ ...e, pointer: pointerFor(e.pointer.slice(1)) }));
  return sendProblem(request, reply, 422, 'validation_error', { errors });
}

/** Renders the HTML error page. */
function sendErrorPage(request: FastifyRequest, reply: FastifyReply, status: number, code: string): FastifyReply {
  const { t } = request.i18n;
  const key = KNOWN_STATUSES.has(status) ? status : 500;
  const title = code === 'csrf_failed' ? t('errors.csrf.title') : t(`errors.${key}.title`);
  const detail = code === 'csrf_failed' ? t('errors.csrf.detail') : t(`errors.${key}.detail`);
  reply.code(status);
  return reply.page(
    title,
    <section class="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{detail}</p>
      <p>
        <a href="/">{t('errors.home')}</a>
      </p>
      <p class="muted">
        {t('errors.reference')} <code>{request.id}</code>
      </p>
    </section>,
  );
}

/** Installs the error and not-found handlers: problem+json under /api, HTML pages elsewhere. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const raw = typeof error.statusCode === 'number' ? error.statusCode : 500;
    let status = raw >= 400 && raw <= 599 ? raw : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ err: error }, 'request refused');
    let code = error instanceof HttpError ? error.code : codeFor(status, error);
    let errors: FieldProblem[] | undefined;
    if (error.validation) {
      // Refused by the operation's schema at the door: a malformed id in the path is simply not
      // found; a body or query that does not fit is refused field by field.
      const whole = (error.validation as Array<{ instancePath?: string; keyword?: string }>).some((v) => !v.instancePath && v.keyword === 'type');
      if (error.validationContext === 'params') {
        status = 404;
        code = 'not_found';
      } else if (error.validationContext === 'body' && whole) {
        // Not an object at all (an array, a string): a malformed request rather than a refused field.
        status = 400;
        code = 'bad_request';
      } else {
        status = 422;
        code = 'validation_error';
        errors = validationProblems(request.i18n, error.validation as never, error.validationContext);
      }
    } else if (error instanceof HttpError && error.fields.length > 0) {
      errors = error.fields.map((f) => ({ pointer: f.pointer, detail: request.i18n.t(f.key, f.values) }));
    }
    if (isApiRequest(request) || !reply.page) {
      // 5xx never say why: the request id is how an admin finds the log line.
      return sendProblem(request, reply, status, code, errors ? { errors } : {});
    }
    return sendErrorPage(request, reply, status, code);
  });

  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request)) return sendProblem(request, reply, 404, 'not_found');
    return sendErrorPage(request, reply, 404, 'not_found');
  });
}
