import type { ModuleDefinition } from '../../platform/module.js';
import { profileApi } from './profile.openapi.js';
import { registerProfileRoutes } from './profile.routes.js';

/** The person's profile, their data export and account deletion. */
export const profileModule: ModuleDefinition = {
  name: 'profile',
  routes: registerProfileRoutes,
  api: profileApi,
  accountLinks: [
    { href: '/account/profile', label: 'account.hub.link.profile', order: 40 },
    { href: '/account/data', label: 'account.hub.link.data', order: 100 },
  ],
};

export { purgeDeleted } from './deletion.js';
export { getProfile, listPeople, setModeratorRole, setRestMode, setSuspension, updateProfile, type AdminUserRow } from './profile.service.js';
export type { ProfileInput } from './profile.form.js';
export { canSuspend } from './profile.policy.js';
export { coarsePoint, findPlaces, placeById, placeLabel, resolvePlace, type Place, type PlaceMatch, type PlaceResolution } from './places.js';
export { languageCodes } from './profile.form.js';
export { COMMON_LANGUAGES, COMMON_LANGUAGE_CODES } from './skills.js';
export { isLanguageCode, isSkill, skillLabelKey, SKILLS, WEEKDAYS, type DayPart, type SkillCode, type Slot, type Weekday } from './skills.js';
export { csvCell, toCsv } from './export.js';
