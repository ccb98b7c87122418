import type { MessageValues, Translator } from './i18n.js';

/** Why a field was refused: a message key in locales/ and its values. */
export interface FieldError {
  key: string;
  values?: MessageValues;
}

export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: FieldError };

/** Parses one field of a form or JSON body. `raw` is what arrived: a string, an array, a number, a boolean or nothing. */
export interface Field<T> {
  parse(raw: unknown): FieldResult<T>;
  /** How the value is shown back in the form after a refusal. */
  echo?(raw: unknown): string | string[];
}

/** A field's value, parsed. */
export const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
/** A field refused, with the message key (and its values) that says why. */
export const fail = (key: string, values?: MessageValues): FieldResult<never> => ({ ok: false, error: values ? { key, values } : { key } });

/** What arrived as text: a string, or a finite number as typed; anything else is not text. */
export function asString(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

function length(value: string): number {
  return [...value].length;
}

// Control characters other than tab and line breaks have no place in text people type.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// Direction overrides, embeddings and isolates: in a name or a title they can show text reversed
// ("gpj.exe" as "exe.jpg") or run into what follows. Marks (LRM, RLM) stay allowed: they do not reorder.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** A text field: trimmed, NFC-normalised, with length limits counted in characters. */
export function text(options: { min?: number; max: number; required?: boolean; multiline?: boolean; pattern?: RegExp; patternKey?: string }): Field<string> {
  const { min = 0, max, required = true, multiline = false } = options;
  return {
    parse(raw) {
      if (raw !== undefined && raw !== null && asString(raw) === undefined) return fail('validation.invalid');
      const value = (asString(raw) ?? '').normalize('NFC').trim();
      if (value === '') return required ? fail('validation.required') : ok('');
      if (CONTROL.test(value) || (!multiline && /[\r\n]/.test(value))) return fail('validation.invalid');
      if (!multiline && BIDI_CONTROL.test(value)) return fail('validation.bidi');
      if (length(value) < min) return fail('validation.tooShort', { min });
      if (length(value) > max) return fail('validation.tooLong', { max });
      if (options.pattern && !options.pattern.test(value)) return fail(options.patternKey ?? 'validation.invalid');
      return ok(value);
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** An optional text field that yields null when empty. */
export function optionalText(options: { max: number; multiline?: boolean }): Field<string | null> {
  const inner = text({ ...options, required: false });
  return {
    parse(raw) {
      const result = inner.parse(raw);
      return result.ok ? ok(result.value === '' ? null : result.value) : result;
    },
    echo: inner.echo,
  };
}

/** An e-mail address: a practical check (one @, a dot in the domain, no spaces), at most 254 characters. */
export function email(): Field<string> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').normalize('NFC').trim();
      if (value === '') return fail('validation.required');
      if (value.length > 254 || !/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u.test(value)) return fail('validation.email');
      return ok(value);
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** A password: any characters, never trimmed, never echoed back. */
export function password(options: { min: number; max: number }): Field<string> {
  return {
    parse(raw) {
      const value = asString(raw) ?? '';
      if (value === '') return fail('validation.required');
      if (length(value) < options.min) return fail('validation.passwordTooShort', { min: options.min });
      if (length(value) > options.max) return fail('validation.tooLong', { max: options.max });
      return ok(value);
    },
    echo: () => '',
  };
}

/** A whole number within bounds; empty is null unless required. */
export function integer(options: { min: number; max: number; required?: boolean }): Field<number | null> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim();
      if (value === '') return options.required ? fail('validation.required') : ok(null);
      if (!/^-?\d{1,12}$/.test(value)) return fail('validation.wholeNumber');
      const n = Number(value);
      if (n < options.min || n > options.max) return fail('validation.range', { min: options.min, max: options.max });
      return ok(n);
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** A checkbox: present (any value but "false" or "0") is true. JSON booleans are accepted as they are. */
export function checkbox(): Field<boolean> {
  return {
    parse(raw) {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === undefined || raw === null || raw === '') return ok(false);
      const value = asString(raw);
      if (value === undefined) return fail('validation.invalid');
      return ok(!['false', '0', 'off'].includes(value));
    },
    echo: (raw) => (raw === undefined || raw === '' || raw === false ? '' : 'on'),
  };
}

/** One value of a fixed list. */
export function choice<T extends string>(values: readonly T[], options: { required?: boolean } = {}): Field<T | null> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim();
      if (value === '') return options.required === false ? ok(null) : fail('validation.required');
      return (values as readonly string[]).includes(value) ? ok(value as T) : fail('validation.choice');
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** Several values of one field (repeated form fields, or a JSON array), each parsed by `item`, without duplicates. */
export function many<T>(item: Field<T>, options: { max: number }): Field<T[]> {
  return {
    parse(raw) {
      const list = raw === undefined || raw === null || raw === '' ? [] : Array.isArray(raw) ? raw : [raw];
      if (list.length > options.max) return fail('validation.tooMany', { max: options.max });
      const values: T[] = [];
      for (const entry of list) {
        if (entry === '') continue;
        const result = item.parse(entry);
        if (!result.ok) return result;
        if (!values.includes(result.value)) values.push(result.value);
      }
      return ok(values);
    },
    echo: (raw) => (Array.isArray(raw) ? raw.map((r) => asString(r) ?? '') : raw === undefined ? [] : [asString(raw) ?? '']),
  };
}

type Shape = Record<string, Field<unknown>>;
export type FormValue<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export type FormResult<S extends Shape> =
  | { ok: true; value: FormValue<S> }
  | { ok: false; errors: Partial<Record<keyof S & string, FieldError>>; echo: Partial<Record<keyof S & string, string | string[]>>; unknown: string[] };

/** Fields every HTML form may carry besides its own. */
const FRAMEWORK_FIELDS = new Set(['_csrf']);

/**
 * Parses a form or JSON body against an allowlist of fields. Every field is checked (so every error
 * can be shown at once), unknown fields are refused, and nothing is coerced silently.
 */
export function parseForm<S extends Shape>(shape: S, body: unknown): FormResult<S> {
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const value: Record<string, unknown> = {};
  const errors: Record<string, FieldError> = {};
  const echo: Record<string, string | string[]> = {};
  for (const [name, field] of Object.entries(shape)) {
    const raw = Object.hasOwn(input, name) ? input[name] : undefined;
    const result = field.parse(raw);
    if (result.ok) value[name] = result.value;
    else errors[name] = result.error;
    echo[name] = field.echo ? field.echo(raw) : (asString(raw) ?? '');
  }
  const unknown = Object.keys(input).filter((k) => !Object.hasOwn(shape, k) && !FRAMEWORK_FIELDS.has(k));
  if (Object.keys(errors).length > 0 || unknown.length > 0) {
    return { ok: false, errors: errors as never, echo: echo as never, unknown };
  }
  return { ok: true, value: value as FormValue<S> };
}

/** Translated messages per field, for the views. */
export function translateErrors(i18n: Translator, errors: Partial<Record<string, FieldError>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, error] of Object.entries(errors)) if (error) out[name] = i18n.t(error.key, error.values);
  return out;
}

/** Field errors as RFC 9457 extension members: a JSON pointer per field. */
export function problemErrors(i18n: Translator, errors: Partial<Record<string, FieldError>>, unknown: string[] = []) {
  return [
    ...Object.entries(errors).flatMap(([name, error]) => (error ? [{ pointer: `/${name}`, detail: i18n.t(error.key, error.values) }] : [])),
    ...unknown.map((name) => ({ pointer: `/${name}`, detail: i18n.t('validation.unknownField') })),
  ];
}

/** A refused submission as any parser gives it: the message key of each refused field, the fields nobody asked for, and what was sent. */
export interface Refusal {
  errors: Partial<Record<string, FieldError>>;
  unknown?: readonly string[];
  echo?: Partial<Record<string, string | string[]>>;
}

/** A refused submission's messages, translated, one per field (unknown fields included). */
export function refusalMessages(i18n: Translator, refusal: Refusal): Record<string, string> {
  const messages = translateErrors(i18n, refusal.errors);
  for (const name of refusal.unknown ?? []) messages[name] = i18n.t('validation.unknownField');
  return messages;
}
