import { checkbox, choice, fail, type Field, type FieldError, integer, many, optionalText, parseForm, text } from '../../platform/forms.js';
import { COMMON_LANGUAGE_CODES, isLanguageCode, SKILLS, SLOTS, type SkillCode, type Slot } from './skills.js';

export const DISPLAY_NAME_MAX = 80;
export const PRONOUNS_MAX = 40;
export const IDENTITY_NOTE_MAX = 500;
export const HOME_AREA_MAX = 120;
export const TAG_MAX_LENGTH = 40;
export const TAGS_MAX = 10;
export const LANGUAGES_MAX = 20;
export const RADIUS_MAX_KM = 1000;
export const CAPACITY_MAX_HOURS = 80;

/** A profile as a person submits it, before the home area is looked up. */
export interface ProfileInput {
  displayName: string;
  pronouns: string | null;
  languages: string[];
  skills: SkillCode[];
  tags: string[];
  homeArea: string | null;
  homePlaceId: string | null;
  travelRadiusKm: number | null;
  availability: Slot[];
  weeklyCapacityHours: number | null;
  restMode: boolean;
  identityNote: string | null;
}

/** A list typed as one text ("a, b") or sent as a JSON array: each entry trimmed, empty ones dropped. */
function listEntries(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return [];
  const parts = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') return undefined;
    for (const entry of part.split(',')) {
      const value = entry.normalize('NFC').trim().replace(/\s+/g, ' ');
      if (value !== '') out.push(value);
    }
  }
  return out;
}

function echoList(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw.filter((r): r is string => typeof r === 'string').join(', ');
  return '';
}

/** ISO 639 codes typed freely ("qu, yo") or sent as an array; lower-cased, checked against the codes ICU knows. */
export function languageCodes(options: { max: number }): Field<string[]> {
  return {
    parse(raw) {
      const entries = listEntries(raw);
      if (entries === undefined) return fail('validation.invalid');
      const codes: string[] = [];
      for (const entry of entries) {
        const code = entry.toLowerCase();
        if (!isLanguageCode(code)) return fail('profile.error.languageCode', { code: entry.slice(0, 20) });
        if (!codes.includes(code)) codes.push(code);
      }
      if (codes.length > options.max) return fail('validation.tooMany', { max: options.max });
      return { ok: true, value: codes };
    },
    echo: echoList,
  };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/** Free skill tags, comma separated (or a JSON array): 1–40 characters each, at most ten, lower case, no duplicates. */
export function tagList(): Field<string[]> {
  return {
    parse(raw) {
      const entries = listEntries(raw);
      if (entries === undefined) return fail('validation.invalid');
      const tags: string[] = [];
      for (const entry of entries) {
        const tag = entry.toLowerCase();
        if (CONTROL.test(tag)) return fail('validation.invalid');
        if ([...tag].length > TAG_MAX_LENGTH) return fail('profile.error.tagLength', { max: TAG_MAX_LENGTH });
        if (!tags.includes(tag)) tags.push(tag);
      }
      if (tags.length > TAGS_MAX) return fail('validation.tooMany', { max: TAGS_MAX });
      return { ok: true, value: tags };
    },
    echo: echoList,
  };
}

const commonFields = {
  displayName: text({ min: 1, max: DISPLAY_NAME_MAX }),
  pronouns: optionalText({ max: PRONOUNS_MAX }),
  skills: many(choice(SKILLS), { max: SKILLS.length }),
  tags: tagList(),
  homeArea: optionalText({ max: HOME_AREA_MAX }),
  homePlaceId: optionalText({ max: 12 }),
  travelRadiusKm: integer({ min: 0, max: RADIUS_MAX_KM }),
  availability: many(choice(SLOTS), { max: SLOTS.length }),
  weeklyCapacityHours: integer({ min: 0, max: CAPACITY_MAX_HOURS }),
  restMode: checkbox(),
  identityNote: optionalText({ max: IDENTITY_NOTE_MAX, multiline: true }),
};

/** The HTML form: common languages as checkboxes, any others typed as codes. */
export const PROFILE_FORM = {
  ...commonFields,
  languages: many(choice(COMMON_LANGUAGE_CODES), { max: COMMON_LANGUAGE_CODES.length }),
  otherLanguages: languageCodes({ max: LANGUAGES_MAX }),
};

/** The JSON API: one list of language codes. */
export const PROFILE_JSON = {
  ...commonFields,
  languages: languageCodes({ max: LANGUAGES_MAX }),
};

export type ProfileParse =
  | { ok: true; value: ProfileInput }
  | { ok: false; errors: Partial<Record<string, FieldError>>; echo: Record<string, string | string[] | undefined>; unknown: string[] };

function finish(value: Omit<ProfileInput, 'homePlaceId'> & { homePlaceId: string | null }): ProfileInput {
  return {
    ...value,
    // A place id is a GeoNames number; anything else cannot be in the list.
    homePlaceId: value.homePlaceId && /^\d{1,12}$/.test(value.homePlaceId) ? value.homePlaceId : null,
  };
}

/** Parses the profile form: every field checked, unknown fields refused. */
export function parseProfileForm(body: unknown): ProfileParse {
  const result = parseForm(PROFILE_FORM, body);
  if (!result.ok) return { ok: false, errors: result.errors, echo: result.echo, unknown: result.unknown };
  const { otherLanguages, languages, ...rest } = result.value;
  const all = [...(languages as string[]), ...otherLanguages.filter((c) => !(languages as string[]).includes(c))];
  return { ok: true, value: finish({ ...rest, languages: all, skills: rest.skills as SkillCode[], availability: rest.availability as Slot[] }) };
}

/** Parses a JSON profile (the API): the same rules, languages as one array. */
export function parseProfileJson(body: unknown): ProfileParse {
  const result = parseForm(PROFILE_JSON, body);
  if (!result.ok) return { ok: false, errors: result.errors, echo: result.echo, unknown: result.unknown };
  const value = result.value;
  return { ok: true, value: finish({ ...value, skills: value.skills as SkillCode[], availability: value.availability as Slot[] }) };
}

/** The profile form's fields as typed, to show them again. */
export function profileFormEcho(body: unknown): Record<string, string | string[]> {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const echo: Record<string, string | string[]> = {};
  for (const [name, field] of Object.entries(PROFILE_FORM)) {
    const raw = Object.hasOwn(input, name) ? input[name] : undefined;
    echo[name] = field.echo ? field.echo(raw) : typeof raw === 'string' ? raw : '';
  }
  return echo;
}
