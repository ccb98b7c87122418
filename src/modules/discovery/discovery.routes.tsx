import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
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

/** Reads `?page=N` of the feed: 1 when absent, 400 when it is not a page the feed can have. */
function feedPage(request: FastifyRequest): number {
  const raw = query(request).page;
  if (raw === undefined || raw === '') return 1;
  const page = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  if (page < 1 || page > FEED_PAGES_MAX) throw new HttpError(400, 'bad_request');
  return page;
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
    return reply.header('cache-control', 'no-store').send({
      asks: outcome.results.map(discoveredJson),
      sort: outcome.sort,
      place: outcome.place ? { id: outcome.place.id, name: outcome.place.name, country: outcome.place.country, withinKm: parsed.query.withinKm } : null,
      next: outcome.next ? `/api/v1/search/asks?${searchParams(q, { after: outcome.next, limit: String(limit) } as Partial<Record<SearchField, string>>)}` : null,
    });
  });

  app.get('/feed', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = feedPage(request);
    const result = await feed(db, viewer, page);
    const { t } = request.i18n;
    if (result.kind === 'rest') return reply.page(t('discovery.rest.title'), <RestPage ctx={reply.pageContext()} />);
    return reply.page(
      t('discovery.feed.title'),
      <FeedPage ctx={reply.pageContext()} page={result.page} pages={result.pages} items={result.items} hints={result.hints} homeArea={result.homeArea} radiusKm={result.radiusKm} />,
    );
  });

  app.post('/feed/resume', guarded(signedIn), async (request: FastifyRequest, reply: FastifyReply) => {
    const viewer = viewerOf(request);
    await setRestMode(db, { userId: viewer.id, on: false, requestId: request.id });
    return reply.redirect('/feed', 303);
  });

  app.get('/api/v1/me/feed', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = feedPage(request);
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
      next: result.page < result.pages ? `/api/v1/me/feed?page=${result.page + 1}` : null,
    });
  });
}
