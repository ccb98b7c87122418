import type { ModuleApi } from '../../platform/module.js';
import { anyObject, bool, empty, int, json, list, nullable, num, obj, oneOf, operation, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { CONTENT_MODES } from './deletion.js';
import {
  CAPACITY_MAX_HOURS,
  DISPLAY_NAME_MAX,
  HOME_AREA_MAX,
  IDENTITY_NOTE_MAX,
  LANGUAGES_MAX,
  PRONOUNS_MAX,
  RADIUS_MAX_KM,
  TAG_MAX_LENGTH,
  TAGS_MAX,
} from './profile.form.js';
import { SKILLS, SLOTS } from './skills.js';

const TAG = 'Me';
const languageCode = str({ pattern: '^[a-z]{2,3}$', description: 'An ISO 639 code.' });

const profileFields = {
  displayName: str({ min: 1, max: DISPLAY_NAME_MAX }),
  pronouns: nullable(str({ max: PRONOUNS_MAX })),
  languages: list(languageCode, LANGUAGES_MAX),
  skills: list(oneOf(SKILLS), SKILLS.length),
  tags: list(str({ min: 1, max: TAG_MAX_LENGTH }), TAGS_MAX, 'Free skill tags, lower case.'),
  homeArea: nullable(str({ max: HOME_AREA_MAX, description: 'A town or city; when several match, the 422 lists them with their `homePlaceId`.' })),
  homePlaceId: nullable(str({ pattern: '^\\d{1,12}$', description: 'Picks one of several places with the same name.' })),
  travelRadiusKm: nullable(int(0, RADIUS_MAX_KM)),
  availability: list(oneOf(SLOTS), SLOTS.length, 'Weekly slots such as `mon:evening`.'),
  weeklyCapacityHours: nullable(int(0, CAPACITY_MAX_HOURS)),
  restMode: bool,
  identityNote: nullable(str({ max: IDENTITY_NOTE_MAX })),
};

/** The signed-in person: profile, data export and account deletion. */
export const profileApi: ModuleApi = {
  tag: { name: TAG, description: 'The caller\'s own profile, data and account.' },
  schemas: {
    Profile: record({ id: uuid, ...profileFields, homePoint: nullable(record({ lat: num, lon: num })) }),
  },
  paths: {
    '/me': {
      get: operation({
        operationId: 'getMe',
        summary: 'The caller\'s profile',
        tags: [TAG],
        access: 'read',
        success: { 200: json('The profile.', ref('Profile')) },
        problems: [404],
      }),
      patch: operation({
        operationId: 'updateMe',
        summary: 'Change the caller\'s profile',
        description: 'A partial update: members left out keep their value. Every member is checked as on the profile page.',
        tags: [TAG],
        access: 'write',
        body: obj(profileFields),
        success: { 200: json('The saved profile.', ref('Profile')) },
        problems: [404, 422],
      }),
      delete: operation({
        operationId: 'deleteMe',
        summary: 'Delete the caller\'s account',
        description: 'Needs the password again. `content` says whether what the person wrote is deleted or kept without their name. Attempts are limited.',
        tags: [TAG],
        access: 'write',
        body: obj({ password: str({ min: 1 }), content: oneOf(CONTENT_MODES) }, ['password', 'content']),
        success: { 204: empty('Deleted: every session and token of the account ends.') },
        problems: [404, 422],
      }),
    },
    '/me/export': {
      get: operation({
        operationId: 'exportMe',
        summary: 'Everything the instance keeps about the caller, as one JSON document',
        tags: [TAG],
        access: 'read',
        success: { 200: json('The export.', anyObject('The same document as the data page\'s download.')) },
        problems: [404],
      }),
    },
  },
};
