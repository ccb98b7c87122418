import type { TSchema } from '@sinclair/typebox';
import type { ModuleApi } from '../../platform/module.js';
import { bool, dateTime, deprecatedParam, int, list, nullable, num, obj, oneOf, operation, page, queryParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { ASK_KINDS } from '../asks/index.js';
import { FEED_PAGE_SIZE } from './feed.policy.js';
import { API_LIMIT_MAX, NEAR_MAX, ONLINE_CHOICES, QUERY_MAX, SORTS, TAG_MAX, WITHIN_MAX_KM } from './search.form.js';

const TAG = 'Discovery';

const discovered = record({
  id: uuid,
  title: str(),
  kind: oneOf(ASK_KINDS),
  priority: oneOf(['urgent', 'normal', 'ongoing']),
  language: str({ description: 'The language the ask is written in (ISO 639).' }),
  languages: list(str(), undefined, 'Languages the ask is carried out in, its own first.'),
  skills: list(str()),
  online: bool,
  area: nullable(str({ description: 'The public, coarse area: a town, never an address.' })),
  distanceKm: nullable(int(0, undefined, 'Rounded: whole kilometres, or steps of 5 km for an ask whose exact place is kept for its allies. Null for online asks or without a place.')),
  startsAt: nullable(dateTime),
  endsAt: nullable(dateTime),
  places: nullable(
    obj(
      { total: int(0), taken: int(0), free: int(0), currency: str({ description: 'Money asks: the goal\'s currency; amounts are in minor units.' }) },
      ['total', 'taken', 'free'],
      { description: 'Slots, seats, items or money, and how much of it is promised. Null for asks without a limit.' },
    ),
  ),
  community: record({ slug: str(), name: str() }),
  url: str({ description: 'The ask in the API.' }),
  page: str({ description: 'The ask\'s page.' }),
});

const reason = obj(
  {
    code: oneOf(['skills', 'missingSkills', 'language', 'near', 'online', 'available', 'places', 'soon', 'urgent', 'quietCommunity', 'nearlyFilled']),
    text: str({ description: 'The reason in plain words, in the caller\'s language.' }),
  },
  ['code', 'text'],
  { open: true, description: 'A factor that placed the ask; its other members give the details (skills, languages, km, slots…).' },
);

const searchParameters = [
  queryParam('q', str({ max: QUERY_MAX }), 'Words, as typed in a search box ("quotes" for phrases, -word to leave out). Each ask is read in its own language (English and Spanish stemmed).'),
  queryParam('kind', list(oneOf(ASK_KINDS), ASK_KINDS.length), 'Repeat for several kinds (`kind=shift&kind=skill`).'),
  queryParam('skill', str(), 'A skill code of the taxonomy.'),
  queryParam('language', str({ pattern: '^[a-z]{2,3}$' }), 'Asks written or carried out in this language.'),
  queryParam('from', str({ format: 'date' }), 'Asks happening on or after this day (UTC). Asks without dates are left out.'),
  queryParam('to', str({ format: 'date' }), 'Asks starting on or before this day (UTC).'),
  queryParam('online', oneOf(ONLINE_CHOICES), 'Only online asks (any place is then ignored), or only in-person ones; both by default, and only in-person ones with a place.'),
  queryParam('tag', str({ max: TAG_MAX }), 'Asks of communities led by or serving people so described.'),
  queryParam('near', str({ max: NEAR_MAX }), 'A town or city of the shipped place list ("Madrid", "Springfield, MO"): asks in person within `within` km of it. Online asks are found with `online=only`.'),
  queryParam('place', str({ pattern: '^\\d{1,12}$' }), 'A place id, when `near` names several places (the 422 answer lists them).'),
  queryParam('within', int(1, WITHIN_MAX_KM), 'Kilometres around the place (25 unless given).'),
  queryParam('sort', oneOf(SORTS), 'relevance (with `q`), date (soonest first) or distance (with a place). Defaults to relevance with words, distance with a place, date otherwise. Relevance ranks at most the first 200 asks a word matches when nothing else narrows the search.'),
  { $ref: '#/components/parameters/Cursor' },
  queryParam('limit', int(1, API_LIMIT_MAX), `Asks per page: 1 to ${API_LIMIT_MAX}, 20 unless given.`),
  deprecatedParam('after', str({ max: 1000 }), 'The previous release\'s name of `cursor`.'),
];

/** Search for everyone, and the ranked feed for signed-in allies. */
export const discoveryApi: ModuleApi = {
  tag: { name: TAG, description: 'Finding open asks: search with filters and distance, and a feed ranked for each ally with its reasons.' },
  schemas: { DiscoveredAsk: discovered, FeedReason: reason },
  paths: {
    '/search/asks': {
      get: operation({
        operationId: 'searchAsks',
        summary: 'Search open asks',
        description: 'Open asks of verified communities, never drafts or closed ones, never those of a community that blocked the caller. Keyset pagination: follow `next`.',
        tags: [TAG],
        access: 'optional',
        parameters: searchParameters,
        success: {
          200: page('One page of results.', {
            asks: list(ref('DiscoveredAsk'), API_LIMIT_MAX),
            sort: oneOf(SORTS),
            place: nullable(record({ id: str(), name: str(), country: str(), withinKm: int(1) })),
          }),
        },
        problems: [400, 422],
      }),
    },
    '/me/feed': {
      get: operation({
        operationId: 'getFeed',
        summary: 'The caller\'s "For you" feed',
        description:
          'Open asks near the caller\'s home area (within their travel radius) and online ones in their languages, ranked by fit, need and fairness, ' +
          `${FEED_PAGE_SIZE} to a page; no community takes more than five places on a page while four or more have asks to show. In rest mode the feed is empty.`,
        tags: [TAG],
        access: 'read',
        parameters: [
          { $ref: '#/components/parameters/Cursor' },
          deprecatedParam('page', int(1), 'The previous release\'s page number, from 1.'),
        ],
        success: {
          200: page('One page of the feed (its pages are laid out together, so it takes no `limit`).', {
              restMode: bool,
              page: int(1),
              pages: int(0),
              asks: list(
                obj({ ...((discovered.properties as Record<string, TSchema>) ?? {}), score: num, reasons: list(ref('FeedReason')) }, [
                  ...((discovered.required as string[]) ?? []),
                  'score',
                  'reasons',
                ]),
                FEED_PAGE_SIZE,
              ),
              hints: list(oneOf(['home', 'skills', 'languages', 'availability']), undefined, 'What the caller could add to their profile for a better fit.'),
          }),
        },
        problems: [400],
      }),
    },
  },
};
