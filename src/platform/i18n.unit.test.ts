import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { chooseLocale, createI18n, LOCALES, loadCatalogs, negotiateLocale } from './i18n.js';
import { PROJECT_ROOT } from './paths.js';

describe('negotiateLocale', () => {
  it.each([
    ['es', 'es'],
    ['es-MX,es;q=0.9,en;q=0.8', 'es'],
    ['en-GB,en;q=0.9', 'en'],
    ['fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4', 'es'],
    ['en;q=0.2,es;q=0.8', 'es'],
    ['de,fr', undefined],
    ['*', undefined],
    ['es;q=0', undefined],
    ['', undefined],
  ])('%s → %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });

  it('never throws and answers a shipped locale or nothing, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const result = negotiateLocale(header);
        expect(result === undefined || LOCALES.includes(result)).toBe(true);
      }),
    );
  });
});

describe('chooseLocale', () => {
  it('prefers the person’s setting, then the cookie, then the browser, then the default', () => {
    expect(chooseLocale({ userLocale: 'es', cookie: 'en', acceptLanguage: 'en', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ userLocale: null, cookie: 'es', acceptLanguage: 'en', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ cookie: 'xx', acceptLanguage: 'es', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ fallback: 'es' })).toBe('es');
  });
});

describe('catalogs', () => {
  const catalogs = loadCatalogs();

  it('English and Spanish have exactly the same keys, none empty', () => {
    expect(Object.keys(catalogs.es).sort()).toEqual(Object.keys(catalogs.en).sort());
    for (const locale of LOCALES) {
      for (const [key, value] of Object.entries(catalogs[locale])) expect(value.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it('every message parses in every locale and uses the same placeholders in both', () => {
    // The names of the values a message takes, read from its parsed form (plural branches included).
    type Element = { type: number; value?: string; options?: Record<string, { value: Element[] }> };
    const names = (elements: Element[], out: Set<string>): Set<string> => {
      for (const element of elements) {
        // Literal (0) and # (7) carry no name.
        if (element.type !== 0 && element.type !== 7 && element.value) out.add(element.value);
        for (const option of Object.values(element.options ?? {})) names(option.value, out);
      }
      return out;
    };
    const placeholders = (message: string) => [...names(new IntlMessageFormat(message, 'en').getAst() as Element[], new Set())].sort();
    for (const locale of LOCALES) {
      for (const [key, message] of Object.entries(catalogs[locale])) {
        expect(() => new IntlMessageFormat(message, locale), `${locale} ${key}`).not.toThrow();
        expect(placeholders(message), `${locale} ${key}`).toEqual(placeholders(catalogs.en[key]!));
      }
    }
  });

  it('every literal key the code uses exists', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name) && !entry.name.includes('.test.')) files.push(full);
      }
    };
    walk(path.join(PROJECT_ROOT, 'src'));
    const missing: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
        if (!(match[1]! in catalogs.en)) missing.push(`${path.relative(PROJECT_ROOT, file)}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('formats dates and numbers for the locale', () => {
    const i18n = createI18n(catalogs);
    const date = new Date(Date.UTC(2026, 10, 21, 12));
    expect(i18n.translator('en').formatDate(date)).toMatch(/November/);
    expect(i18n.translator('es').formatDate(date)).toMatch(/noviembre/);
    expect(i18n.translator('es').formatNumber(1234.5)).toBe('1234,5');
    expect(i18n.translator('en').formatNumber(1234.5)).toBe('1,234.5');
  });
});
