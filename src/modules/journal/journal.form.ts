import { choice, fail, ok, optionalText, parseForm, text, type Field, type FormResult } from '../../platform/forms.js';
import { isUuid } from '../../platform/ids.js';
import { BODY_MAX, PROMPTS, TITLE_MAX, type EntryContent, type MomentLink } from './journal.model.js';

/** The moment an entry is about: `commitment:<id>` or `feedback:<id>` in a form, `{ kind, id }` in JSON; empty for none. */
function about(): Field<MomentLink | null> {
  return {
    parse(raw) {
      if (raw === undefined || raw === null || raw === '') return ok(null);
      if (typeof raw === 'string') {
        const [kind, id] = raw.split(':');
        if ((kind === 'commitment' || kind === 'feedback') && isUuid(id)) return ok({ kind, id });
        return fail('journal.error.about');
      }
      if (typeof raw === 'object' && !Array.isArray(raw)) {
        const { kind, id, ...rest } = raw as Record<string, unknown>;
        if ((kind === 'commitment' || kind === 'feedback') && isUuid(id) && Object.keys(rest).length === 0) return ok({ kind, id });
      }
      return fail('journal.error.about');
    },
    echo: (raw) => (typeof raw === 'string' ? raw : ''),
  };
}

const ENTRY = {
  title: optionalText({ max: TITLE_MAX }),
  body: text({ min: 1, max: BODY_MAX, multiline: true }),
  prompt: choice(PROMPTS, { required: false }),
  about: about(),
};

export type EntryParse = { ok: true; value: EntryContent } | Extract<FormResult<typeof ENTRY>, { ok: false }>;

/** An entry as written on the page or sent to the API. */
export function parseEntry(body: unknown): EntryParse {
  const parsed = parseForm(ENTRY, body);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { title: parsed.value.title, body: parsed.value.body, prompt: parsed.value.prompt, link: parsed.value.about } };
}
