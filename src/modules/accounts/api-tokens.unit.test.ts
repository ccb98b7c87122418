import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseForm } from '../../platform/forms.js';
import { issueTokenShape, tokenFormShape } from './api-tokens.routes.js';

const anyValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const goodName = fc
  .string({ minLength: 1, maxLength: 60, unit: 'grapheme-ascii' })
  // Printable characters only: control characters are refused by design.
  .filter((s) => s.trim().length > 0);
const scope = fc.constantFrom('read', 'write');

describe('token forms', () => {
  it('never throw, and only accept a name of 1 to 60 characters and a known scope', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('name', 'scope', 'email', 'password', 'otp', 'role', '_csrf'), anyValue), (body) => {
        const page = parseForm(tokenFormShape, body);
        if (page.ok) {
          expect([...page.value.name].length).toBeGreaterThanOrEqual(1);
          expect([...page.value.name].length).toBeLessThanOrEqual(60);
          expect(['read', 'write']).toContain(page.value.scope);
        }
        const api = parseForm(issueTokenShape, body);
        if (api.ok) {
          expect(api.value.password.length).toBeGreaterThan(0);
          expect(['read', 'write']).toContain(api.value.scope);
        }
      }),
    );
  });

  it('accepts every good name and scope, trimmed', () => {
    fc.assert(
      fc.property(goodName, scope, (name, s) => {
        const result = parseForm(tokenFormShape, { name: `  ${name} `, scope: s, _csrf: 'x' });
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value).toEqual({ name: name.normalize('NFC').trim(), scope: s, expires: null });
      }),
    );
  });

  it('refuses any field it does not know, so a body cannot choose the owner', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['name', 'scope', '_csrf', '__proto__'].includes(k)), goodName, scope, (extra, name, s) => {
        const result = parseForm(tokenFormShape, { name, scope: s, [extra]: 'x' });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.unknown).toContain(extra);
      }),
    );
  });

  it('keeps a password exactly as typed and never echoes it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (password) => {
        const result = parseForm(issueTokenShape, { email: 'a@example.test', password, name: 'x', scope: 'read' });
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value.password).toBe(password);
        const refused = parseForm(issueTokenShape, { email: 'a@example.test', password, name: '', scope: 'read' });
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.echo.password).toBe('');
      }),
    );
  });
});
