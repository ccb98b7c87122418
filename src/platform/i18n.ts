import fs from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { LOCALES_DIR, MODULES_DIR } from './paths.js';

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** Right-to-left locales; none are shipped yet, but layout and CSS follow `dir` already. */
const RTL = new Set<string>(['ar', 'fa', 'he', 'ur']);

export type MessageValues = Record<string, string | number | Date>;

/** What a request needs to speak a person's language. */
export interface Translator {
  readonly locale: Locale;
  readonly dir: 'ltr' | 'rtl';
  t(key: string, values?: MessageValues): string;
  /** A date (or date and time) in the locale's style; in `timeZone` when given, else the process's. */
  formatDate(date: Date, style?: 'date' | 'datetime', timeZone?: string): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Where a module keeps its strings: `src/modules/<name>/locales/<locale>.json`. */
export function moduleLocalesDir(module: string): string {
  return path.join(MODULES_DIR, module, 'locales');
}

/** The modules that keep strings: every folder of src/modules/ with a locales/ folder. */
export function modulesWithStrings(): string[] {
  return fs
    .readdirSync(MODULES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(moduleLocalesDir(entry.name)))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Loads one flat catalog of key → ICU message per shipped locale: the platform's strings in
 * `locales/<locale>.json`, then each module's own file. A key defined twice fails.
 */
export function loadCatalogs(dir: string = LOCALES_DIR, modules: readonly string[] = modulesWithStrings()): Record<Locale, Record<string, string>> {
  const catalogs = {} as Record<Locale, Record<string, string>>;
  for (const locale of LOCALES) {
    const catalog: Record<string, string> = JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), 'utf8')) as Record<string, string>;
    for (const module of modules) {
      const file = path.join(moduleLocalesDir(module), `${locale}.json`);
      if (!fs.existsSync(file)) continue;
      const strings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
      for (const [key, message] of Object.entries(strings)) {
        if (Object.hasOwn(catalog, key)) throw new Error(`The translation key "${key}" is defined twice (again in ${module}/locales/${locale}.json)`);
        catalog[key] = message;
      }
    }
    catalogs[locale] = catalog;
  }
  return catalogs;
}

/** Builds translators over loaded catalogs; messages are compiled once and cached. */
export function createI18n(catalogs: Record<Locale, Record<string, string>> = loadCatalogs()) {
  const compiled = new Map<string, IntlMessageFormat>();
  const dateFormats = new Map<string, Intl.DateTimeFormat>();
  const numberFormats = new Map<string, Intl.NumberFormat>();
  const translators = new Map<Locale, Translator>();

  function message(locale: Locale, key: string): IntlMessageFormat {
    const id = `${locale}\u0000${key}`;
    let format = compiled.get(id);
    if (!format) {
      // A key missing in one language falls back to English rather than showing a raw key.
      const source = catalogs[locale][key] ?? catalogs.en[key];
      if (source === undefined) throw new Error(`Missing translation key "${key}"`);
      format = new IntlMessageFormat(source, locale);
      compiled.set(id, format);
    }
    return format;
  }

  // Building an Intl formatter costs tens of microseconds, formatting with one about one: pages
  // that show many times or amounts reuse them. Zones and currencies are few, so the maps stay small.
  function dateFormat(locale: Locale, style: 'date' | 'datetime', timeZone?: string): Intl.DateTimeFormat {
    const id = `${locale}:${style}:${timeZone ?? ''}`;
    let format = dateFormats.get(id);
    if (!format) {
      format = new Intl.DateTimeFormat(locale, {
        ...(style === 'date' ? { dateStyle: 'long' } : { dateStyle: 'medium', timeStyle: 'short' }),
        ...(timeZone ? { timeZone } : {}),
      });
      dateFormats.set(id, format);
    }
    return format;
  }

  function numberFormat(locale: Locale, options: Intl.NumberFormatOptions | undefined): Intl.NumberFormat {
    const id = `${locale}:${options ? JSON.stringify(options) : ''}`;
    let format = numberFormats.get(id);
    if (!format) {
      format = new Intl.NumberFormat(locale, options);
      numberFormats.set(id, format);
    }
    return format;
  }

  function translator(locale: Locale): Translator {
    let existing = translators.get(locale);
    if (existing) return existing;
    existing = {
      locale,
      dir: RTL.has(locale) ? 'rtl' : 'ltr',
      t: (key, values) => String(message(locale, key).format(values)),
      formatDate: (date, style = 'date', timeZone) => dateFormat(locale, style, timeZone).format(date),
      formatNumber: (value, options) => numberFormat(locale, options).format(value),
    };
    translators.set(locale, existing);
    return existing;
  }

  return { catalogs, translator };
}

export type I18n = ReturnType<typeof createI18n>;

/**
 * Picks the best shipped locale from an Accept-Language header (RFC 9110 §12.5.4):
 * highest q first, then header order; a region falls back to its language.
 */
export function negotiateLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      let q = 1;
      for (const param of params) {
        const [name, value] = param.trim().split('=');
        if (name?.trim().toLowerCase() === 'q') {
          const parsed = Number(value);
          q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
        }
      }
      return { tag: tag.trim().toLowerCase(), q, index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    const language = tag.split('-')[0];
    if (isLocale(language)) return language;
  }
  return undefined;
}

/** The locale of a request: the person's setting, then the switcher's cookie, then the browser's wish. */
export function chooseLocale(input: {
  userLocale?: string | null | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
  fallback: Locale;
}): Locale {
  if (isLocale(input.userLocale)) return input.userLocale;
  if (isLocale(input.cookie)) return input.cookie;
  return negotiateLocale(input.acceptLanguage) ?? input.fallback;
}
