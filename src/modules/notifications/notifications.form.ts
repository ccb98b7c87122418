import { checkbox, parseForm, type Field, type FieldError, type FormResult } from '../../platform/forms.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './notifications.kinds.js';

export type Preferences = Record<NotificationKind, boolean>;

/** A JSON boolean, required: the API never guesses what a missing or stringly value meant. */
function strictBoolean(): Field<boolean> {
  return {
    parse(raw) {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      return { ok: false, error: { key: raw === undefined || raw === null ? 'validation.required' : 'validation.invalid' } };
    },
  };
}

const FORM = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, checkbox()])) as Record<NotificationKind, Field<boolean>>;
const JSON_SHAPE = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, strictBoolean()])) as Record<NotificationKind, Field<boolean>>;

/** The preferences form: one checkbox per kind, an unticked box (absent) meaning off. */
export function parsePreferencesForm(body: unknown): FormResult<typeof FORM> {
  return parseForm(FORM, body);
}

/** The API body of PUT /api/v1/me/notifications: every kind, each a boolean. */
export function parsePreferencesJson(body: unknown): FormResult<typeof JSON_SHAPE> {
  return parseForm(JSON_SHAPE, body);
}

export type { FieldError };
