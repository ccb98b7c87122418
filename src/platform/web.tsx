import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../config.js';
import { chooseLocale, type I18n, type Translator } from './i18n.js';
import { linksFor, type ModuleDefinition } from './module.js';
import { PUBLIC_DIR } from './paths.js';
import { Layout } from './views/layout.js';
import { renderDocument, type PageContext, type Viewer } from './views/render.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language this request is answered in. */
    i18n: Translator;
    /** The signed-in person, if any. */
    viewer: Viewer | undefined;
  }
  interface FastifyReply {
    /** Renders a page inside the base layout and sends it as HTML. */
    page(title: string, body: VNode): FastifyReply;
    /** The context a page component needs (translator, nonce, CSRF token…). */
    pageContext(): PageContext;
    cspNonce: { script: string; style: string };
  }
}

/** Cookie names: `__Host-` binds a cookie to this exact origin, but browsers only accept it with `Secure`. */
export function cookieName(config: Config, name: string): string {
  return config.cookieSecure ? `__Host-${name}` : name;
}

/** A local path that is safe to redirect to after a form, or `/`. */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  // Browsers drop tabs and line breaks inside URLs ("/\t/evil.example" becomes "//evil.example"),
  // and a line break in a header fails the response: a path sent by this site has neither, nor spaces.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007F]/.test(value)) return '/';
  return value;
}

function assetUrl(relative: string): string {
  const content = fs.readFileSync(path.join(PUBLIC_DIR, relative));
  const version = createHash('sha256').update(content).digest('hex').slice(0, 12);
  return `/static/${relative}?v=${version}`;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** A request id from a trusted proxy's header when well-formed, else a new UUID. */
export function requestIdFrom(header: unknown, trustProxy: boolean): string {
  if (trustProxy && typeof header === 'string' && REQUEST_ID.test(header)) return header;
  return randomUUID();
}

/**
 * Per-request web context: the request id header, the language, and `reply.page` which renders a
 * component in the layout with the CSP nonce and a CSRF token.
 */
export function registerWebContext(app: FastifyInstance, config: Config, i18n: I18n, modules: readonly ModuleDefinition[]): void {
  const assets = { css: assetUrl('css/app.css'), js: assetUrl('js/app.js') };
  const langCookie = cookieName(config, 'lang');

  app.decorateRequest('i18n', null as unknown as Translator);
  app.decorateRequest('viewer', undefined);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.i18n = i18n.translator(
      chooseLocale({ cookie: request.cookies[langCookie], acceptLanguage: request.headers['accept-language'], fallback: config.defaultLocale }),
    );
  });

  // One token per response: a page whose body was built with its own context must carry the token
  // of the same secret the response sets in the cookie, or a first visit's form would be refused.
  const csrfTokens = new WeakMap<FastifyReply, string>();

  app.decorateReply('pageContext', function pageContext(this: FastifyReply): PageContext {
    const request = this.request as FastifyRequest;
    let csrfToken = csrfTokens.get(this);
    if (csrfToken === undefined) {
      csrfToken = this.generateCsrf();
      csrfTokens.set(this, csrfToken);
    }
    return {
      i18n: request.i18n,
      nonce: this.cspNonce.script,
      csrfToken,
      path: request.url,
      viewer: request.viewer,
      assets,
      links: {
        nav: linksFor(modules, 'nav', request.viewer),
        account: linksFor(modules, 'accountLinks', request.viewer),
      },
    };
  });

  app.decorateReply('page', function page(this: FastifyReply, title: string, body: VNode): FastifyReply {
    const ctx = this.pageContext();
    // Pages can show personal data: never store them in shared caches.
    this.header('cache-control', 'no-store');
    this.header('vary', 'Cookie, Accept-Language');
    return this.type('text/html; charset=utf-8').send(
      renderDocument(
        <Layout ctx={ctx} title={title}>
          {body}
        </Layout>,
      ),
    );
  });
}

/** Re-resolves the language once the signed-in person is known: their setting wins over the cookie. */
export function applyViewerLocale(request: FastifyRequest, i18n: I18n, config: Config, userLocale: string | null | undefined): void {
  if (!userLocale) return;
  request.i18n = i18n.translator(chooseLocale({ userLocale, fallback: config.defaultLocale }));
}
