import { asString, checkbox, choice, fail, type Field, type FieldError, integer, many, ok, optionalText, text } from '../../platform/forms.js';
import { isLanguageCode, SKILLS, type SkillCode } from '../profile/index.js';
import { UUID_PATTERN } from '../../platform/ids.js';
import { isCurrency, toMinorUnits } from '../../platform/money.js';
import { ASK_KINDS, PRIORITIES, type AskKind, type AskPriority } from './asks.model.js';


export const TITLE_MAX = 140;
export const DESCRIPTION_MAX = 10000;
export const AREA_MAX = 120;
export const LOCATION_DETAIL_MAX = 500;
export const ACCESSIBILITY_MAX = 1000;
export const DELIVERABLE_MAX = 1000;
export const SCRIPT_MAX = 5000;
export const TARGET_MAX = 300;
export const OUTCOME_MAX = 2000;
export const CUTOFF_MAX_HOURS = 720;
export const DEFAULT_CUTOFF_HOURS = 24;
export const WINDOWS_MAX = 20;
export const ITEMS_MAX = 30;
/** Empty rows a form offers at first, and how many more "add rows" adds (JavaScript is never needed). */
export const ROWS_STEP = 3;
export const LANGUAGES_MAX = 20;

export interface WindowInput {
  id: string | null;
  startsAt: Date;
  endsAt: Date;
  slots: number;
}

export interface ItemInput {
  id: string | null;
  label: string;
  quantity: number;
  unit: string | null;
}

/** An ask as an organizer submits it, before its area is looked up. */
export interface AskInput {
  kind: AskKind;
  title: string;
  description: string;
  language: string;
  timeZone: string;
  online: boolean;
  area: string | null;
  areaPlaceId: string | null;
  locationDetail: string | null;
  locationSensitive: boolean;
  skills: SkillCode[];
  languages: string[];
  accessibilityNotes: string | null;
  priority: AskPriority;
  withdrawalCutoffHours: number;
  deliverable: string | null;
  estimatedHours: number | null;
  moneyGoalMinor: number | null;
  currency: string | null;
  advocacyScript: string | null;
  advocacyTarget: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  capacity: number | null;
  windows: WindowInput[];
  items: ItemInput[];
}

/** What the form already holds, so that times already saved need not be in the future again. */
export interface ExistingTimes {
  windowStarts: Map<string, number>;
  startsAt: number | null;
}

/** One ISO 639 language code. */
export function languageCode(): Field<string> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim().toLowerCase();
      if (value === '') return fail('validation.required');
      return isLanguageCode(value) ? ok(value) : fail('asks.error.languageCode');
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** Several language codes: repeated form fields (checkboxes) or a JSON array. */
export function languageList(max: number): Field<string[]> {
  return many(languageCode(), { max });
}

/** An IANA time zone such as Europe/Madrid; empty is UTC. */
export function timeZone(): Field<string> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim();
      if (value === '') return ok('UTC');
      if (value.length > 64 || !isTimeZone(value)) return fail('asks.error.timeZone');
      return ok(value);
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** Whether Intl knows the time zone. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether the parts name a real moment of a calendar: no 30 February, no 25:00. */
function realWallClock(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return false;
  const wall = new Date(Date.UTC(year, month - 1, day));
  return wall.getUTCFullYear() === year && wall.getUTCMonth() === month - 1 && wall.getUTCDate() === day;
}

/** The zone's offset from UTC, in milliseconds, at an instant. */
function zoneOffset(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(instant / 1000) * 1000;
}

/**
 * A time as typed: "2027-05-01T18:30" is wall-clock time in `zone` (what a datetime-local input
 * sends); an ISO 8601 time with Z or an offset (what API clients send) is taken as it is.
 */
export function parseDateTime(raw: string, zone: string): Date | undefined {
  const value = raw.trim();
  const absolute = ABSOLUTE.exec(value);
  if (absolute) {
    // Date would roll an impossible day over into the next month: check the parts first.
    const [year, month, day, hour, minute, second] = absolute.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
    const offsetHours = absolute[9] === undefined ? 0 : Number(absolute[9]);
    if (!realWallClock(year, month, day, hour, minute, second) || offsetHours > 14 || Number(absolute[10] ?? 0) > 59) return undefined;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const m = LOCAL.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (!realWallClock(year, month, day, hour, minute, second)) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // The offset at the wall time, then again at the result: right on both sides of a DST change.
  let instant = wall - zoneOffset(wall, zone);
  instant = wall - zoneOffset(instant, zone);
  return new Date(instant);
}

/** A time as a datetime-local input shows it in `zone`: "2027-05-01T18:30". */
export function toLocalInput(date: Date, zone: string): string {
  const shifted = new Date(date.getTime() + zoneOffset(date.getTime(), zone));
  return shifted.toISOString().slice(0, 16);
}

// Formats of each field; whether a field is needed depends on the kind and is checked afterwards.
const COMMON = {
  kind: choice(ASK_KINDS),
  title: text({ min: 2, max: TITLE_MAX }),
  description: optionalText({ max: DESCRIPTION_MAX, multiline: true }),
  language: languageCode(),
  timeZone: timeZone(),
  online: checkbox(),
  area: optionalText({ max: AREA_MAX }),
  areaPlaceId: optionalText({ max: 12 }),
  locationDetail: optionalText({ max: LOCATION_DETAIL_MAX, multiline: true }),
  locationSensitive: checkbox(),
  skills: many(choice(SKILLS), { max: SKILLS.length }),
  languages: languageList(LANGUAGES_MAX),
  accessibilityNotes: optionalText({ max: ACCESSIBILITY_MAX, multiline: true }),
  priority: choice(PRIORITIES, { required: false }),
  withdrawalCutoffHours: integer({ min: 0, max: CUTOFF_MAX_HOURS }),
} satisfies Record<string, Field<unknown>>;

const BY_KIND = {
  deliverable: text({ min: 1, max: DELIVERABLE_MAX, multiline: true }),
  estimatedHours: integer({ min: 1, max: 1000, required: true }),
  moneyGoal: text({ min: 1, max: 20 }),
  currency: text({ min: 3, max: 3 }),
  advocacyScript: text({ min: 1, max: SCRIPT_MAX, multiline: true }),
  advocacyTarget: text({ min: 1, max: TARGET_MAX }),
  startsAt: text({ min: 1, max: 40 }),
  endsAt: optionalText({ max: 40 }),
  capacity: integer({ min: 1, max: 100000, required: true }),
} satisfies Record<string, Field<unknown>>;

const KIND_FIELDS: Record<AskKind, ReadonlyArray<keyof typeof BY_KIND>> = {
  shift: [],
  skill: ['deliverable', 'estimatedHours'],
  supplies: [],
  money: ['moneyGoal', 'currency'],
  advocacy: ['advocacyScript', 'advocacyTarget'],
  attend: ['startsAt', 'endsAt', 'capacity'],
};

const WINDOW_PARTS = ['Id', 'Start', 'End', 'Slots'] as const;
const ITEM_PARTS = ['Id', 'Label', 'Quantity', 'Unit'] as const;
const ROW_FIELD = /^(window|item)(\d{1,2})(Id|Start|End|Slots|Label|Quantity|Unit)$/;

/** Fields of the HTML form only: how many rows it shows and the "add rows" button. */
const FORM_ONLY = new Set(['windowRows', 'itemRows', 'addRows', '_csrf']);

/** Names every ask form may carry. */
export function isAskField(name: string): boolean {
  if (Object.hasOwn(COMMON, name) || Object.hasOwn(BY_KIND, name) || FORM_ONLY.has(name)) return true;
  const m = ROW_FIELD.exec(name);
  if (!m) return false;
  const index = Number(m[2]);
  const parts: readonly string[] = m[1] === 'window' ? WINDOW_PARTS : ITEM_PARTS;
  return parts.includes(m[3]!) && index < (m[1] === 'window' ? WINDOWS_MAX : ITEMS_MAX);
}

export type AskParse =
  | { ok: true; value: AskInput }
  | { ok: false; errors: Record<string, FieldError>; unknown: string[] };

function str(input: Record<string, unknown>, name: string): string {
  return (asString(input[name]) ?? '').trim();
}

/**
 * Parses an ask from flat fields (the HTML form, or the API's JSON flattened by `flattenAskJson`).
 * Every field is checked so that every message shows at once; fields of other kinds are ignored;
 * new times must lie ahead of `now`.
 */
export function parseAsk(body: unknown, now: Date, existing?: ExistingTimes): AskParse {
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const errors: Record<string, FieldError> = {};
  const unknown = Object.keys(input).filter((name) => !isAskField(name));
  const values: Record<string, unknown> = {};
  const run = (name: string, field: Field<unknown>) => {
    const result = field.parse(Object.hasOwn(input, name) ? input[name] : undefined);
    if (result.ok) values[name] = result.value;
    else errors[name] = result.error;
  };
  for (const [name, field] of Object.entries(COMMON)) run(name, field);
  const kind = values.kind as AskKind | undefined;
  if (kind) for (const name of KIND_FIELDS[kind]) run(name, BY_KIND[name]);

  const zone = (values.timeZone as string | undefined) ?? 'UTC';
  const online = values.online === true;
  if (!online && !values.area && !errors.area) errors.area = { key: 'asks.error.whereRequired' };

  const value: Partial<AskInput> = {};
  let moneyGoalMinor: number | null = null;
  let currency: string | null = null;
  let startsAt: Date | null = null;
  let endsAt: Date | null = null;

  if (kind === 'money') {
    const code = typeof values.currency === 'string' ? values.currency.toUpperCase() : undefined;
    if (code !== undefined && !isCurrency(code)) errors.currency = { key: 'asks.error.currency' };
    else if (code) currency = code;
    if (typeof values.moneyGoal === 'string') {
      const minor = currency ? toMinorUnits(values.moneyGoal, currency) : undefined;
      if (currency && (minor === undefined || minor <= 0 || minor > Number.MAX_SAFE_INTEGER)) errors.moneyGoal = { key: 'asks.error.amount' };
      else if (minor !== undefined) moneyGoalMinor = minor;
    }
  }

  if (kind === 'attend' && typeof values.startsAt === 'string') {
    const start = parseDateTime(values.startsAt, zone);
    if (!start) errors.startsAt = { key: 'asks.error.dateTime' };
    else if (start.getTime() <= now.getTime() && start.getTime() !== existing?.startsAt) errors.startsAt = { key: 'asks.error.past' };
    else startsAt = start;
    if (typeof values.endsAt === 'string') {
      const end = parseDateTime(values.endsAt, zone);
      if (!end) errors.endsAt = { key: 'asks.error.dateTime' };
      else if (start && end.getTime() <= start.getTime()) errors.endsAt = { key: 'asks.error.endBeforeStart' };
      else endsAt = end;
    }
  }

  const windows: WindowInput[] = [];
  if (kind === 'shift') {
    for (let i = 0; i < WINDOWS_MAX; i += 1) {
      const [idRaw, startRaw, endRaw, slotsRaw] = WINDOW_PARTS.map((part) => str(input, `window${i}${part}`));
      if (!startRaw && !endRaw && !slotsRaw) continue;
      const id = idRaw && UUID_PATTERN.test(idRaw) ? idRaw : null;
      const start = startRaw ? parseDateTime(startRaw, zone) : undefined;
      const end = endRaw ? parseDateTime(endRaw, zone) : undefined;
      const slots = integer({ min: 1, max: 10000, required: true }).parse(slotsRaw);
      if (!startRaw) errors[`window${i}Start`] = { key: 'validation.required' };
      else if (!start) errors[`window${i}Start`] = { key: 'asks.error.dateTime' };
      else if (start.getTime() <= now.getTime() && !(id && existing?.windowStarts.get(id) === start.getTime())) errors[`window${i}Start`] = { key: 'asks.error.past' };
      if (!endRaw) errors[`window${i}End`] = { key: 'validation.required' };
      else if (!end) errors[`window${i}End`] = { key: 'asks.error.dateTime' };
      else if (start && end.getTime() <= start.getTime()) errors[`window${i}End`] = { key: 'asks.error.endBeforeStart' };
      if (!slots.ok) errors[`window${i}Slots`] = slots.error;
      if (start && end && slots.ok && slots.value !== null) windows.push({ id, startsAt: start, endsAt: end, slots: slots.value });
    }
    if (windows.length === 0 && !Object.keys(errors).some((k) => k.startsWith('window'))) errors.window0Start = { key: 'asks.error.windowsRequired' };
  }

  const items: ItemInput[] = [];
  if (kind === 'supplies') {
    for (let i = 0; i < ITEMS_MAX; i += 1) {
      const [idRaw, labelRaw, quantityRaw, unitRaw] = ITEM_PARTS.map((part) => str(input, `item${i}${part}`));
      if (!labelRaw && !quantityRaw && !unitRaw) continue;
      const id = idRaw && UUID_PATTERN.test(idRaw) ? idRaw : null;
      const label = text({ min: 1, max: 120 }).parse(labelRaw);
      const quantity = integer({ min: 1, max: 1000000, required: true }).parse(quantityRaw);
      const unit = optionalText({ max: 30 }).parse(unitRaw);
      if (!label.ok) errors[`item${i}Label`] = label.error;
      if (!quantity.ok) errors[`item${i}Quantity`] = quantity.error;
      if (!unit.ok) errors[`item${i}Unit`] = unit.error;
      if (label.ok && quantity.ok && unit.ok) items.push({ id, label: label.value, quantity: quantity.value!, unit: unit.value });
    }
    if (items.length === 0 && !Object.keys(errors).some((k) => k.startsWith('item'))) errors.item0Label = { key: 'asks.error.itemsRequired' };
  }

  if (Object.keys(errors).length > 0 || unknown.length > 0 || !kind) return { ok: false, errors, unknown };
  const placeId = values.areaPlaceId as string | null;
  Object.assign(value, {
    kind,
    title: values.title as string,
    description: (values.description as string | null) ?? '',
    language: values.language as string,
    timeZone: zone,
    online,
    area: values.area as string | null,
    areaPlaceId: placeId && /^\d{1,12}$/.test(placeId) ? placeId : null,
    locationDetail: values.locationDetail as string | null,
    locationSensitive: (values.locationSensitive as boolean) && values.locationDetail !== null,
    skills: values.skills as SkillCode[],
    languages: values.languages as string[],
    accessibilityNotes: values.accessibilityNotes as string | null,
    priority: (values.priority as AskPriority | null) ?? 'normal',
    withdrawalCutoffHours: (values.withdrawalCutoffHours as number | null) ?? DEFAULT_CUTOFF_HOURS,
    deliverable: kind === 'skill' ? (values.deliverable as string) : null,
    estimatedHours: kind === 'skill' ? (values.estimatedHours as number) : null,
    moneyGoalMinor: kind === 'money' ? moneyGoalMinor : null,
    currency: kind === 'money' ? currency : null,
    advocacyScript: kind === 'advocacy' ? (values.advocacyScript as string) : null,
    advocacyTarget: kind === 'advocacy' ? (values.advocacyTarget as string) : null,
    startsAt,
    endsAt,
    capacity: kind === 'attend' ? (values.capacity as number) : null,
    windows,
    items,
  } satisfies AskInput);
  return { ok: true, value: value as AskInput };
}

/** The closing form: the outcome the community writes, required. */
export const CLOSE_FORM = { outcome: text({ min: 1, max: OUTCOME_MAX, multiline: true }) };

// ---- JSON ----------------------------------------------------------------------------------------

/**
 * Turns the API's JSON (windows and items as arrays of objects) into the form's flat fields, so one
 * parser checks both. Returns undefined when the arrays are not arrays of objects.
 */
export function flattenAskJson(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const { windows, items, ...rest } = body;
  const flat: Record<string, unknown> = { ...rest };
  // The form's own row and button names are not part of the API: they come back as unknown fields.
  for (const name of Object.keys(flat)) {
    if (FORM_ONLY.has(name) || ROW_FIELD.test(name)) {
      flat[`/${name}`] = flat[name];
      delete flat[name];
    }
  }
  const rows = (list: unknown, max: number, prefix: string, map: Record<string, string>): boolean => {
    if (list === undefined || list === null) return true;
    if (!Array.isArray(list) || list.length > max) return false;
    for (const [i, row] of list.entries()) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
      for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
        const part = map[key];
        if (!part) {
          flat[`${prefix}s/${i}/${key}`] = value;
          continue;
        }
        flat[`${prefix}${i}${part}`] = value === null ? '' : value;
      }
    }
    return true;
  };
  if (!rows(windows, WINDOWS_MAX, 'window', { id: 'Id', startsAt: 'Start', endsAt: 'End', slots: 'Slots' })) return undefined;
  if (!rows(items, ITEMS_MAX, 'item', { id: 'Id', label: 'Label', quantity: 'Quantity', unit: 'Unit' })) return undefined;
  return flat;
}

/** The JSON pointer of a flat field name: window2End → /windows/2/endsAt. */
export function pointerFor(name: string): string {
  if (name.startsWith('/')) return name;
  const m = ROW_FIELD.exec(name);
  if (!m) return `/${name}`;
  const parts: Record<string, string> = { Id: 'id', Start: 'startsAt', End: 'endsAt', Slots: 'slots', Label: 'label', Quantity: 'quantity', Unit: 'unit' };
  return `/${m[1]}s/${m[2]}/${parts[m[3]!]}`;
}
