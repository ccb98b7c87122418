import fc from 'fast-check';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { parseForm } from '../../platform/forms.js';
import {
  anyCodeField,
  formatRecoveryCode,
  groupKey,
  isRecoveryCode,
  matchTotpStep,
  newRecoveryCode,
  newTotpSecret,
  normalizeRecoveryCode,
  otpauthUri,
  qrDataUrl,
  RECOVERY_ALPHABET,
  recoveryCodeField,
  TOTP_DRIFT_STEPS,
  TOTP_PERIOD_SECONDS,
  totpCodeAt,
  totpCodeField,
  totpStep,
} from './two-factor.service.js';

const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;
// Any moment from 1970 to 2100.
const moment = fc.integer({ min: 0, max: 4_102_444_800_000 });
const secretArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => new Secret({ buffer: bytes.buffer as ArrayBuffer }).base32);

/** Whether `code` is also the code of some step of the accepted window (a 1-in-a-million coincidence). */
function collides(secret: string, code: string, now: number, lastStep: number | null): boolean {
  const current = totpStep(now);
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step += 1) {
    if ((lastStep === null || step > lastStep) && totpCodeAt(secret, step) === code) return true;
  }
  return false;
}

describe('TOTP codes', () => {
  it('match what authenticator apps compute (RFC 6238 SHA-1, 6 digits, 30 s)', () => {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", truncated to 6 digits.
    const secret = Secret.fromUTF8('12345678901234567890').base32;
    expect(totpCodeAt(secret, totpStep(59_000))).toBe('287082');
    expect(totpCodeAt(secret, totpStep(1_111_111_109_000))).toBe('081804');
    expect(totpCodeAt(secret, totpStep(20_000_000_000_000))).toBe('353130');
  });

  it('agree with the otpauth TOTP generator at any moment', () => {
    fc.assert(
      fc.property(secretArb, moment, (secret, now) => {
        expect(totpCodeAt(secret, totpStep(now))).toBe(TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now }));
      }),
    );
  });

  it('accept exactly the current step and one step either side', () => {
    fc.assert(
      fc.property(secretArb, moment, fc.integer({ min: -6, max: 6 }), (secret, now, offset) => {
        const step = totpStep(now) + offset;
        const code = totpCodeAt(secret, step);
        const matched = matchTotpStep(secret, code, now, null);
        if (Math.abs(offset) <= 1) {
          // Inside the window the code matches, at its own step unless an earlier step has the same code.
          expect(matched).toBeDefined();
          expect(totpCodeAt(secret, matched!)).toBe(code);
          expect(Math.abs(matched! - totpStep(now))).toBeLessThanOrEqual(1);
        } else {
          expect(matched === undefined).toBe(!collides(secret, code, now, null));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a code of a step at or before the last one used (replay)', () => {
    fc.assert(
      fc.property(secretArb, moment, fc.integer({ min: -1, max: 1 }), fc.integer({ min: 0, max: 3 }), (secret, now, offset, back) => {
        const step = totpStep(now) + offset;
        const code = totpCodeAt(secret, step);
        const lastStep = step + back;
        const matched = matchTotpStep(secret, code, now, lastStep);
        expect(matched === undefined).toBe(!collides(secret, code, now, lastStep));
        if (matched !== undefined) expect(matched).toBeGreaterThan(lastStep);
      }),
      { numRuns: 300 },
    );
  });

  it('accept a later step of the window after an earlier one was used', () => {
    fc.assert(
      fc.property(secretArb, moment, (secret, now) => {
        const current = totpStep(now);
        expect(matchTotpStep(secret, totpCodeAt(secret, current + 1), now, current)).toBe(current + 1);
      }),
    );
  });

  it('never accept something that is not six digits', () => {
    fc.assert(
      fc.property(secretArb, moment, fc.string(), (secret, now, code) => {
        fc.pre(!/^\d{6}$/.test(code));
        expect(matchTotpStep(secret, code, now, null)).toBeUndefined();
      }),
    );
  });

  it('uses the step boundaries of a 30-second period', () => {
    expect(totpStep(PERIOD_MS - 1)).toBe(0);
    expect(totpStep(PERIOD_MS)).toBe(1);
  });
});

describe('secrets and enrolment', () => {
  it('makes 160-bit base32 secrets, each new', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
  });

  it('groups the key by four and keeps every character', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const grouped = groupKey(secret);
        expect(grouped.replace(/ /g, '')).toBe(secret);
        for (const group of grouped.split(' ')) expect(group.length).toBeLessThanOrEqual(4);
      }),
    );
  });

  it('builds an otpauth URI with the usual parameters and a QR code as an SVG data URL', async () => {
    const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'ana@example.org');
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('issuer')).toBe('Alongside');
    const qr = await qrDataUrl(uri);
    expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr.split(',')[1]!, 'base64').toString()).toContain('<svg');
  });
});

describe('recovery codes', () => {
  it('are ten characters of the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i += 1) {
      const code = newRecoveryCode();
      expect(code).toMatch(new RegExp(`^[${RECOVERY_ALPHABET}]{10}$`));
      expect(isRecoveryCode(code)).toBe(true);
    }
    expect(RECOVERY_ALPHABET).not.toMatch(/[01ilo]/);
  });

  it('read back the same however they are typed (case, spaces, dashes)', () => {
    const codeArb = fc.array(fc.constantFrom(...RECOVERY_ALPHABET), { minLength: 10, maxLength: 10 }).map((c) => c.join(''));
    fc.assert(
      fc.property(codeArb, fc.boolean(), fc.constantFrom('', ' ', '  '), (code, upper, pad) => {
        const shown = formatRecoveryCode(code);
        const typed = `${pad}${upper ? shown.toUpperCase() : shown}${pad}`.replace('-', pad === '' ? '-' : ' ');
        expect(normalizeRecoveryCode(typed)).toBe(code);
      }),
    );
  });
});

describe('code fields', () => {
  it('a six-digit field accepts digits with spaces or a dash, refuses everything else, never echoes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), fc.constantFrom('', ' ', '-'), (digits, sep) => {
        const result = parseForm({ code: totpCodeField() }, { code: `${digits.slice(0, 3)}${sep}${digits.slice(3)}` });
        expect(result).toEqual({ ok: true, value: { code: digits } });
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = parseForm({ code: totpCodeField() }, { code: raw });
        if (result.ok) expect(result.value.code).toMatch(/^\d{6}$/);
        else expect(result.echo.code).toBe('');
      }),
    );
    expect(parseForm({ code: totpCodeField() }, {})).toMatchObject({ ok: false, errors: { code: { key: 'validation.required' } } });
    expect(parseForm({ code: totpCodeField() }, { code: '12345' })).toMatchObject({ ok: false, errors: { code: { key: 'twofactor.codeFormat' } } });
    expect(parseForm({ code: totpCodeField() }, { code: ['123456'] })).toMatchObject({ ok: false, errors: { code: { key: 'validation.invalid' } } });
  });

  it('a recovery-code field yields normalised codes only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (raw) => {
        const result = parseForm({ recovery_code: recoveryCodeField() }, { recovery_code: raw });
        if (result.ok) expect(isRecoveryCode(result.value.recovery_code)).toBe(true);
      }),
    );
    expect(parseForm({ recovery_code: recoveryCodeField() }, { recovery_code: 'ABCDE-23456' })).toEqual({ ok: true, value: { recovery_code: 'abcde23456' } });
    expect(parseForm({ recovery_code: recoveryCodeField() }, { recovery_code: 'abcde-2345o' })).toMatchObject({
      ok: false,
      errors: { recovery_code: { key: 'twofactor.recoveryCodeFormat' } },
    });
  });

  it('the either-code field accepts a six-digit code or a recovery code and nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{6}$/), fc.anything()), (raw) => {
        const result = parseForm({ code: anyCodeField() }, { code: raw });
        if (result.ok) expect(/^\d{6}$/.test(result.value.code) || isRecoveryCode(result.value.code)).toBe(true);
      }),
    );
    expect(parseForm({ code: anyCodeField() }, { code: '123 456' })).toEqual({ ok: true, value: { code: '123456' } });
    expect(parseForm({ code: anyCodeField() }, { code: 'abcde-23456' })).toEqual({ ok: true, value: { code: 'abcde23456' } });
    expect(parseForm({ code: anyCodeField() }, { code: 'nope' })).toMatchObject({ ok: false, errors: { code: { key: 'twofactor.anyCodeFormat' } } });
    expect(parseForm({ code: anyCodeField() }, { code: '' })).toMatchObject({ ok: false, errors: { code: { key: 'validation.required' } } });
  });
});
