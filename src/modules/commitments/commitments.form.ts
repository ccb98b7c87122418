import { asString, checkbox, choice, fail, type Field, type FieldError, type FieldResult, ok, optionalText, parseForm, text } from '../../platform/forms.js';
import { OUTCOMES, type Outcome } from './commitments.policy.js';
import { UUID_PATTERN } from '../../platform/ids.js';
import { currencyDigits } from '../../platform/money.js';
import type { AskKind } from '../asks/index.js';

export const FEEDBACK_KINDS = ['thanks', 'suggestion', 'concern'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const FEEDBACK_MAX = 2000;
export const OUTCOME_LINE_MAX = 300;
export const QUANTITY_MAX = 1_000_000;
export const HOURS_MAX = 1000;
/** Idempotency keys are the client's: any printable ASCII, of a sensible length. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;

/** A decimal number typed by a person ("2", "2.5", "2,5") with at most `decimals` places, as an integer of 10^-decimals units. */
function decimal(raw: unknown, decimals: number, max: number): FieldResult<number | null> {
  const value = (asString(raw) ?? '').trim().replace(',', '.');
  if (value === '') return ok(null);
  const pattern = decimals > 0 ? new RegExp(`^\\d{1,9}(\\.\\d{1,${decimals}})?$`) : /^\d{1,12}$/;
  if (!pattern.test(value)) return fail('commitments.error.number');
  const [whole, fraction = ''] = value.split('.');
  const units = Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (units > max * 10 ** decimals) return fail('validation.range', { min: 0, max });
  return ok(units);
}

/** Hours as typed (quarter hours and the like), kept as whole minutes. */
export function hours(): Field<number | null> {
  return {
    parse(raw) {
      const r = decimal(raw, 2, HOURS_MAX);
      return r.ok && r.value !== null ? ok(Math.round((r.value * 60) / 100)) : r;
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** An amount of money in the currency's major units, kept in minor units. */
export function money(currency: string): Field<number | null> {
  return {
    parse: (raw) => decimal(raw, currencyDigits(currency), 1_000_000_000),
    echo: (raw) => asString(raw) ?? '',
  };
}

/** A whole quantity; empty is null. */
export function quantity(): Field<number | null> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim();
      if (value === '') return ok(null);
      if (!/^\d{1,7}$/.test(value)) return fail('validation.wholeNumber');
      const n = Number(value);
      return n < 1 || n > QUANTITY_MAX ? fail('validation.range', { min: 1, max: QUANTITY_MAX }) : ok(n);
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

function optionalId(): Field<string | null> {
  return {
    parse(raw) {
      const value = (asString(raw) ?? '').trim();
      if (value === '') return ok(null);
      return UUID_PATTERN.test(value) ? ok(value) : fail('validation.choice');
    },
    echo: (raw) => asString(raw) ?? '',
  };
}

/** What the ask offers to commit to, so the form can check choices against it. */
export interface CommitFacts {
  kind: AskKind;
  windowIds: string[];
  itemIds: string[];
  channelIds: string[];
  currency: string | null;
}

/** A parsed commit. */
export interface CommitInput {
  windowId: string | null;
  itemId: string | null;
  quantity: number | null;
  amountMinor: number | null;
  channelId: string | null;
  idempotencyKey: string | null;
  acknowledgeCapacity: boolean;
  leaveRest: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, FieldError>; echo: Record<string, string>; unknown: string[] };

function echoOf(body: unknown, names: string[]): Record<string, string> {
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const echo: Record<string, string> = {};
  for (const name of names) echo[name] = asString(input[name]) ?? (typeof input[name] === 'boolean' ? (input[name] ? 'on' : '') : '');
  return echo;
}

/** Parses the commit form (or API body) against what the ask offers; the fields a kind does not use are refused as unknown. */
export function parseCommit(body: unknown, facts: CommitFacts): Parsed<CommitInput> {
  const shape: Record<string, Field<unknown>> = {
    idempotencyKey: optionalText({ max: 200 }),
    acknowledgeCapacity: checkbox(),
    leaveRest: checkbox(),
  };
  if (facts.kind === 'shift') shape.windowId = optionalId();
  if (facts.kind === 'supplies') Object.assign(shape, { itemId: optionalId(), quantity: quantity() });
  if (facts.kind === 'money') Object.assign(shape, { amount: money(facts.currency ?? 'EUR'), channelId: optionalId() });
  const parsed = parseForm(shape, body);
  const echo = echoOf(body, Object.keys(shape));
  const errors: Record<string, FieldError> = parsed.ok ? {} : { ...(parsed.errors as Record<string, FieldError>) };
  const unknown = parsed.ok ? [] : parsed.unknown;
  const v = (parsed.ok ? parsed.value : {}) as Record<string, unknown>;
  const key = (v.idempotencyKey as string | null | undefined) ?? null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) errors.idempotencyKey = { key: 'commitments.error.idempotencyKey' };
  const pick = (name: string, list: string[], missing: string) => {
    if (errors[name]) return;
    const id = v[name] as string | null | undefined;
    if (!id) errors[name] = { key: missing };
    else if (!list.includes(id)) errors[name] = { key: 'validation.choice' };
  };
  if (facts.kind === 'shift') pick('windowId', facts.windowIds, 'commitments.error.windowRequired');
  if (facts.kind === 'supplies') {
    if (facts.itemIds.length > 0) pick('itemId', facts.itemIds, 'commitments.error.itemRequired');
    if (!errors.quantity && v.quantity == null) errors.quantity = { key: 'validation.required' };
  }
  if (facts.kind === 'money') {
    if (!errors.amount && (v.amount == null || v.amount === 0)) errors.amount = { key: 'commitments.error.amountRequired' };
    if (facts.channelIds.length > 0) pick('channelId', facts.channelIds, 'commitments.error.channelRequired');
    else if (!errors.channelId && v.channelId) errors.channelId = { key: 'validation.choice' };
  }
  if (Object.keys(errors).length > 0 || unknown.length > 0) return { ok: false, errors, echo, unknown };
  return {
    ok: true,
    value: {
      windowId: (v.windowId as string | null | undefined) ?? null,
      itemId: (v.itemId as string | null | undefined) ?? null,
      quantity: (v.quantity as number | null | undefined) ?? null,
      amountMinor: (v.amount as number | null | undefined) ?? null,
      channelId: (v.channelId as string | null | undefined) ?? null,
      idempotencyKey: key,
      acknowledgeCapacity: v.acknowledgeCapacity === true,
      leaveRest: v.leaveRest === true,
    },
  };
}

/** What an organizer confirms about one commitment. */
export interface ConfirmInput {
  outcome: Outcome;
  minutes: number | null;
  amountMinor: number | null;
  quantity: number | null;
  outcomeLine: string | null;
}

/** The fields a confirmation has for an ask of this kind: hours for time, an amount for money, a quantity for supplies. */
function confirmShape(kind: CommitFacts['kind'], currency: string | null, prefix = ''): Record<string, Field<unknown>> {
  const shape: Record<string, Field<unknown>> = {
    [`${prefix}outcome`]: choice(OUTCOMES),
    [`${prefix}outcomeLine`]: optionalText({ max: OUTCOME_LINE_MAX }),
  };
  if (kind === 'shift' || kind === 'skill' || kind === 'attend') shape[`${prefix}hours`] = hours();
  if (kind === 'money') shape[`${prefix}amount`] = money(currency ?? 'EUR');
  if (kind === 'supplies') shape[`${prefix}quantity`] = quantity();
  return shape;
}

function confirmValue(v: Record<string, unknown>, prefix = ''): ConfirmInput {
  return {
    outcome: v[`${prefix}outcome`] as Outcome,
    minutes: (v[`${prefix}hours`] as number | null | undefined) ?? null,
    amountMinor: (v[`${prefix}amount`] as number | null | undefined) ?? null,
    quantity: (v[`${prefix}quantity`] as number | null | undefined) ?? null,
    outcomeLine: (v[`${prefix}outcomeLine`] as string | null | undefined) ?? null,
  };
}

/** Parses one confirmation (a form or an API body). */
export function parseConfirm(body: unknown, kind: CommitFacts['kind'], currency: string | null): Parsed<ConfirmInput> {
  const shape = confirmShape(kind, currency);
  const parsed = parseForm(shape, body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors as Record<string, FieldError>, echo: echoOf(body, Object.keys(shape)), unknown: parsed.unknown };
  return { ok: true, value: confirmValue(parsed.value as Record<string, unknown>) };
}

/**
 * Parses the bulk confirmation form: for each listed commitment `<id>.outcome` (empty leaves it
 * for later), and its hours, amount or quantity and outcome line. Ids not listed are refused.
 */
export function parseBulkConfirm(body: unknown, ids: string[], kind: CommitFacts['kind'], currency: string | null): Parsed<Array<{ id: string } & ConfirmInput>> {
  const shape: Record<string, Field<unknown>> = {};
  for (const id of ids) {
    const one = confirmShape(kind, currency, `${id}.`);
    one[`${id}.outcome`] = choice(OUTCOMES, { required: false });
    Object.assign(shape, one);
  }
  const parsed = parseForm(shape, body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors as Record<string, FieldError>, echo: echoOf(body, Object.keys(shape)), unknown: parsed.unknown };
  const v = parsed.value as Record<string, unknown>;
  return { ok: true, value: ids.filter((id) => v[`${id}.outcome`]).map((id) => ({ id, ...confirmValue(v, `${id}.`) })) };
}

/** Feedback from an organizer. */
export const FEEDBACK_FORM = {
  kind: choice(FEEDBACK_KINDS),
  body: text({ max: FEEDBACK_MAX, multiline: true }),
};

/** The ally's acknowledgement, with an optional reply. */
export const ACKNOWLEDGE_FORM = {
  reply: optionalText({ max: FEEDBACK_MAX, multiline: true }),
};
