import pino, { type DestinationStream, type Logger } from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;

/** Masks e-mail and IPv4 addresses in free text that ends up in a log line. */
export function scrub(text: string): string {
  return text.replace(EMAIL, '[email]').replace(IPV4, '[ip]');
}

function pathOnly(url: string): string {
  // Query strings can carry tokens (reset links, share links): the path is enough to debug.
  const index = url.indexOf('?');
  return index === -1 ? url : `${url.slice(0, index)}?[redacted]`;
}

/**
 * The structured logger. Requests are logged as method, path and id only: no headers, cookies,
 * query strings, bodies or client addresses; errors lose the driver's `detail`, which can echo values.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'email',
          '*.email',
          'to',
          '*.to',
          'authorization',
          '*.authorization',
          'cookie',
          '*.cookie',
          'headers',
          '*.headers',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: FastifyRequest) => ({ id: req.id, method: req.method, url: pathOnly(req.url) }),
        res: (res: FastifyReply) => ({ statusCode: res.statusCode }),
        err: (err: Error & { code?: unknown; statusCode?: unknown }) => ({
          type: err.name,
          message: scrub(String(err.message)),
          code: typeof err.code === 'string' ? err.code : undefined,
          statusCode: typeof err.statusCode === 'number' ? err.statusCode : undefined,
          stack: err.stack ? scrub(err.stack) : undefined,
        }),
      },
    },
    destination,
  );
}
