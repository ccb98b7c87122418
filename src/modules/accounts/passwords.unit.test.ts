import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonPasswordCount, isCommonPassword, newPassword, PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from './passwords.js';

describe('common passwords', () => {
  it('ships at least ten thousand of them', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('refuses them whatever the case', () => {
    for (const password of ['password', 'PASSWORD', 'Password1', 'qwertyuiop', 'iloveyou', 'TrustNo1']) expect(isCommonPassword(password), password).toBe(true);
  });

  it('lets unusual passwords through', () => {
    for (const password of ['violet-otter-harbor-42', 'contraseña 🦜 ñandú', 'correct horse battery staple']) expect(isCommonPassword(password), password).toBe(false);
  });
});

describe('passwordProblem', () => {
  it('refuses the address, the part before the @ and the display name, without regard to case', () => {
    const context = { email: 'River.Stone@example.org', displayName: 'River Stone' };
    expect(passwordProblem('river.stone@EXAMPLE.org', context)?.key).toBe('account.password.personal');
    expect(passwordProblem('RIVER.STONE', context)?.key).toBe('account.password.personal');
    expect(passwordProblem('river stone', context)?.key).toBe('account.password.personal');
    expect(passwordProblem('river stone and the sea', context)).toBeUndefined();
  });

  it('names common passwords first', () => {
    expect(passwordProblem('password1', { email: 'password1@example.org' })?.key).toBe('account.password.common');
  });
});

describe('newPassword field', () => {
  const field = newPassword();

  it('counts characters, not UTF-16 units, and never trims', () => {
    expect(field.parse('🦜'.repeat(PASSWORD_MAX)).ok).toBe(true);
    expect(field.parse('🦜'.repeat(PASSWORD_MAX + 1)).ok).toBe(false);
    const spaced = '  grey heron  ';
    expect(field.parse(spaced)).toEqual({ ok: true, value: spaced });
    expect(field.parse('a'.repeat(PASSWORD_MIN - 1)).ok).toBe(false);
  });

  it('never throws, and accepts only strings of 8 to 128 characters that are not common', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.anything()), (raw) => {
        const result = field.parse(raw);
        if (result.ok) {
          expect(typeof raw).toBe('string');
          const length = [...(raw as string)].length;
          expect(length).toBeGreaterThanOrEqual(PASSWORD_MIN);
          expect(length).toBeLessThanOrEqual(PASSWORD_MAX);
          expect(isCommonPassword(raw as string)).toBe(false);
          expect(result.value).toBe(raw);
        }
        expect(field.echo?.(raw)).toBe('');
      }),
      { numRuns: 500 },
    );
  });
});
