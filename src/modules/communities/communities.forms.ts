import { checkbox, choice, fail, type Field, type FieldError, many, optionalText, parseForm, text } from '../../platform/forms.js';
import { languageCodes } from '../profile/index.js';

export const NAME_MIN = 2;
export const NAME_MAX = 100;
export const MISSION_MAX = 2000;
export const HOW_TO_HELP_MAX = 2000;
export const TAG_MAX = 60;
export const TAGS_MAX = 10;
export const LANGUAGES_MAX = 20;
export const AREA_MAX = 120;
export const QUESTIONS_MAX = 5;
export const QUESTION_MAX = 300;
export const ANSWER_MAX = 1000;
export const CHANNELS_MAX = 5;
export const CHANNEL_LABEL_MAX = 100;
export const CHANNEL_DETAILS_MAX = 1000;
export const NOTE_MAX = 2000;

export const KINDS = ['community', 'supporter_group'] as const;
export const LEDGER_VISIBILITIES = ['public', 'members'] as const;

/** A donation channel: where money goes, as a link or instructions. */
export interface DonationChannel {
  label: string;
  details: string;
}

/** A community as its proposer or organizers describe it, before the area is looked up. */
export interface CommunityInput {
  name: string;
  mission: string;
  kind: (typeof KINDS)[number];
  ledBy: string[];
  serves: string[];
  online: boolean;
  area: string | null;
  areaPlaceId: string | null;
  languages: string[];
  howToHelp: string | null;
  ledgerVisibility: (typeof LEDGER_VISIBILITIES)[number];
  donationChannels: DonationChannel[];
  joinQuestions: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, FieldError>; echo: Record<string, string | string[]>; unknown: string[] };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

function echoList(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw.filter((r): r is string => typeof r === 'string').join(', ');
  return '';
}

/** Identity tags ("Black women, disabled people"): comma separated or a JSON array; 1–60 characters each, at least one, at most ten, kept as typed. */
export function identityTags(): Field<string[]> {
  return {
    parse(raw) {
      if (raw === undefined || raw === null) return fail('validation.required');
      const parts = Array.isArray(raw) ? raw : [raw];
      const tags: string[] = [];
      for (const part of parts) {
        if (typeof part !== 'string') return fail('validation.invalid');
        for (const entry of part.split(',')) {
          const tag = entry.normalize('NFC').trim().replace(/\s+/g, ' ');
          if (tag === '') continue;
          if (CONTROL.test(tag)) return fail('validation.invalid');
          if ([...tag].length > TAG_MAX) return fail('communities.error.tagLength', { max: TAG_MAX });
          if (!tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags.push(tag);
        }
      }
      if (tags.length === 0) return fail('validation.required');
      if (tags.length > TAGS_MAX) return fail('validation.tooMany', { max: TAGS_MAX });
      return { ok: true, value: tags };
    },
    echo: echoList,
  };
}

/** Donation channels sent as a JSON array of { label, details }. */
export function donationChannels(): Field<DonationChannel[]> {
  const label = text({ min: 1, max: CHANNEL_LABEL_MAX });
  const details = text({ min: 1, max: CHANNEL_DETAILS_MAX, multiline: true });
  return {
    parse(raw) {
      if (raw === undefined || raw === null) return { ok: true, value: [] };
      if (!Array.isArray(raw)) return fail('validation.invalid');
      if (raw.length > CHANNELS_MAX) return fail('validation.tooMany', { max: CHANNELS_MAX });
      const out: DonationChannel[] = [];
      for (const entry of raw) {
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return fail('validation.invalid');
        const record = entry as Record<string, unknown>;
        if (Object.keys(record).some((k) => k !== 'label' && k !== 'details')) return fail('validation.invalid');
        const l = label.parse(record.label);
        if (!l.ok) return l;
        const d = details.parse(record.details);
        if (!d.ok) return d;
        out.push({ label: l.value, details: d.value });
      }
      return { ok: true, value: out };
    },
  };
}

const common = {
  name: text({ min: NAME_MIN, max: NAME_MAX }),
  mission: text({ min: 1, max: MISSION_MAX, multiline: true }),
  ledBy: identityTags(),
  serves: identityTags(),
  online: checkbox(),
  area: optionalText({ max: AREA_MAX }),
  areaPlaceId: optionalText({ max: 12 }),
  languages: languageCodes({ max: LANGUAGES_MAX }),
  howToHelp: optionalText({ max: HOW_TO_HELP_MAX, multiline: true }),
  ledgerVisibility: choice(LEDGER_VISIBILITIES),
};

const channelFields = Object.fromEntries(
  Array.from({ length: CHANNELS_MAX }, (_, i) => [
    [`donationLabel${i + 1}`, optionalText({ max: CHANNEL_LABEL_MAX })],
    [`donationDetails${i + 1}`, optionalText({ max: CHANNEL_DETAILS_MAX, multiline: true })],
  ]).flat(),
) as Record<string, Field<string | null>>;

const questionFields = Object.fromEntries(Array.from({ length: QUESTIONS_MAX }, (_, i) => [`question${i + 1}`, optionalText({ max: QUESTION_MAX })])) as Record<
  string,
  Field<string | null>
>;

/** The HTML form: numbered fields for donation channels and join questions, so it works without scripts. */
export const COMMUNITY_FORM = { ...common, kind: choice(KINDS), ...channelFields, ...questionFields };
/** The edit form: the kind was decided when the community was verified and does not change. */
export const COMMUNITY_EDIT_FORM = { ...common, ...channelFields, ...questionFields };
/** The JSON API: arrays for channels and questions. */
export const COMMUNITY_JSON = {
  ...common,
  kind: choice(KINDS),
  donationChannels: donationChannels(),
  joinQuestions: many(text({ min: 1, max: QUESTION_MAX }), { max: QUESTIONS_MAX }),
};

function echoOf(shape: Record<string, Field<unknown>>, body: unknown): Record<string, string | string[]> {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const echo: Record<string, string | string[]> = {};
  for (const [name, field] of Object.entries(shape)) {
    const raw = Object.hasOwn(input, name) ? input[name] : undefined;
    echo[name] = field.echo ? field.echo(raw) : typeof raw === 'string' ? raw : '';
  }
  return echo;
}

/** Checks that need several fields: an area or online; a channel's label and details together. */
function crossCheck(value: Omit<CommunityInput, 'kind'>, errors: Record<string, FieldError>, channelErrors: Record<string, FieldError>): void {
  if (!value.online && !value.area) errors.area = { key: 'communities.error.areaOrOnline' };
  if (value.languages.length === 0) errors.languages = { key: 'validation.required' };
  Object.assign(errors, channelErrors);
}

function finish(value: Omit<CommunityInput, 'areaPlaceId'> & { areaPlaceId: string | null }): CommunityInput {
  // A place id is a GeoNames number; anything else cannot be in the list.
  return { ...value, areaPlaceId: value.areaPlaceId && /^\d{1,12}$/.test(value.areaPlaceId) ? value.areaPlaceId : null };
}

function fromNumbered(record: Record<string, unknown>): { channels: DonationChannel[]; questions: string[]; errors: Record<string, FieldError> } {
  const channels: DonationChannel[] = [];
  const errors: Record<string, FieldError> = {};
  for (let i = 1; i <= CHANNELS_MAX; i += 1) {
    const label = record[`donationLabel${i}`] as string | null;
    const details = record[`donationDetails${i}`] as string | null;
    if (label && details) channels.push({ label, details });
    else if (label) errors[`donationDetails${i}`] = { key: 'communities.error.channelDetails' };
    else if (details) errors[`donationLabel${i}`] = { key: 'communities.error.channelLabel' };
  }
  const questions: string[] = [];
  for (let i = 1; i <= QUESTIONS_MAX; i += 1) {
    const question = record[`question${i}`] as string | null;
    if (question) questions.push(question);
  }
  return { channels, questions, errors };
}

function filled(raw: unknown): string | null {
  return typeof raw === 'string' && raw.trim() !== '' ? raw : null;
}

/** The cross-field checks on what was sent, for a form refused for other reasons too. */
function rawCrossErrors(body: unknown): Record<string, FieldError> {
  const input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const record: Record<string, unknown> = {};
  for (let i = 1; i <= CHANNELS_MAX; i += 1) {
    record[`donationLabel${i}`] = filled(input[`donationLabel${i}`]);
    record[`donationDetails${i}`] = filled(input[`donationDetails${i}`]);
  }
  const errors = fromNumbered(record).errors;
  const online = checkbox().parse(input.online);
  if (online.ok && !online.value && !filled(input.area)) errors.area = { key: 'communities.error.areaOrOnline' };
  return errors;
}

/** Parses the propose form (HTML) or, with `edit`, the edit form: every field checked, unknown fields refused. */
export function parseCommunityForm(body: unknown, options: { edit?: boolean } = {}): Parsed<CommunityInput> {
  const shape = options.edit ? COMMUNITY_EDIT_FORM : COMMUNITY_FORM;
  const result = parseForm(shape, body);
  const echo = echoOf(shape, body);
  if (!result.ok) {
    // Cross-field messages are shown with the others, so one round trip shows every problem.
    const errors: Record<string, FieldError> = { ...rawCrossErrors(body), ...(result.errors as Record<string, FieldError>) };
    return { ok: false, errors, echo, unknown: result.unknown };
  }
  const record = result.value as Record<string, unknown>;
  const { channels, questions, errors: channelErrors } = fromNumbered(record);
  const value = finish({
    name: record.name as string,
    mission: record.mission as string,
    kind: options.edit ? 'community' : (record.kind as CommunityInput['kind']),
    ledBy: record.ledBy as string[],
    serves: record.serves as string[],
    online: record.online as boolean,
    area: record.area as string | null,
    areaPlaceId: record.areaPlaceId as string | null,
    languages: record.languages as string[],
    howToHelp: record.howToHelp as string | null,
    ledgerVisibility: record.ledgerVisibility as CommunityInput['ledgerVisibility'],
    donationChannels: channels,
    joinQuestions: questions,
  });
  const errors: Record<string, FieldError> = {};
  crossCheck(value, errors, channelErrors);
  if (Object.keys(errors).length > 0) return { ok: false, errors, echo, unknown: [] };
  return { ok: true, value };
}

/** Parses a proposal sent to the JSON API. */
export function parseCommunityJson(body: unknown): Parsed<CommunityInput> {
  const result = parseForm(COMMUNITY_JSON, body);
  if (!result.ok) return { ok: false, errors: result.errors as Record<string, FieldError>, echo: {}, unknown: result.unknown };
  const value = finish({ ...result.value, kind: result.value.kind!, ledgerVisibility: result.value.ledgerVisibility! });
  const errors: Record<string, FieldError> = {};
  crossCheck(value, errors, {});
  if (Object.keys(errors).length > 0) return { ok: false, errors, echo: {}, unknown: [] };
  return { ok: true, value };
}

/** The answers to a community's join questions: `answer1…answerN` from a form, or `answers: []` from JSON. */
export function parseJoinAnswers(body: unknown, questionCount: number, source: 'form' | 'json'): Parsed<string[]> {
  const answer = text({ min: 1, max: ANSWER_MAX, multiline: true });
  if (source === 'json') {
    const result = parseForm({ answers: many(answer, { max: QUESTIONS_MAX }) }, body ?? {});
    if (!result.ok) return { ok: false, errors: result.errors as Record<string, FieldError>, echo: {}, unknown: result.unknown };
    // Duplicates collapse in many(): compare against the raw array's length instead.
    const raw = (body as { answers?: unknown } | null)?.answers;
    const list = Array.isArray(raw) ? raw : [];
    if (list.length !== questionCount) return { ok: false, errors: { answers: { key: 'communities.error.answerCount', values: { count: questionCount } } }, echo: {}, unknown: [] };
    const parsed: string[] = [];
    for (const entry of list) {
      const r = answer.parse(entry);
      if (!r.ok) return { ok: false, errors: { answers: r.error }, echo: {}, unknown: [] };
      parsed.push(r.value);
    }
    return { ok: true, value: parsed };
  }
  const shape = Object.fromEntries(Array.from({ length: questionCount }, (_, i) => [`answer${i + 1}`, answer])) as Record<string, Field<string>>;
  const result = parseForm(shape, body);
  if (!result.ok) return { ok: false, errors: result.errors as Record<string, FieldError>, echo: echoOf(shape, body), unknown: result.unknown };
  return { ok: true, value: Array.from({ length: questionCount }, (_, i) => result.value[`answer${i + 1}`] as string) };
}

/** A moderator's note on a verification or rejection. */
export const MODERATION_FORM = { note: text({ min: 1, max: NOTE_MAX, multiline: true }) };

/** Turns a name into a slug: lower-case ASCII letters, digits and single dashes, 3–50 characters. */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  if (base.length >= 3) return base;
  return base ? `community-${base}` : 'community';
}

/** The slug to try after `base` is taken `attempt` times: base-2, base-3, … within the 60-character limit. */
export function slugCandidate(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base}-${attempt}`;
}
