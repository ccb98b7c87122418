import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS_MAX,
  identityTags,
  NAME_MAX,
  parseCommunityForm,
  parseCommunityJson,
  parseJoinAnswers,
  QUESTIONS_MAX,
  slugCandidate,
  slugify,
  TAG_MAX,
  TAGS_MAX,
} from './communities.forms.js';

const VALID_FORM = {
  name: 'Tenants Union',
  mission: 'Against evictions.',
  kind: 'community',
  ledBy: 'renters, migrant women',
  serves: 'renters',
  area: 'Lyon',
  languages: 'fr, en',
  ledgerVisibility: 'public',
};
const VALID_JSON = { ...VALID_FORM, ledBy: ['renters'], serves: ['renters'], languages: ['fr'], online: false, donationChannels: [], joinQuestions: [] };
const SLUG = /^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$/;

describe('community forms', () => {
  it('accepts a complete form and collects numbered channels and questions', () => {
    const result = parseCommunityForm({ ...VALID_FORM, donationLabel2: 'Fund', donationDetails2: 'https://x.test', question1: 'Why?', question3: 'Where?' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ ledBy: ['renters', 'migrant women'], languages: ['fr', 'en'], donationChannels: [{ label: 'Fund', details: 'https://x.test' }], joinQuestions: ['Why?', 'Where?'] });
  });

  it('needs an area or online, and both halves of a channel', () => {
    const r = parseCommunityForm({ ...VALID_FORM, area: '', donationLabel1: 'Fund' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['area', 'donationDetails1']);
    expect(parseCommunityForm({ ...VALID_FORM, area: '', online: 'on' }).ok).toBe(true);
  });

  it('refuses unknown fields and a kind on the edit form', () => {
    const r = parseCommunityForm({ ...VALID_FORM, role: 'admin' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.unknown).toEqual(['role']);
    const edit = parseCommunityForm(VALID_FORM, { edit: true });
    expect(edit.ok).toBe(false);
    if (!edit.ok) expect(edit.unknown).toEqual(['kind']);
  });

  it('never throws and never accepts more than the limits, whatever arrives (form)', () => {
    const value = fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 80 }), { maxLength: 15 }), fc.constant(undefined), fc.integer(), fc.boolean());
    const keys = fc.constantFrom(...Object.keys(VALID_FORM), 'online', 'howToHelp', 'donationLabel1', 'donationDetails1', 'question1', 'question6', '_csrf', 'x');
    fc.assert(
      fc.property(fc.dictionary(keys, value), fc.boolean(), (fields, overlay) => {
        const body = overlay ? { ...VALID_FORM, ...fields } : fields;
        const result = parseCommunityForm(body);
        if (result.ok) {
          expect([...result.value.name].length).toBeLessThanOrEqual(NAME_MAX);
          expect(result.value.ledBy.length).toBeGreaterThan(0);
          expect(result.value.ledBy.length).toBeLessThanOrEqual(TAGS_MAX);
          for (const tag of [...result.value.ledBy, ...result.value.serves]) expect([...tag].length).toBeLessThanOrEqual(TAG_MAX);
          expect(result.value.online || result.value.area !== null).toBe(true);
          expect(result.value.joinQuestions.length).toBeLessThanOrEqual(QUESTIONS_MAX);
          expect(result.value.donationChannels.length).toBeLessThanOrEqual(CHANNELS_MAX);
        } else {
          expect(Object.keys(result.errors).length + result.unknown.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any JSON body, and refuses channels that are not { label, details }', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const result = parseCommunityJson(body);
        if (result.ok) expect(result.value.online || result.value.area !== null).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (channels) => {
        const result = parseCommunityJson({ ...VALID_JSON, donationChannels: channels });
        if (result.ok) for (const c of result.value.donationChannels) expect(Object.keys(c).sort()).toEqual(['details', 'label']);
      }),
      { numRuns: 300 },
    );
    expect(parseCommunityJson(VALID_JSON).ok).toBe(true);
    expect(parseCommunityJson({ ...VALID_JSON, donationChannels: [{ label: 'x', details: 'y', extra: 1 }] }).ok).toBe(false);
    expect(parseCommunityJson({ ...VALID_JSON, joinQuestions: ['1', '2', '3', '4', '5', '6'] }).ok).toBe(false);
  });

  it('keeps identity tags as typed, without duplicates that differ only in case', () => {
    const field = identityTags();
    expect(field.parse('Black women,  black women , Disabled people')).toEqual({ ok: true, value: ['Black women', 'Disabled people'] });
    expect(field.parse('')).toMatchObject({ ok: false });
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 70 }), { maxLength: 14 }), (tags) => {
        const result = field.parse(tags);
        if (result.ok) {
          expect(result.value.length).toBeGreaterThan(0);
          expect(new Set(result.value.map((t) => t.toLowerCase())).size).toBe(result.value.length);
        }
      }),
    );
  });

  it('needs exactly one answer per question', () => {
    expect(parseJoinAnswers({ answer1: 'a', answer2: 'b' }, 2, 'form')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(parseJoinAnswers({ answer1: 'a' }, 2, 'form').ok).toBe(false);
    expect(parseJoinAnswers({ answers: ['same', 'same'] }, 2, 'json')).toEqual({ ok: true, value: ['same', 'same'] });
    expect(parseJoinAnswers({}, 0, 'json').ok).toBe(true);
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 5 }), (body, count) => {
        const json = parseJoinAnswers(body, count, 'json');
        if (json.ok) expect(json.value).toHaveLength(count);
        const form = parseJoinAnswers(body, count, 'form');
        if (form.ok) expect(form.value).toHaveLength(count);
      }),
      { numRuns: 300 },
    );
  });

  it('makes valid slugs from any name, numbered on collision', () => {
    expect(slugify('Café Solidaire!')).toBe('cafe-solidaire');
    expect(slugify('日本')).toBe('community');
    expect(slugify('A')).toBe('community-a');
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.integer({ min: 1, max: 9999 }), (name, attempt) => {
        expect(slugCandidate(slugify(name), attempt)).toMatch(SLUG);
      }),
    );
  });
});
