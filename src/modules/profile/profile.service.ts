import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import type { Viewer } from '../../platform/views/render.js';
import type { FieldError } from '../../platform/forms.js';
import { normalizeEmail } from '../accounts/index.js';
import { COMMON_LANGUAGE_CODES, isSkill, rowToSlot, slotToRow, type SkillCode, type Slot } from './skills.js';
import { coarsePoint, placeLabel, resolvePlace, type Place, type PlaceResolution } from './places.js';
import type { ProfileInput } from './profile.form.js';
import * as repo from './profile.repository.js';

export type { ProfileRecord } from './profile.repository.js';

/** A profile as the page and the API show it to its owner. */
export interface ProfileView {
  displayName: string;
  pronouns: string | null;
  languages: string[];
  skills: SkillCode[];
  tags: string[];
  homeArea: string | null;
  homePlaceId: string | null;
  /** The coarse point of the home area (the town's centre, two decimals). */
  homePoint: { lat: number; lon: number } | null;
  travelRadiusKm: number | null;
  availability: Slot[];
  weeklyCapacityHours: number | null;
  restMode: boolean;
  identityNote: string | null;
}

/** The person's own profile, or undefined when the account is gone. */
export async function getProfile(db: Db, userId: string): Promise<ProfileView | undefined> {
  const record = await repo.findProfile(db.kysely, userId);
  if (!record) return undefined;
  return {
    displayName: record.displayName,
    pronouns: record.pronouns,
    languages: record.languages,
    skills: record.skills.filter(isSkill),
    tags: record.skills.filter((s) => !isSkill(s)),
    homeArea: record.homeArea,
    homePlaceId: record.homePlaceId,
    homePoint: record.homeLat !== null && record.homeLon !== null ? { lat: record.homeLat, lon: record.homeLon } : null,
    travelRadiusKm: record.travelRadiusKm,
    availability: record.availability.map(rowToSlot),
    weeklyCapacityHours: record.weeklyCapacityHours,
    restMode: record.restMode,
    identityNote: record.identityNote,
  };
}

/** The form values that show a saved profile. */
export function profileFormValues(profile: ProfileView): Record<string, string | string[]> {
  return {
    displayName: profile.displayName,
    pronouns: profile.pronouns ?? '',
    languages: profile.languages.filter((l) => COMMON_LANGUAGE_CODES.includes(l)),
    otherLanguages: profile.languages.filter((l) => !COMMON_LANGUAGE_CODES.includes(l)).join(', '),
    skills: profile.skills,
    tags: profile.tags.join(', '),
    homeArea: profile.homeArea ?? '',
    homePlaceId: profile.homePlaceId ?? '',
    travelRadiusKm: profile.travelRadiusKm === null ? '' : String(profile.travelRadiusKm),
    availability: profile.availability,
    weeklyCapacityHours: profile.weeklyCapacityHours === null ? '' : String(profile.weeklyCapacityHours),
    restMode: profile.restMode ? 'on' : '',
    identityNote: profile.identityNote ?? '',
  };
}

/** The JSON body that, sent back through PATCH, changes nothing: the base a partial update is merged onto. */
export function profilePatchBase(profile: ProfileView): Record<string, unknown> {
  const { homePoint: _point, ...rest } = profile;
  return { ...rest };
}

export type { PlaceResolution } from './places.js';

/**
 * Turns the typed home area into a place. A chosen id counts when it is one of the places the text
 * matches, so a stale choice never overrides new text.
 */
export function resolveHomeArea(homeArea: string | null, homePlaceId: string | null): PlaceResolution {
  return resolvePlace(homeArea, homePlaceId, { ambiguous: 'profile.error.placeAmbiguous', postal: 'profile.error.placePostal', unknown: 'profile.error.placeUnknown' });
}

export type UpdateResult = { ok: true } | { ok: false; errors: Record<string, FieldError>; candidates: Place[] };

/** Saves a parsed profile in one transaction, with an audit entry that names no values. */
export async function updateProfile(db: Db, input: { userId: string; profile: ProfileInput; requestId: string }): Promise<UpdateResult> {
  const { profile } = input;
  const place = resolveHomeArea(profile.homeArea, profile.homePlaceId);
  if (!place.ok) return { ok: false, errors: { homeArea: place.error }, candidates: place.candidates };
  const point = place.place ? coarsePoint(place.place) : null;
  await db.kysely.transaction().execute(async (trx) => {
    await repo.saveProfile(trx, input.userId, {
      displayName: profile.displayName,
      pronouns: profile.pronouns,
      identityNote: profile.identityNote,
      homePlaceId: place.place?.id ?? null,
      homeArea: place.place ? placeLabel(place.place) : null,
      homeLat: point?.lat ?? null,
      homeLon: point?.lon ?? null,
      travelRadiusKm: profile.travelRadiusKm,
      weeklyCapacityHours: profile.weeklyCapacityHours,
      restMode: profile.restMode,
      languages: profile.languages,
      skills: [...profile.skills, ...profile.tags.filter((t) => !profile.skills.includes(t as SkillCode))],
      availability: profile.availability.map(slotToRow),
    });
    await audit(trx, { actorId: input.userId, action: 'profile.updated', subjectType: 'user', subjectId: input.userId, requestId: input.requestId });
  });
  return { ok: true };
}

// ---- admin --------------------------------------------------------------------------------------

export type { AdminUserRow } from './profile.repository.js';

/** People for the admin list, newest first; `before` is the position (creation time and id) of the last row of the previous page. */
export function listPeople(db: Db, options: { limit: number; before?: [string, string]; email?: string }) {
  return repo.listUsers(db.kysely, {
    limit: options.limit,
    ...(options.before ? { before: { at: options.before[0], id: options.before[1] } } : {}),
    ...(options.email ? { emailNormalized: normalizeEmail(options.email) } : {}),
  });
}

/**
 * Suspends (ending every session and token at once) or lifts a suspension; 'not_found' when there
 * is no such person, 'admin' when asked to suspend an admin (one admin account, taken over or not,
 * must not be able to lock every other admin out).
 */
export async function setSuspension(
  db: Db,
  input: { actorId: string; userId: string; suspend: boolean; requestId: string },
): Promise<'done' | 'not_found' | 'admin'> {
  return db.kysely.transaction().execute(async (trx) => {
    const found = await repo.setSuspended(trx, input.userId, input.suspend);
    if (found === 'admin') return 'admin';
    if (!found) return 'not_found';
    const ended = input.suspend ? await repo.endSessionsAndTokens(trx, input.userId) : undefined;
    await audit(trx, {
      actorId: input.actorId,
      action: input.suspend ? 'account.suspended' : 'account.unsuspended',
      subjectType: 'user',
      subjectId: input.userId,
      requestId: input.requestId,
      ...(ended ? { details: { sessionsEnded: ended.sessions, tokensRevoked: ended.tokens } } : {}),
    });
    return 'done';
  });
}

/**
 * An admin appoints an instance moderator, or removes one (audited). Admins are not changed this
 * way ('admin'); appointing someone who already is one changes nothing ('unchanged').
 */
export async function setModeratorRole(db: Db, input: { actor: Viewer; userId: string; moderator: boolean; requestId: string }): Promise<'done' | 'unchanged' | 'not_found' | 'admin'> {
  // Only admins appoint: a moderator cannot make more moderators (the route's guard says the same).
  if (input.actor.role !== 'admin') throw new Error('Only admins appoint moderators');
  return db.kysely.transaction().execute(async (trx) => {
    const before = await repo.setModerator(trx, input.userId, input.moderator);
    if (!before) return 'not_found';
    if (before === 'admin') return 'admin';
    if ((before === 'moderator') === input.moderator) return 'unchanged';
    await audit(trx, { actorId: input.actor.id, action: input.moderator ? 'account.moderator_appointed' : 'account.moderator_removed', subjectType: 'user', subjectId: input.userId, requestId: input.requestId });
    return 'done';
  });
}

/** Turns rest mode on or off on its own (the feed offers a way back), with an audit entry. */
export async function setRestMode(db: Db, input: { userId: string; on: boolean; requestId: string }): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await repo.saveRestMode(trx, input.userId, input.on);
    await audit(trx, { actorId: input.userId, action: input.on ? 'profile.rest_on' : 'profile.rest_off', subjectType: 'user', subjectId: input.userId, requestId: input.requestId });
  });
}
