import { Type } from '@sinclair/typebox';
import type { ModuleApi } from '../../platform/module.js';
import { bool, dateTime, deprecatedParam, int, json, list, nullable, num, obj, oneOf, operation, page, PAGE_PARAMETERS, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { SKILLS } from '../profile/index.js';
import {
  ACCESSIBILITY_MAX,
  AREA_MAX,
  CUTOFF_MAX_HOURS,
  DELIVERABLE_MAX,
  DESCRIPTION_MAX,
  ITEMS_MAX,
  LANGUAGES_MAX,
  LOCATION_DETAIL_MAX,
  OUTCOME_MAX,
  SCRIPT_MAX,
  TARGET_MAX,
  TITLE_MAX,
  WINDOWS_MAX,
} from './asks.form.js';
import { ASK_KINDS, PRIORITIES } from './asks.model.js';
import { ASK_STATUSES } from './asks.policy.js';

const TAG = 'Asks';

const askId = pathParam('id', uuid, 'The ask\'s id.');
const slug = pathParam('slug', str(), 'The community\'s slug.');
const time = str({ description: 'ISO 8601 with Z or an offset; without one, wall-clock time in `timeZone`.' });
const language = str({ pattern: '^[a-z]{2,3}$' });

const askInput = obj(
  {
    kind: oneOf(ASK_KINDS),
    title: str({ min: 2, max: TITLE_MAX }),
    description: nullable(str({ max: DESCRIPTION_MAX, description: 'Markdown; sanitised when shown.' })),
    language,
    timeZone: str({ max: 64, description: 'An IANA time zone; empty is UTC.' }),
    online: bool,
    area: nullable(str({ max: AREA_MAX, description: 'Needed unless `online`.' })),
    areaPlaceId: nullable(str({ pattern: '^\\d{1,12}$' })),
    locationDetail: nullable(str({ max: LOCATION_DETAIL_MAX })),
    locationSensitive: Type.Boolean({ description: 'Only pledged allies and organizers see `locationDetail`.' }),
    skills: list(oneOf(SKILLS), SKILLS.length),
    languages: list(language, LANGUAGES_MAX),
    accessibilityNotes: nullable(str({ max: ACCESSIBILITY_MAX })),
    priority: oneOf(PRIORITIES),
    withdrawalCutoffHours: nullable(int(0, CUTOFF_MAX_HOURS, 'How long before the start allies may still withdraw without notice.')),
    deliverable: str({ min: 1, max: DELIVERABLE_MAX, description: 'Skill asks.' }),
    estimatedHours: int(1, 1000, 'Skill asks.'),
    moneyGoal: str({ max: 20, description: 'Money asks: the amount in major units, e.g. "250.50".' }),
    currency: str({ min: 3, max: 3, description: 'Money asks: ISO 4217.' }),
    advocacyScript: str({ min: 1, max: SCRIPT_MAX, description: 'Advocacy asks.' }),
    advocacyTarget: str({ min: 1, max: TARGET_MAX, description: 'Advocacy asks.' }),
    startsAt: { ...time, description: 'Attend asks.' },
    endsAt: nullable(time),
    capacity: int(1, 100000, 'Attend asks.'),
    windows: list(obj({ id: nullable(uuid), startsAt: time, endsAt: time, slots: int(1, 10000) }, ['startsAt', 'endsAt', 'slots']), WINDOWS_MAX, 'Shift asks: at least one; keep `id` to edit a window.'),
    items: list(obj({ id: nullable(uuid), label: str({ min: 1, max: 120 }), quantity: int(1, 1000000), unit: nullable(str({ max: 30 })) }, ['label', 'quantity']), ITEMS_MAX, 'Supplies asks: at least one.'),
  },
  [],
  { description: 'Which members are needed depends on `kind`; members of other kinds are ignored. New times must lie ahead.' },
);

const askProperties = {
  id: uuid,

  community: str({ description: 'The community\'s slug.' }),
  kind: oneOf(ASK_KINDS),
  title: str(),
  description: str(),
  language: str(),
  timeZone: str(),
  status: oneOf(ASK_STATUSES),
  priority: oneOf(PRIORITIES),
  online: bool,
  area: nullable(str()),
  areaPlaceId: nullable(str()),
  areaPoint: nullable(record({ lat: num, lon: num })),
  locationSensitive: bool,
  locationDetail: nullable(str({ description: 'Present only when the caller may see it.' })),
  skills: list(str()),
  languages: list(str()),
  accessibilityNotes: nullable(str()),
  withdrawalCutoffHours: int(0),
  deliverable: nullable(str()),
  estimatedHours: nullable(int()),
  moneyGoalMinor: nullable(int(0, undefined, 'In minor units of `currency`.')),
  currency: nullable(str()),
  advocacyScript: nullable(str()),
  advocacyTarget: nullable(str()),
  startsAt: nullable(dateTime),
  endsAt: nullable(dateTime),
  capacity: nullable(int()),
  windows: list(record({ id: uuid, startsAt: dateTime, endsAt: dateTime, slots: int(1) })),
  items: list(record({ id: uuid, label: str(), quantity: int(1), unit: nullable(str()) })),
  outcome: nullable(str({ description: 'What came of it, once closed.' })),
  publishedAt: nullable(dateTime),
  closedAt: nullable(dateTime),
  createdAt: dateTime,
  updatedAt: dateTime,
};

/** A community's asks: listing, the ask, creating and editing, and its lifecycle. */
export const asksApi: ModuleApi = {
  tag: { name: TAG, description: 'What a community needs: shifts, skills, supplies, money, advocacy and attendance.' },
  schemas: {
    Ask: obj(askProperties, Object.keys(askProperties).filter((name) => name !== 'locationDetail')),
    AskSummary: record({ id: uuid, kind: oneOf(ASK_KINDS), title: str(), status: oneOf(ASK_STATUSES), priority: oneOf(PRIORITIES), online: bool, area: nullable(str()), createdAt: dateTime, url: str({ format: 'uri-reference' }) }),
    AskInput: askInput,
  },
  paths: {
    '/communities/{slug}/asks': {
      get: operation({
        operationId: 'listAsks',
        summary: 'A community\'s asks the caller may see, newest first',
        description: 'Drafts and paused asks are listed for organizers only.',
        tags: [TAG],
        access: 'optional',
        parameters: [
          slug,
          ...PAGE_PARAMETERS,
          deprecatedParam('after', str({ max: 1000 }), 'The previous release\'s name of `cursor`.'),
        ],
        success: { 200: page('One page.', { asks: list(ref('AskSummary')) }) },
        problems: [400, 404],
      }),
      post: operation({
        operationId: 'createAsk',
        summary: 'Create an ask, as a draft (organizers)',
        tags: [TAG],
        access: 'write',
        parameters: [slug],
        body: ref('AskInput'),
        success: { 201: json('Created.', ref('Ask'), { Location: { $ref: '#/components/headers/Location' } }) },
        problems: [404, 422],
      }),
    },
    '/asks/{id}': {
      get: operation({
        operationId: 'getAsk',
        summary: 'An ask the caller may see',
        tags: [TAG],
        access: 'optional',
        parameters: [askId],
        success: { 200: json('The ask.', ref('Ask')) },
        problems: [404],
      }),
      patch: operation({
        operationId: 'updateAsk',
        summary: 'Change an ask (organizers); closed asks are the community\'s record and never change',
        description: 'A partial update: members left out keep their value.',
        tags: [TAG],
        access: 'write',
        parameters: [askId],
        body: ref('AskInput'),
        success: { 200: json('The saved ask.', ref('Ask')) },
        problems: [404, 409, 422],
      }),
    },
    '/asks/{id}/status': {
      post: operation({
        operationId: 'changeAskStatus',
        summary: 'Publish, pause, resume, mark filled or close an ask (organizers)',
        tags: [TAG],
        access: 'write',
        parameters: [askId],
        body: obj({ status: oneOf(ASK_STATUSES, 'The status to move to.'), outcome: nullable(str({ max: OUTCOME_MAX, description: 'Needed to close.' })) }, ['status']),
        success: { 200: json('The ask in its new status.', ref('Ask')) },
        problems: [404, 409, 422],
      }),
    },
  },
};
