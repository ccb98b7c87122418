import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerProfileRoutes } from './profile.routes.js';

/** Every route of the profile module: the profile, data export and account deletion. */
export function registerProfile(app: FastifyInstance, ctx: AppContext): void {
  registerProfileRoutes(app, ctx);
}

export { registerDeletionHandler, purgeDeleted, type ContentMode, type DeletionHandler } from './deletion.js';
export { getProfile, listPeople, setRestMode, setSuspension, updateProfile, type AdminUserRow } from './profile.service.js';
export type { ProfileInput } from './profile.form.js';
export { canSuspend } from './profile.policy.js';
export { coarsePoint, findPlaces, placeById, placeLabel, resolvePlace, type Place, type PlaceMatch, type PlaceResolution } from './places.js';
export { languageCodes } from './profile.form.js';
export { COMMON_LANGUAGES, COMMON_LANGUAGE_CODES } from './skills.js';
export { isLanguageCode, isSkill, skillLabelKey, SKILLS, type SkillCode } from './skills.js';
export { csvCell, toCsv } from './export.js';
export { registerExportSection, type ExportSection } from './export.js';
