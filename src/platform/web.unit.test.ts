import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestIdFrom, safeNextPath } from './web.js';

describe('safeNextPath', () => {
  it.each([
    ['/admin', '/admin'],
    ['/admin?x=1', '/admin?x=1'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
  ])('%s → %s', (input, expected) => expect(safeNextPath(input)).toBe(expected));

  it('only ever returns a path on this site', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('//', '/\\', '\\\\')), (input) => {
        const result = safeNextPath(input);
        expect(result.startsWith('/')).toBe(true);
        expect(result.startsWith('//')).toBe(false);
        expect(new URL(result, 'https://alongside.test').origin).toBe('https://alongside.test');
      }),
    );
  });
});

describe('requestIdFrom', () => {
  it('takes a well-formed id from a trusted proxy only', () => {
    expect(requestIdFrom('abcdef12-3456', true)).toBe('abcdef12-3456');
    expect(requestIdFrom('abcdef12-3456', false)).not.toBe('abcdef12-3456');
    expect(requestIdFrom('bad id with spaces', true)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
