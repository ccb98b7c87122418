import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDENTITY_NOTE_MAX, parseProfileForm, parseProfileJson, TAG_MAX_LENGTH, TAGS_MAX } from './profile.form.js';
import { COMMON_LANGUAGE_CODES, isLanguageCode, SKILLS, SLOTS } from './skills.js';

// Printable text without commas, control characters or surrounding space: what a valid tag looks like.
const word = fc
  .string({ minLength: 1, maxLength: TAG_MAX_LENGTH, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzáéñü0123456789-_/'.split('')) })
  .filter((s) => s.trim() === s && s.length > 0);

const validForm = fc.record({
  displayName: fc.string({ minLength: 1, maxLength: 80, unit: fc.constantFrom(...'Ana Lópezçé-'.split('')) }).filter((s) => s.trim().length > 0),
  pronouns: fc.constantFrom('', 'she/her', 'they/them', 'él'),
  languages: fc.subarray([...COMMON_LANGUAGE_CODES]),
  otherLanguages: fc.subarray(['qu', 'yo', 'ber', 'haw', 'nah']).map((codes) => codes.join(', ')),
  skills: fc.subarray([...SKILLS]),
  tags: fc.uniqueArray(word.map((w) => w.toLowerCase()), { maxLength: TAGS_MAX, selector: (w) => w }).map((tags) => tags.join(', ')),
  homeArea: fc.constantFrom('', 'Lyon', 'Paris, FR'),
  travelRadiusKm: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 1000 }).map(String)),
  availability: fc.subarray([...SLOTS]),
  weeklyCapacityHours: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 80 }).map(String)),
  restMode: fc.constantFrom('', 'on'),
  // eslint-disable-next-line no-control-regex
  identityNote: fc.string({ maxLength: IDENTITY_NOTE_MAX }).map((s) => s.replace(/[\u0000-\u001F\u007F]/g, '')),
});

describe('parseProfileForm', () => {
  it('accepts every valid form and keeps what was chosen', () => {
    fc.assert(
      fc.property(validForm, (form) => {
        const result = parseProfileForm(form);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const value = result.value;
        expect(value.displayName).toBe(form.displayName.trim());
        expect(value.skills).toEqual(form.skills);
        expect(value.availability).toEqual(form.availability);
        expect(new Set(value.languages)).toEqual(new Set([...form.languages, ...(form.otherLanguages ? form.otherLanguages.split(', ') : [])]));
        expect(value.tags).toEqual(form.tags ? form.tags.split(', ') : []);
        expect(value.restMode).toBe(form.restMode === 'on');
        expect(value.travelRadiusKm).toBe(form.travelRadiusKm === '' ? null : Number(form.travelRadiusKm));
        expect(value.identityNote).toBe(form.identityNote.trim() === '' ? null : form.identityNote.normalize('NFC').trim());
      }),
    );
  });

  it('never throws, and what it accepts stays within the limits the database checks', () => {
    const anyValue = fc.oneof(fc.string({ maxLength: 600 }), fc.array(fc.string({ maxLength: 50 }), { maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null));
    const anyForm = fc.dictionary(
      fc.constantFrom('displayName', 'pronouns', 'languages', 'otherLanguages', 'skills', 'tags', 'homeArea', 'homePlaceId', 'travelRadiusKm', 'availability', 'weeklyCapacityHours', 'restMode', 'identityNote', 'other'),
      anyValue,
    );
    fc.assert(
      fc.property(anyForm, (form) => {
        const result = parseProfileForm(form);
        if (!result.ok) return;
        const v = result.value;
        expect([...v.displayName].length).toBeGreaterThanOrEqual(1);
        expect([...v.displayName].length).toBeLessThanOrEqual(80);
        expect(v.pronouns === null || [...v.pronouns].length <= 40).toBe(true);
        expect(v.identityNote === null || [...v.identityNote].length <= IDENTITY_NOTE_MAX).toBe(true);
        expect(v.languages.every((l) => /^[a-z]{2,3}$/.test(l) && isLanguageCode(l))).toBe(true);
        expect(v.tags.length).toBeLessThanOrEqual(TAGS_MAX);
        expect(v.tags.every((tag) => [...tag].length >= 1 && [...tag].length <= TAG_MAX_LENGTH && !tag.includes(','))).toBe(true);
        expect(v.skills.every((s) => (SKILLS as readonly string[]).includes(s))).toBe(true);
        expect(v.availability.every((s) => SLOTS.includes(s))).toBe(true);
        expect(v.travelRadiusKm === null || (v.travelRadiusKm >= 0 && v.travelRadiusKm <= 1000)).toBe(true);
        expect(v.weeklyCapacityHours === null || (v.weeklyCapacityHours >= 0 && v.weeklyCapacityHours <= 80)).toBe(true);
        expect(v.homePlaceId === null || /^\d+$/.test(v.homePlaceId)).toBe(true);
      }),
    );
  });

  it('refuses unknown fields and names each bad field', () => {
    const result = parseProfileForm({ displayName: '', tags: 'x'.repeat(41), weeklyCapacityHours: '81', role: 'admin' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['displayName', 'tags', 'weeklyCapacityHours']);
    expect(result.unknown).toEqual(['role']);
    expect(result.echo.tags).toBe('x'.repeat(41));
  });

  it('refuses more than ten tags and codes that are not languages', () => {
    const tags = Array.from({ length: TAGS_MAX + 1 }, (_, i) => `t${i}`).join(',');
    const result = parseProfileForm({ displayName: 'A', tags, otherLanguages: 'en, zz' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.tags?.key).toBe('validation.tooMany');
    expect(result.errors.otherLanguages).toEqual({ key: 'profile.error.languageCode', values: { code: 'zz' } });
  });
});

describe('parseProfileJson', () => {
  it('takes arrays and JSON types, and refuses what the form would', () => {
    const ok = parseProfileJson({ displayName: 'Ana', languages: ['EN', 'qu'], tags: ['Sewing'], travelRadiusKm: 10, restMode: true, identityNote: null });
    expect(ok.ok && ok.value).toMatchObject({ languages: ['en', 'qu'], tags: ['sewing'], travelRadiusKm: 10, restMode: true, identityNote: null });
    const bad = parseProfileJson({ displayName: 'Ana', languages: [1], travelRadiusKm: 10.5, restMode: {}, otherLanguages: 'qu' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(Object.keys(bad.errors).sort()).toEqual(['languages', 'restMode', 'travelRadiusKm']);
    expect(bad.unknown).toEqual(['otherLanguages']);
  });
});
