// The fixed vocabularies of a profile: the skill taxonomy, the languages offered, the availability grid.

/**
 * The shipped skill taxonomy. Codes are stable (they are stored and sent through the API); each has a
 * translated label under `profile.skill.<code>`. People add anything else as free tags.
 */
export const SKILLS = [
  'cooking',
  'driving',
  'legal',
  'translation',
  'childcare',
  'eldercare',
  'first_aid',
  'tech',
  'design',
  'teaching',
  'carpentry',
  'accounting',
  'outreach',
  'writing',
  'photography',
  'counselling',
  'fundraising',
  'event_planning',
  'sign_language',
  'repairs',
] as const;

export type SkillCode = (typeof SKILLS)[number];

const SKILL_SET: ReadonlySet<string> = new Set(SKILLS);

/** Whether a value is a code of the taxonomy. */
export function isSkill(value: string): value is SkillCode {
  return SKILL_SET.has(value);
}

/** The locale key of a skill's label. */
export function skillLabelKey(code: SkillCode): string {
  return `profile.skill.${code}`;
}

/**
 * Languages offered as checkboxes, each labelled in its own language (so that a person finds theirs
 * whatever language the page is in). Any other ISO 639 code can be typed.
 */
export const COMMON_LANGUAGES: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'fr', name: 'Français' },
  { code: 'pt', name: 'Português' },
  { code: 'ar', name: 'العربية' },
  { code: 'zh', name: '中文' },
  { code: 'hi', name: 'हिन्दी' },
  { code: 'bn', name: 'বাংলা' },
  { code: 'ru', name: 'Русский' },
  { code: 'uk', name: 'Українська' },
  { code: 'de', name: 'Deutsch' },
  { code: 'it', name: 'Italiano' },
  { code: 'sw', name: 'Kiswahili' },
  { code: 'tl', name: 'Tagalog' },
  { code: 'vi', name: 'Tiếng Việt' },
  { code: 'ko', name: '한국어' },
  { code: 'fa', name: 'فارسی' },
  { code: 'ht', name: 'Kreyòl ayisyen' },
];

export const COMMON_LANGUAGE_CODES: readonly string[] = COMMON_LANGUAGES.map((l) => l.code);

// ICU names every ISO 639-1 (two-letter) code, so an unknown one is a typo. It names only some of
// the ~7,900 three-letter ISO 639-3 codes, so those are taken on their form alone: refusing
// someone's language because a library lacks it would be worse than keeping a mistyped code.
const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** Whether a value is a two- or three-letter ISO 639 language code (lower case). */
export function isLanguageCode(value: string): boolean {
  if (/^[a-z]{3}$/.test(value)) return true;
  if (!/^[a-z]{2}$/.test(value)) return false;
  try {
    return languageNames.of(value) !== undefined;
  } catch {
    return false;
  }
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const DAY_PARTS = ['morning', 'afternoon', 'evening'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type DayPart = (typeof DAY_PARTS)[number];
/** One cell of the weekly availability grid, e.g. `mon:morning`. Weekday 0 in the database is Monday. */
export type Slot = `${Weekday}:${DayPart}`;

export const SLOTS: readonly Slot[] = WEEKDAYS.flatMap((day) => DAY_PARTS.map((part) => `${day}:${part}` as Slot));

/** A slot as stored: weekday 0–6 from Monday, and the part of the day. */
export function slotToRow(slot: Slot): { weekday: number; part: DayPart } {
  const [day, part] = slot.split(':') as [Weekday, DayPart];
  return { weekday: WEEKDAYS.indexOf(day), part };
}

/** The slot of a stored row. */
export function rowToSlot(row: { weekday: number; part: DayPart }): Slot {
  return `${WEEKDAYS[row.weekday] ?? 'mon'}:${row.part}`;
}
