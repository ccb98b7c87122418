import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { cursorCodec, markDeprecated } from '../../platform/pagination.js';
import { problemErrors, translateErrors } from '../../platform/forms.js';
import type { FormState } from '../../platform/views/form.js';
import { setRestMode } from '../profile/index.js';
import { discoveredJson, feed, FEED_PAGES_MAX, reasonText, search } from './discovery.service.js';
import { FeedPage, RestPage, SearchPage, type SearchView } from './discovery.views.js';
import { parseSearch, SEARCH_FIELDS, searchParams, type SearchField } from './search.form.js';

function query(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** The search fields of a page's address; anything else in it (a campaign tag, say) is left alone. */
function searchInput(request: FastifyRequest): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query(request))) {
    if ((SEARCH_FIELDS as string[]).includes(name) && name !== 'limit') input[name] = value;
  }
  return input;
}

/** The values a search form shows back. */
function echo(input: Record<string, unknown>): FormState['values'] {
  const values: FormState['values'] = {};
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'string') values[name] = value;
    else if (Array.isArray(value)) values[name] = value.filter((v): v is string => typeof v === 'string');
  }
  return values;
}

/** The feed's pages are laid out together (the fairness caps work across a page): a cursor names one. */
const FEED_CURSOR = cursorCodec('feed', ['int']);

/** The address of another page of the feed: the first has no cursor. */
function feedPageUrl(path: string, page: number): string {
  return page <= 1 ? path : `${path}?cursor=${FEED_CURSOR.encode([page])}`;
}

/**
 * The page of the feed asked for: `cursor`, or `page=N` of the previous release (answered with a
 * `Deprecation` header); 1 when neither; 400 when it is not a page the feed can have.
 */
function feedPage(request: FastifyRequest, reply: FastifyReply): number {
  const { cursor, page: legacy } = query(request);
  if (typeof cursor === 'string' && cursor !== '') {
    const page = FEED_CURSOR.decode(cursor)?.[0];
    if (page === undefined || page < 1 || page > FEED_PAGES_MAX) throw badCursor();
    return page;
  }
  if (legacy === undefined || legacy === '') return 1;
  const page = typeof legacy === 'string' && /^\d{1,3}$/.test(legacy) ? Number(legacy) : 0;
  if (page < 1 || page > FEED_PAGES_MAX) throw new HttpError(400, 'bad_request', 'bad page', [{ pointer: '/page', key: 'validation.cursor' }]);
  markDeprecated(reply, feedPageUrl(new URL(request.url, 'http://x').pathname, page));
  return page;
}

/** The API feed's next page, also as the `Link` header. */
function nextFeedLink(reply: FastifyReply, page: number): string {
  const next = feedPageUrl('/api/v1/me/feed', page);
  reply.header('link', `<${next}>; rel="next"`);
  return next;
}

/** A cursor this server did not make: a 400 naming it, on the page and in the API. */
function badCursor(): HttpError {
  return new HttpError(400, 'bad_request', 'bad cursor', [{ pointer: '/cursor', key: 'validation.cursor' }]);
}

/** Discovery: search for everyone, and the "For you" feed for signed-in allies, as pages and in the API. */
export function registerDiscoveryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/search', guarded(anyone), async (request, reply) => {
    const input = searchInput(request);
    const { t } = request.i18n;
    const render = (view: SearchView) => reply.page(t('discovery.search.title'), <SearchPage ctx={reply.pageContext()} view={view} />);
    if (Object.keys(input).length === 0) return render({ state: { values: {}, errors: {} }, searched: false });
    const values = echo(input);
    const parsed = parseSearch(input);
    if (!parsed.ok) {
      reply.code(422);
      return render({ state: { values, errors: translateErrors(request.i18n, parsed.errors) }, searched: false });
    }
    const outcome = await search(db, request.viewer, parsed.query);
    if (parsed.query.legacyCursor) markDeprecated(reply, '/search');
    if (!outcome.ok && outcome.errors.cursor) throw badCursor();
    if (outcome.ok && outcome.next) reply.header('link', `</search?${searchParams({ ...parsed.query, sort: outcome.sort }, { cursor: outcome.next })}>; rel="next"`);
    if (!outcome.ok) {
      reply.code(422);
      return render({ state: { values, errors: translateErrors(request.i18n, outcome.errors) }, searched: false, candidates: outcome.candidates });
    }
    const state: FormState = { values: { ...values, sort: outcome.sort }, errors: {} };
    return render({ state, searched: true, query: { ...parsed.query, sort: outcome.sort }, results: outcome.results, next: outcome.next, place: outcome.place });
  });

  app.get('/api/v1/search/asks', guarded(anyone), async (request, reply) => {
    const parsed = parseSearch(query(request));
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    const outcome = await search(db, request.viewer, parsed.query);
    if (parsed.query.legacyCursor) markDeprecated(reply, '/api/v1/search/asks');
    if (!outcome.ok && outcome.errors.cursor) throw badCursor();
    if (!outcome.ok) {
      const errors = problemErrors(request.i18n, outcome.errors);
      if (outcome.candidates.length > 0) {
        // The places the name could mean, to search again with `place`.
        const places = outcome.candidates.map((p) => `${p.id}: ${p.name}${p.region ? `, ${p.region}` : ''}, ${p.country}`).join('; ');
        for (const error of errors) if (error.pointer === '/near') error.detail = `${error.detail} ${places}`;
      }
      return sendProblem(request, reply, 422, 'validation_error', { errors });
    }
    const q = { ...parsed.query, sort: outcome.sort };
    const limit = parsed.query.limit;
    const next = outcome.next ? `/api/v1/search/asks?${searchParams(q, { cursor: outcome.next, limit: String(limit) } as Partial<Record<SearchField, string>>)}` : null;
    if (next) reply.header('link', `<${next}>; rel="next"`);
    return reply.header('cache-control', 'no-store').send({
      asks: outcome.results.map(discoveredJson),
      sort: outcome.sort,
      place: outcome.place ? { id: outcome.place.id, name: outcome.place.name, country: outcome.place.country, withinKm: parsed.query.withinKm } : null,
      next,
    });
  });

  app.get('/feed', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = feedPage(request, reply);
    const result = await feed(db, viewer, page);
    const { t } = request.i18n;
    if (result.kind === 'rest') return reply.page(t('discovery.rest.title'), <RestPage ctx={reply.pageContext()} />);
    const previous = result.page > 1 ? feedPageUrl('/feed', result.page - 1) : null;
    const next = result.page < result.pages ? feedPageUrl('/feed', result.page + 1) : null;
    if (next) reply.header('link', `<${next}>; rel="next"`);
    return reply.page(
      t('discovery.feed.title'),
      <FeedPage ctx={reply.pageContext()} page={result.page} pages={result.pages} previous={previous} next={next} items={result.items} hints={result.hints} homeArea={result.homeArea} radiusKm={result.radiusKm} />,
    );
  });

  app.post('/feed/resume', guarded(ownAccount), async (request: FastifyRequest, reply: FastifyReply) => {
    const viewer = viewerOf(request);
    await setRestMode(db, { userId: viewer.id, on: false, requestId: request.id });
    return reply.redirect('/feed', 303);
  });

  app.get('/api/v1/me/feed', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = feedPage(request, reply);
    const result = await feed(db, viewer, page);
    reply.header('cache-control', 'no-store');
    if (result.kind === 'rest') return reply.send({ restMode: true, page, pages: 0, asks: [], hints: [], next: null });
    return reply.send({
      restMode: false,
      page: result.page,
      pages: result.pages,
      asks: result.items.map((item) => ({
        ...discoveredJson(item.ask),
        score: item.score,
        reasons: item.reasons.map((reason) => ({ ...reason, text: reasonText(request.i18n, reason) })),
      })),
      hints: result.hints,
      next: result.page < result.pages ? nextFeedLink(reply, result.page + 1) : null,
    });
  });
}
