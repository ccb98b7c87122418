import type { ModuleApi } from '../../platform/module.js';
import { bool, dateTime, empty, json, list, nullable, num, obj, oneOf, operation, page, PAGE_PARAMETERS, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import {
  ANSWER_MAX,
  AREA_MAX,
  CHANNEL_DETAILS_MAX,
  CHANNEL_LABEL_MAX,
  CHANNELS_MAX,
  HOW_TO_HELP_MAX,
  KINDS,
  LANGUAGES_MAX,
  LEDGER_VISIBILITIES,
  MISSION_MAX,
  NAME_MAX,
  NAME_MIN,
  NOTE_MAX,
  QUESTION_MAX,
  QUESTIONS_MAX,
  TAG_MAX,
  TAGS_MAX,
} from './communities.forms.js';

const TAG = 'Communities';
const STATUSES = ['pending', 'verified', 'rejected', 'suspended'] as const;
const ROLES = ['organizer', 'member', 'ally'] as const;

const slug = pathParam('slug', str({ pattern: '^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$' }), 'The community\'s slug.');
const identityTags = (description: string) => list(str({ min: 1, max: TAG_MAX }), TAGS_MAX, description);
const channel = record({ label: str({ min: 1, max: CHANNEL_LABEL_MAX }), details: str({ min: 1, max: CHANNEL_DETAILS_MAX }) });

const communityInput = obj(
  {
    name: str({ min: NAME_MIN, max: NAME_MAX }),
    mission: str({ min: 1, max: MISSION_MAX }),
    kind: oneOf(KINDS),
    ledBy: identityTags('Who leads it, as identity tags ("tenants, Black women"): at least one.'),
    serves: identityTags('Who it serves, as identity tags: at least one.'),
    online: bool,
    area: nullable(str({ max: AREA_MAX, description: 'Needed unless `online`. When several places match, the 422 lists them with their `areaPlaceId`.' })),
    areaPlaceId: nullable(str({ pattern: '^\\d{1,12}$' })),
    languages: list(str({ pattern: '^[a-z]{2,3}$' }), LANGUAGES_MAX, 'ISO 639 codes: at least one.'),
    howToHelp: nullable(str({ max: HOW_TO_HELP_MAX })),
    ledgerVisibility: oneOf(LEDGER_VISIBILITIES, 'Who sees the community\'s ledger.'),
    donationChannels: list(channel, CHANNELS_MAX),
    joinQuestions: list(str({ min: 1, max: QUESTION_MAX }), QUESTIONS_MAX, 'Asked of people who request to join.'),
  },
  ['name', 'mission', 'kind', 'ledBy', 'serves', 'languages', 'ledgerVisibility'],
);

const note = obj({ note: str({ min: 1, max: NOTE_MAX, description: 'Why: kept in the moderation record.' }) }, ['note']);

function moderation(decision: 'verify' | 'reject') {
  return {
    post: operation({
      operationId: `${decision}Community`,
      summary: decision === 'verify' ? 'Verify a proposed community (moderators)' : 'Reject a proposed community (moderators)',
      tags: [TAG],
      access: 'write',
      parameters: [slug],
      body: note,
      success: { 200: json('Decided.', record({ slug: str(), status: oneOf([decision === 'verify' ? 'verified' : 'rejected']) })) },
      problems: [404, 409, 422],
    }),
  };
}

/** Communities: the list, proposals, following, joining, people, and moderation. */
export const communitiesApi: ModuleApi = {
  tag: { name: TAG, description: 'Communities and supporter groups, their people, and their moderation.' },
  schemas: {
    Community: record({
      id: uuid,
      slug: str(),
      name: str(),
      kind: oneOf(KINDS),
      status: oneOf(STATUSES),
      mission: str(),
      ledBy: list(str()),
      serves: list(str()),
      online: bool,
      area: nullable(record({ label: str(), placeId: nullable(str()), lat: nullable(num), lon: nullable(num) })),
      languages: list(str()),
      howToHelp: nullable(str()),
      donationChannels: list(channel),
      ledgerVisibility: oneOf(LEDGER_VISIBILITIES),
      joinQuestions: list(str()),
      createdAt: dateTime,
      viewerRole: nullable(oneOf(ROLES)),
      joinRequestPending: bool,
    }),
    CommunitySummary: record({
      id: uuid,
      slug: str(),
      name: str(),
      kind: oneOf(KINDS),
      mission: str(),
      online: bool,
      area: nullable(str()),
      createdAt: dateTime,
      url: str({ format: 'uri-reference' }),
    }),
    CommunityInput: communityInput,
  },
  paths: {
    '/communities': {
      get: operation({
        operationId: 'listCommunities',
        summary: 'Verified communities (and, for moderators, every one), a page at a time',
        tags: [TAG],
        access: 'optional',
        parameters: PAGE_PARAMETERS,
        success: {
          200: page('One page.', { communities: list(ref('CommunitySummary')) }),
        },
        problems: [400],
      }),
      post: operation({
        operationId: 'proposeCommunity',
        summary: 'Propose a community: it waits for a moderator\'s verification, with the proposer as organizer',
        tags: [TAG],
        access: 'write',
        body: ref('CommunityInput'),
        success: { 201: json('Proposed.', ref('Community'), { Location: { $ref: '#/components/headers/Location' } }) },
        problems: [422],
      }),
    },
    '/communities/{slug}': {
      get: operation({
        operationId: 'getCommunity',
        summary: 'A community the caller may see',
        tags: [TAG],
        access: 'optional',
        parameters: [slug],
        success: { 200: json('The community.', ref('Community')) },
        problems: [404],
      }),
    },
    '/communities/{slug}/follow': {
      post: operation({
        operationId: 'followCommunity',
        summary: 'Follow a community as an ally',
        tags: [TAG],
        access: 'write',
        parameters: [slug],
        success: { 200: json('Following.', record({ role: oneOf(['ally']) })) },
        problems: [404, 409],
      }),
      delete: operation({
        operationId: 'unfollowCommunity',
        summary: 'Stop following a community (members leave instead)',
        tags: [TAG],
        access: 'write',
        parameters: [slug],
        success: { 204: empty('No longer following.') },
        problems: [404, 409],
      }),
    },
    '/communities/{slug}/join-requests': {
      post: operation({
        operationId: 'requestToJoin',
        summary: 'Ask to join a community as a member, answering its join questions',
        tags: [TAG],
        access: 'write',
        parameters: [slug],
        body: obj({ answers: list(str({ min: 1, max: ANSWER_MAX }), QUESTIONS_MAX, 'One answer per join question, in order.') }),
        success: { 201: json('Waiting for an organizer.', record({ status: oneOf(['pending']) })) },
        problems: [404, 409, 422],
      }),
    },
    '/communities/{slug}/memberships': {
      get: operation({
        operationId: 'listMemberships',
        summary: 'A community\'s people, waiting requests and blocks (organizers)',
        tags: [TAG],
        access: 'read',
        parameters: [slug, ...PAGE_PARAMETERS],
        success: {
          200: page('A page of the memberships (organizers, members, then allies, each by name), with every waiting request and block on each page.', {
            memberships: list(record({ userId: uuid, displayName: str(), role: oneOf(ROLES), since: dateTime })),
            joinRequests: list(record({ id: uuid, userId: uuid, displayName: str(), answers: list(str()), createdAt: dateTime })),
            blocked: list(record({ userId: uuid, displayName: str() })),
          }),
        },
        problems: [400, 403, 404],
      }),
    },
    '/moderation/communities/{slug}/verify': moderation('verify'),
    '/moderation/communities/{slug}/reject': moderation('reject'),
  },
};

