import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseForm } from '../../platform/forms.js';
import {
  changeEmailFields,
  changePasswordFields,
  emailTokenFields,
  endSessionFields,
  forgotPasswordFields,
  maskEmail,
  parseSignupForm,
  resetPasswordFields,
} from './accounts.service.js';
import { isCommonPassword } from './passwords.js';

/** Bodies as a form or JSON parser could hand them over: known names with odd values, and strangers. */
const body = (names: string[]) =>
  fc.dictionary(
    fc.oneof(fc.constantFrom(...names, '_csrf', '__proto__', 'constructor'), fc.string({ maxLength: 12 })),
    fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(fc.string(), { maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null), fc.object()),
  );

const chars = (value: string) => [...value].length;

describe('account form parsers', () => {
  it('sign-up: never throws; accepts only an address, a 1–80 character name and a valid password that is neither', () => {
    fc.assert(
      fc.property(fc.oneof(body(['email', 'display_name', 'password']), fc.anything()), (input) => {
        const result = parseSignupForm(input);
        if (!result.ok) return;
        const { email, display_name: name, password } = result.value;
        expect(email).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/u);
        expect(chars(name)).toBeGreaterThanOrEqual(1);
        expect(chars(name)).toBeLessThanOrEqual(80);
        expect(chars(password)).toBeGreaterThanOrEqual(8);
        expect(chars(password)).toBeLessThanOrEqual(128);
        expect(isCommonPassword(password)).toBe(false);
        expect(password.toLowerCase()).not.toBe(email.toLowerCase());
        expect(password.trim().toLowerCase()).not.toBe(name.toLowerCase());
      }),
      { numRuns: 400 },
    );
  });

  it('sign-up: accepts a good form and refuses the address as password with a field message', () => {
    const good = parseSignupForm({ email: 'a.person@example.org', display_name: ' Ana ', password: 'violet-otter-harbor-42', _csrf: 'x' });
    expect(good).toEqual({ ok: true, value: { email: 'a.person@example.org', display_name: 'Ana', password: 'violet-otter-harbor-42' } });
    const same = parseSignupForm({ email: 'a.person@example.org', display_name: 'Ana', password: 'A.Person@example.org' });
    expect(same.ok).toBe(false);
    if (!same.ok) {
      expect(same.errors.password?.key).toBe('account.password.personal');
      expect(same.echo.email).toBe('a.person@example.org');
      expect(same.echo.password).toBe('');
    }
  });

  it('every other form: never throws, never accepts an unknown field, a bad token or a malformed session id', () => {
    const shapes = {
      forgot: forgotPasswordFields,
      reset: resetPasswordFields,
      changePassword: changePasswordFields,
      changeEmail: changeEmailFields,
      token: emailTokenFields,
      endSession: endSessionFields,
    };
    for (const [name, shape] of Object.entries(shapes)) {
      fc.assert(
        fc.property(fc.oneof(body(Object.keys(shape)), fc.anything()), (input) => {
          const result = parseForm(shape, input);
          if (!result.ok) {
            for (const value of Object.values(result.echo)) expect(typeof value === 'string' || Array.isArray(value)).toBe(true);
            return;
          }
          const value = result.value as Record<string, unknown>;
          for (const key of Object.keys(input as object)) expect(key === '_csrf' || key in shape, `${name}: ${key}`).toBe(true);
          if ('token' in value) expect(value.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
          if ('session' in value) expect(value.session).toMatch(/^[0-9a-f]{64}$/);
          if ('current_password' in value) expect((value.current_password as string).length).toBeGreaterThan(0);
          if (name !== 'changeEmail' && 'password' in value) expect(isCommonPassword(value.password as string)).toBe(false);
          if ('sign_out_others' in value) expect(typeof value.sign_out_others).toBe('boolean');
        }),
        { numRuns: 300 },
      );
    }
  });

  it('never echoes a password back', () => {
    const refused = parseForm(changePasswordFields, { current_password: 'secret-one', password: 'short', sign_out_others: 'on' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.echo.current_password).toBe('');
      expect(refused.echo.password).toBe('');
      expect(refused.echo.sign_out_others).toBe('on');
    }
  });
});

describe('maskEmail', () => {
  it('keeps the first two characters and the domain only', () => {
    expect(maskEmail('river.stone@example.org')).toBe('ri…@example.org');
    expect(maskEmail('a@example.org')).toBe('a…@example.org');
    expect(maskEmail('nonsense')).toBe('…');
  });
});
