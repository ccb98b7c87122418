import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import { cursorCodec, type PageRequest } from '../../platform/pagination.js';
import type { FieldError } from '../../platform/forms.js';
import type { Viewer } from '../../platform/views/render.js';
import { getCommunityAccess, type CommunityAccess } from '../communities/index.js';
import { coarsePoint, placeLabel, resolvePlace, type Place, type PlaceResolution } from '../profile/index.js';
import { type AskInput, type ExistingTimes } from './asks.form.js';
import { canSeeAsk, canSeeLocationDetail, listedStatuses, nextStatus, type AskAction, type AskStatus } from './asks.policy.js';
import * as repo from './asks.repository.js';
import type { AskListRow, AskRecord, AskRow } from './asks.repository.js';
import { UUID_PATTERN } from '../../platform/ids.js';
import { majorUnits } from '../../platform/money.js';

export type { AskListRow, AskRecord } from './asks.repository.js';

/** An ask and the viewer's relation to its community. */
export interface AskAccess {
  ask: AskRecord;
  access: CommunityAccess;
}

/** The ask, if it exists and the viewer may see it; undefined otherwise (the caller answers 404 either way). */
export async function getVisibleAsk(db: Db, id: string, viewer: Viewer | undefined): Promise<AskAccess | undefined> {
  if (!UUID_PATTERN.test(id)) return undefined;
  const ask = await repo.findAsk(db.kysely, id);
  if (!ask) return undefined;
  const access = await getCommunityAccess(db, ask.communityId, viewer);
  if (!access || !canSeeAsk(viewer, access, ask)) return undefined;
  return { ask, access };
}

export type AreaResolution = PlaceResolution;

/** Turns the typed area into a place of the shipped list; a chosen id counts when the text matches it. */
export function resolveArea(area: string | null, placeId: string | null): AreaResolution {
  return resolvePlace(area, placeId, { ambiguous: 'asks.error.areaAmbiguous', postal: 'asks.error.areaUnknown', unknown: 'asks.error.areaUnknown' });
}

function rowOf(input: AskInput, place: Place | null): AskRow {
  const point = place ? coarsePoint(place) : null;
  return {
    kind: input.kind,
    title: input.title,
    description: input.description,
    language: input.language,
    timeZone: input.timeZone,
    priority: input.priority,
    online: input.online,
    areaPlaceId: place?.id ?? null,
    areaLabel: place ? placeLabel(place) : null,
    areaLat: point?.lat ?? null,
    areaLon: point?.lon ?? null,
    locationDetail: input.locationDetail,
    locationSensitive: input.locationSensitive,
    accessibilityNotes: input.accessibilityNotes,
    withdrawalCutoffHours: input.withdrawalCutoffHours,
    deliverable: input.deliverable,
    estimatedHours: input.estimatedHours,
    moneyGoalMinor: input.moneyGoalMinor,
    currency: input.currency,
    advocacyScript: input.advocacyScript,
    advocacyTarget: input.advocacyTarget,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    capacity: input.capacity,
  };
}

export type SaveResult = { ok: true; id: string } | { ok: false; errors: Record<string, FieldError>; candidates: Place[] };

/** Creates a draft ask for the community, in one transaction with its audit entry. The caller has checked `canCreateAsk`. */
export async function createAsk(db: Db, input: { communityId: string; actorId: string; ask: AskInput; requestId: string }): Promise<SaveResult> {
  const place = resolveArea(input.ask.area, input.ask.areaPlaceId);
  if (!place.ok) return { ok: false, errors: { area: place.error }, candidates: place.candidates };
  const id = await db.kysely.transaction().execute(async (trx) => {
    const askId = await repo.insertAsk(trx, input.communityId, input.actorId, rowOf(input.ask, place.place));
    await repo.replaceTags(trx, askId, input.ask.skills, input.ask.languages);
    await repo.syncWindows(trx, askId, input.ask.kind === 'shift' ? input.ask.windows : []);
    await repo.syncItems(trx, askId, input.ask.kind === 'supplies' ? input.ask.items : []);
    await repo.refreshTimes(trx, askId);
    await audit(trx, { actorId: input.actorId, action: 'ask.created', subjectType: 'ask', subjectId: askId, requestId: input.requestId, details: { kind: input.ask.kind } });
    return askId;
  });
  return { ok: true, id };
}

/** Saves an edited ask, in one transaction with its audit entry. The caller has checked `canEditAsk`. */
export async function editAsk(db: Db, input: { askId: string; actorId: string; ask: AskInput; requestId: string }): Promise<SaveResult> {
  const place = resolveArea(input.ask.area, input.ask.areaPlaceId);
  if (!place.ok) return { ok: false, errors: { area: place.error }, candidates: place.candidates };
  try {
    await db.kysely.transaction().execute(async (trx) => {
      await repo.updateAsk(trx, input.askId, rowOf(input.ask, place.place));
      await repo.replaceTags(trx, input.askId, input.ask.skills, input.ask.languages);
      await repo.syncWindows(trx, input.askId, input.ask.kind === 'shift' ? input.ask.windows : []);
      await repo.syncItems(trx, input.askId, input.ask.kind === 'supplies' ? input.ask.items : []);
      await repo.refreshTimes(trx, input.askId);
      await audit(trx, { actorId: input.actorId, action: 'ask.updated', subjectType: 'ask', subjectId: input.askId, requestId: input.requestId });
    });
  } catch (err) {
    // The database refuses to delete a window people committed to (foreign key, on delete restrict):
    // 23503 on PostgreSQL 15, 23001 (restrict_violation) on newer servers such as PGlite's.
    const { code, constraint } = err as { code?: unknown; constraint?: unknown };
    if ((code === '23503' || code === '23001') && constraint === 'commitments_window_id_fkey') {
      return { ok: false, errors: { window0Start: { key: 'asks.error.windowHasCommitments' } }, candidates: [] };
    }
    throw err;
  }
  return { ok: true, id: input.askId };
}

/** The times already saved on an ask, which an edit may keep even once they are past. */
export function existingTimes(ask: AskRecord): ExistingTimes {
  return { windowStarts: new Map(ask.windows.map((w) => [w.id, w.startsAt.getTime()])), startsAt: ask.startsAt?.getTime() ?? null };
}

export type StatusResult = { ok: true; status: AskStatus } | { ok: false; reason: 'not_allowed' | 'conflict' };

/** Applies a lifecycle action (closing needs the outcome), in one transaction with its audit entry. */
export async function changeStatus(
  db: Db,
  input: { ask: AskRecord; action: AskAction; actorId: string; outcome?: string; requestId: string },
): Promise<StatusResult> {
  const to = nextStatus(input.ask.status, input.action);
  if (!to) return { ok: false, reason: 'not_allowed' };
  if (to === 'closed' && !input.outcome) return { ok: false, reason: 'not_allowed' };
  const moved = await db.kysely.transaction().execute(async (trx) => {
    const done = await repo.moveStatus(trx, input.ask.id, input.ask.status, to, input.outcome);
    if (done) {
      await audit(trx, {
        actorId: input.actorId,
        action: `ask.${input.action}`,
        subjectType: 'ask',
        subjectId: input.ask.id,
        requestId: input.requestId,
        details: { from: input.ask.status, to },
      });
    }
    return done;
  });
  return moved ? { ok: true, status: to } : { ok: false, reason: 'conflict' };
}

/** The keyset of a community's asks: the last row's creation time (to the microsecond) and id. */
export const ASK_CURSOR = cursorCodec('community-asks', ['timestamp', 'uuid']);

/** The community's asks as the viewer may list them, newest first, after the cursor: one more than the limit, so the caller knows whether a next page exists. */
export function listVisibleAsks(db: Db, access: CommunityAccess, viewer: Viewer | undefined, page: PageRequest<[string, string]>): Promise<AskListRow[]> {
  return repo.listAsks(db.kysely, {
    communityId: access.community.id,
    statuses: listedStatuses(viewer, access),
    limit: page.limit + 1,
    ...(page.after ? { after: { at: page.after[0], id: page.after[1] } } : {}),
  });
}

/** The ask as the API shows it to this viewer: the location detail only when the policy allows. */
export function askJson(ask: AskRecord, access: CommunityAccess, viewer: Viewer | undefined, facts: { pledged?: boolean } = {}) {
  const detail = canSeeLocationDetail(viewer, access, ask, facts);
  return {
    id: ask.id,
    community: access.community.slug,
    kind: ask.kind,
    title: ask.title,
    description: ask.description,
    language: ask.language,
    timeZone: ask.timeZone,
    status: ask.status,
    priority: ask.priority,
    online: ask.online,
    area: ask.areaLabel,
    areaPlaceId: ask.areaPlaceId,
    areaPoint: ask.areaLat !== null && ask.areaLon !== null ? { lat: ask.areaLat, lon: ask.areaLon } : null,
    locationSensitive: ask.locationSensitive,
    ...(detail ? { locationDetail: ask.locationDetail } : {}),
    skills: ask.skills,
    languages: ask.languages,
    accessibilityNotes: ask.accessibilityNotes,
    withdrawalCutoffHours: ask.withdrawalCutoffHours,
    deliverable: ask.deliverable,
    estimatedHours: ask.estimatedHours,
    moneyGoalMinor: ask.moneyGoalMinor,
    currency: ask.currency,
    advocacyScript: ask.advocacyScript,
    advocacyTarget: ask.advocacyTarget,
    startsAt: ask.startsAt?.toISOString() ?? null,
    endsAt: ask.endsAt?.toISOString() ?? null,
    capacity: ask.capacity,
    windows: ask.windows.map((w) => ({ id: w.id, startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString(), slots: w.slots })),
    items: ask.items.map((i) => ({ id: i.id, label: i.label, quantity: i.quantity, unit: i.unit })),
    outcome: ask.status === 'closed' ? ask.outcomeNote : null,
    publishedAt: ask.publishedAt?.toISOString() ?? null,
    closedAt: ask.closedAt?.toISOString() ?? null,
    createdAt: ask.createdAt.toISOString(),
    updatedAt: ask.updatedAt.toISOString(),
  };
}

/** The JSON an API client would send to change nothing: the base a PATCH is merged onto. */
export function askPatchBase(ask: AskRecord): Record<string, unknown> {
  return {
    kind: ask.kind,
    title: ask.title,
    description: ask.description,
    language: ask.language,
    timeZone: ask.timeZone,
    online: ask.online,
    area: ask.areaLabel,
    areaPlaceId: ask.areaPlaceId,
    locationDetail: ask.locationDetail,
    locationSensitive: ask.locationSensitive,
    skills: ask.skills,
    languages: ask.languages,
    accessibilityNotes: ask.accessibilityNotes,
    priority: ask.priority,
    withdrawalCutoffHours: ask.withdrawalCutoffHours,
    ...(ask.kind === 'skill' ? { deliverable: ask.deliverable, estimatedHours: ask.estimatedHours } : {}),
    ...(ask.kind === 'money' && ask.moneyGoalMinor !== null && ask.currency ? { moneyGoal: majorUnits(ask.moneyGoalMinor, ask.currency), currency: ask.currency } : {}),
    ...(ask.kind === 'advocacy' ? { advocacyScript: ask.advocacyScript, advocacyTarget: ask.advocacyTarget } : {}),
    ...(ask.kind === 'attend' ? { startsAt: ask.startsAt?.toISOString(), endsAt: ask.endsAt?.toISOString() ?? null, capacity: ask.capacity } : {}),
    ...(ask.kind === 'shift' ? { windows: ask.windows.map((w) => ({ id: w.id, startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString(), slots: w.slots })) } : {}),
    ...(ask.kind === 'supplies' ? { items: ask.items.map((i) => ({ id: i.id, label: i.label, quantity: i.quantity, unit: i.unit })) } : {}),
  };
}

