import { dictionary } from '@zxcvbn-ts/language-common';
import type { Field, FieldError } from '../../platform/forms.js';
import { password } from '../../platform/forms.js';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

// About 49,000 passwords seen most often in breaches, lower-case. Built on first use: sign-in never needs it.
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((entry) => entry.normalize('NFC').toLowerCase()));
  return common;
}

/** How many passwords the list refuses (for tests and the docs). */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}

/** Whether a password is one of the most common ones, without regard to case. */
export function isCommonPassword(candidate: string): boolean {
  return commonPasswords().has(candidate.normalize('NFC').toLowerCase());
}

function folded(value: string): string {
  return value.normalize('NFC').trim().toLowerCase();
}

/**
 * Why a new password is refused given who it is for, or undefined: a common one, or one that is
 * the person's own address, the name before the @, or their display name.
 */
export function passwordProblem(candidate: string, context: { email?: string; displayName?: string }): FieldError | undefined {
  if (isCommonPassword(candidate)) return { key: 'account.password.common' };
  const value = folded(candidate);
  const personal = new Set<string>();
  if (context.email) {
    personal.add(folded(context.email));
    const local = folded(context.email).split('@')[0];
    if (local && local.length >= PASSWORD_MIN) personal.add(local);
  }
  if (context.displayName) personal.add(folded(context.displayName));
  if (personal.has(value)) return { key: 'account.password.personal' };
  return undefined;
}

/** A new password field: 8–128 characters of anything, never trimmed, not a common password. */
export function newPassword(): Field<string> {
  const base = password({ min: PASSWORD_MIN, max: PASSWORD_MAX });
  return {
    parse(raw) {
      // A password is text as typed: a JSON number is not one.
      if (raw !== undefined && raw !== null && typeof raw !== 'string') return { ok: false, error: { key: 'validation.invalid' } };
      const result = base.parse(raw);
      if (!result.ok) return result;
      return isCommonPassword(result.value) ? { ok: false, error: { key: 'account.password.common' } } : result;
    },
    echo: () => '',
  };
}
