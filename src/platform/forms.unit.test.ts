import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkbox, choice, email, integer, many, optionalText, parseForm, password, text } from './forms.js';

const shape = {
  name: text({ min: 1, max: 80 }),
  bio: optionalText({ max: 500, multiline: true }),
  email: email(),
  password: password({ min: 8, max: 128 }),
  hours: integer({ min: 0, max: 80 }),
  rest: checkbox(),
  kind: choice(['a', 'b'] as const),
  skills: many(text({ min: 1, max: 40 }), { max: 3 }),
};

const good = { name: ' Ana ', bio: '', email: 'ana@example.org', password: '  spaces kept  ', hours: '12', rest: 'on', kind: 'b', skills: ['x', 'y', 'x'] };

describe('direction controls', () => {
  it('refuses overrides, embeddings and isolates anywhere in a single-line field, keeps them out of nothing else', () => {
    const field = text({ min: 1, max: 200 });
    const controls = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(...controls), fc.nat(40), (before, control, at) => {
        const value = `x${before.slice(0, at)}${control}${before.slice(at)}x`;
        const result = field.parse(value);
        expect(result.ok).toBe(false);
      }),
    );
    expect(field.parse('Amal \u200Fعلي\u200F')).toEqual({ ok: true, value: 'Amal \u200Fعلي\u200F' });
    expect(field.parse('invoice\u202Egpj.exe')).toEqual({ ok: false, error: { key: 'validation.bidi' } });
    // A Markdown text may quote right-to-left writing with its own isolates.
    expect(text({ max: 200, multiline: true }).parse('Quoted \u2067مرحبا\u2069 here').ok).toBe(true);
  });
});

describe('parseForm', () => {
  it('parses good input: trims text, keeps passwords as typed, converts numbers and checkboxes, drops duplicates', () => {
    const result = parseForm(shape, { ...good, _csrf: 'token' });
    expect(result).toEqual({
      ok: true,
      value: { name: 'Ana', bio: null, email: 'ana@example.org', password: '  spaces kept  ', hours: 12, rest: true, kind: 'b', skills: ['x', 'y'] },
    });
  });

  it('reports every bad field at once, echoes what was typed but never the password', () => {
    const result = parseForm(shape, { name: '', email: 'nope', password: 'short', hours: '81', kind: 'c', skills: ['1', '2', '3', '4'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['email', 'hours', 'kind', 'name', 'password', 'skills']);
    expect(result.errors.hours).toEqual({ key: 'validation.range', values: { min: 0, max: 80 } });
    expect(result.echo.email).toBe('nope');
    expect(result.echo.password).toBe('');
  });

  it('refuses unknown fields', () => {
    const result = parseForm(shape, { ...good, role: 'admin' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.unknown).toEqual(['role']);
  });

  it('refuses control characters and line breaks in one-line text', () => {
    expect(text({ max: 10 }).parse('a\u0000b').ok).toBe(false);
    expect(text({ max: 10 }).parse('a\nb').ok).toBe(false);
    expect(text({ max: 10, multiline: true }).parse('a\nb').ok).toBe(true);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(text({ max: 2 }).parse('😀😀').ok).toBe(true);
    expect(password({ min: 8, max: 128 }).parse('🔑🔑🔑🔑🔑🔑🔑🔑').ok).toBe(true);
  });

  it('never throws and never accepts a value outside its rules, whatever arrives', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(fc.string({ maxLength: 50 }), { maxLength: 6 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.object({ maxDepth: 1 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(shape), 'extra', '__proto__', 'constructor'), anyValue), (body) => {
        const result = parseForm(shape, body);
        if (!result.ok) return;
        const v = result.value;
        expect([...v.name].length).toBeGreaterThanOrEqual(1);
        expect([...v.name].length).toBeLessThanOrEqual(80);
        expect(v.email).toMatch(/@/);
        expect([...v.password].length).toBeGreaterThanOrEqual(8);
        expect(v.hours === null || (Number.isInteger(v.hours) && v.hours >= 0 && v.hours <= 80)).toBe(true);
        expect(typeof v.rest).toBe('boolean');
        expect(['a', 'b']).toContain(v.kind);
        expect(v.skills.length).toBeLessThanOrEqual(3);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts any body shape without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        expect(() => parseForm(shape, body)).not.toThrow();
      }),
    );
  });
});
