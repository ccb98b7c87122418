import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { guarded, loadedRecord, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendRefusal } from '../../platform/errors.js';
import { checkbox, parseForm, refusalMessages, type Refusal } from '../../platform/forms.js';
import { isUuid } from '../../platform/ids.js';
import type { AppContext } from '../../platform/module.js';
import { API_PAGE, cursorCodec, pageOf, readPage } from '../../platform/pagination.js';
import type { FormState } from '../../platform/views/form.js';
import type { Moment } from '../commitments/index.js';
import { parseEntry } from './journal.form.js';
import { PROMPTS, type Entry, type EntryContent, type Prompt } from './journal.model.js';
import { eraseEntry, momentFor, offers, readEntries, readEntry, rewriteEntry, setWeeklyPromptOn, weeklyPromptOn, writeEntry } from './journal.service.js';
import { EntryPage, JournalPage, NewEntryPage, promptText } from './journal.views.js';

/** The keyset of a person's entries: newest first. */
const ENTRY_CURSOR = cursorCodec('journal', ['timestamp', 'uuid']);
const PAGE = { default: 20, max: 100 };
const SETTINGS_FORM = { weeklyPrompt: checkbox() };

/** An entry as the API gives it to its author. */
function entryJson(entry: Entry) {
  return {
    id: entry.id,
    title: entry.title,
    body: entry.body,
    prompt: entry.prompt,
    about: entry.link,
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

function entryValues(entry: Entry): FormState['values'] {
  return { title: entry.title ?? '', body: entry.body };
}

/** The private journal: pages under /journal and the API under /api/v1/me/journal, for the author alone. */
export function registerJournalRoutes(app: FastifyInstance, ctx: AppContext): void {
  // The entry of `:id`, loaded by the guard for its author only: for everyone else it does not exist.
  const theEntry = loadedRecord<Entry>('entry');
  const entry = theEntry.check(async (request) => {
    const id = String((request.params as { id?: string }).id ?? '').toLowerCase();
    const found = isUuid(id) ? await readEntry(ctx, viewerOf(request).id, id) : undefined;
    if (!found) throw new HttpError(404, 'not_found');
    return found;
  });

  const momentOf = async (request: FastifyRequest, link: Entry['link']): Promise<Moment | null> => (link ? ((await momentFor(ctx, viewerOf(request).id, link)) ?? null) : null);

  // ---- the actions ------------------------------------------------------------------------------------

  type Saved = { kind: 'saved'; id: string } | { kind: 'refused'; refusal: Refusal; content?: EntryContent };

  /** Writes a new entry, or rewrites the one the guard loaded. */
  async function saveAction(request: FastifyRequest, existing?: Entry): Promise<Saved> {
    const parsed = parseEntry(request.body ?? {});
    if (!parsed.ok) return { kind: 'refused', refusal: parsed };
    const userId = viewerOf(request).id;
    const result = existing ? await rewriteEntry(ctx, userId, existing.id, parsed.value) : await writeEntry(ctx, userId, parsed.value);
    if (result.ok) return { kind: 'saved', id: result.id };
    if (result.field === 'not_found') throw new HttpError(404, 'not_found');
    return { kind: 'refused', refusal: { errors: { about: { key: 'journal.error.about' } } }, content: parsed.value };
  }

  // ---- pages ------------------------------------------------------------------------------------------

  app.get('/journal', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const page = readPage(request, reply, ENTRY_CURSOR, PAGE);
    const [rows, offered, weekly] = await Promise.all([readEntries(ctx, viewer.id, page), offers(ctx, viewer.id), weeklyPromptOn(ctx, viewer.id)]);
    const { items, next } = pageOf(request, reply, rows, page.limit, (e) => ENTRY_CURSOR.encode(e.position));
    const query = request.query as Record<string, unknown>;
    const notice = query.deleted === '1' ? request.i18n.t('journal.deleted') : query.settings === '1' ? request.i18n.t('journal.settings.saved') : undefined;
    return reply.page(request.i18n.t('journal.title'), <JournalPage ctx={reply.pageContext()} offers={page.after ? [] : offered} entries={items} next={next} weekly={weekly} notice={notice} />);
  });

  app.get('/journal/new', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const query = request.query as Record<string, unknown>;
    const prompt = (PROMPTS as readonly unknown[]).includes(query.prompt) ? (query.prompt as Prompt) : null;
    const about = parseEntry({ body: 'x', about: query.about });
    const link = about.ok ? about.value.link : null;
    const moment = link ? ((await momentFor(ctx, viewer.id, link)) ?? null) : null;
    return reply.page(request.i18n.t('journal.new.title'), <NewEntryPage ctx={reply.pageContext()} state={{ values: {}, errors: {} }} prompt={prompt} moment={moment} />);
  });

  app.post('/journal', guarded(signedIn), async (request, reply) => {
    const result = await saveAction(request);
    if (result.kind === 'saved') return reply.redirect(`/journal/${result.id}?saved=1`, 303);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const prompt = (PROMPTS as readonly unknown[]).includes(body.prompt) ? (body.prompt as Prompt) : null;
    reply.code(422);
    const state = { values: { title: typeof body.title === 'string' ? body.title : '', body: typeof body.body === 'string' ? body.body : '' }, errors: refusalMessages(request.i18n, result.refusal) };
    return reply.page(request.i18n.t('journal.new.title'), <NewEntryPage ctx={reply.pageContext()} state={state} prompt={prompt} moment={null} />);
  });

  app.get('/journal/:id', guarded(signedIn, entry), async (request, reply) => {
    const found = theEntry.of(request);
    const notice = (request.query as Record<string, unknown>).saved === '1' ? request.i18n.t('journal.saved') : undefined;
    return renderEntry(request, reply, found, { values: entryValues(found), errors: {} }, notice);
  });

  async function renderEntry(request: FastifyRequest, reply: FastifyReply, found: Entry, state: FormState, notice?: string) {
    const moment = await momentOf(request, found.link);
    const title = found.title ?? request.i18n.t('journal.untitled', { date: request.i18n.formatDate(found.createdAt) });
    return reply.page(title, <EntryPage ctx={reply.pageContext()} entry={found} moment={moment} state={state} notice={notice} />);
  }

  app.post('/journal/:id', guarded(signedIn, entry), async (request, reply) => {
    const found = theEntry.of(request);
    const result = await saveAction(request, found);
    if (result.kind === 'saved') return reply.redirect(`/journal/${found.id}?saved=1`, 303);
    const body = (request.body ?? {}) as Record<string, unknown>;
    reply.code(422);
    const values = { title: typeof body.title === 'string' ? body.title : '', body: typeof body.body === 'string' ? body.body : '' };
    return renderEntry(request, reply, found, { values, errors: refusalMessages(request.i18n, result.refusal) });
  });

  app.post('/journal/:id/delete', guarded(signedIn, entry), async (request, reply) => {
    if (!parseForm({}, request.body ?? {}).ok) throw new HttpError(400, 'bad_request');
    await eraseEntry(ctx, viewerOf(request).id, theEntry.of(request).id);
    return reply.redirect('/journal?deleted=1', 303);
  });

  app.post('/journal/settings', guarded(signedIn), async (request, reply) => {
    const parsed = parseForm(SETTINGS_FORM, request.body ?? {});
    if (!parsed.ok) throw new HttpError(400, 'bad_request');
    await setWeeklyPromptOn(ctx, viewerOf(request).id, parsed.value.weeklyPrompt);
    return reply.redirect('/journal?settings=1', 303);
  });

  // ---- API: the author's own token only (another person's entries do not exist for it) -----------------

  app.get('/api/v1/me/journal', guarded(signedIn), async (request, reply) => {
    const page = readPage(request, reply, ENTRY_CURSOR, API_PAGE);
    const rows = await readEntries(ctx, viewerOf(request).id, page);
    const { items, next } = pageOf(request, reply, rows, page.limit, (e) => ENTRY_CURSOR.encode(e.position));
    return reply.header('cache-control', 'no-store').send({ entries: items.map(entryJson), next });
  });

  app.post('/api/v1/me/journal', guarded(signedIn), async (request, reply) => {
    const result = await saveAction(request);
    if (result.kind === 'refused') return sendRefusal(request, reply, result.refusal);
    const saved = (await readEntry(ctx, viewerOf(request).id, result.id))!;
    return reply.code(201).header('location', `/api/v1/me/journal/${saved.id}`).header('cache-control', 'no-store').send(entryJson(saved));
  });

  app.get('/api/v1/me/journal/prompts', guarded(signedIn), async (request, reply) => {
    const offered = await offers(ctx, viewerOf(request).id);
    return reply.header('cache-control', 'no-store').send({
      prompts: offered.map((o) => ({ prompt: o.prompt, text: promptText(request.i18n, o.prompt, o.moment), about: o.moment ? { kind: o.moment.kind, id: o.moment.id } : null })),
      weeklyPrompt: await weeklyPromptOn(ctx, viewerOf(request).id),
    });
  });

  app.put('/api/v1/me/journal/settings', guarded(signedIn), async (request, reply) => {
    const body = (request.body ?? {}) as { weeklyPrompt: boolean };
    await setWeeklyPromptOn(ctx, viewerOf(request).id, body.weeklyPrompt);
    return reply.header('cache-control', 'no-store').send({ weeklyPrompt: body.weeklyPrompt });
  });

  app.get('/api/v1/me/journal/:id', guarded(signedIn, entry), async (request, reply) => {
    return reply.header('cache-control', 'no-store').send(entryJson(theEntry.of(request)));
  });

  app.patch('/api/v1/me/journal/:id', guarded(signedIn, entry), async (request, reply) => {
    const found = theEntry.of(request);
    // A partial update: members left out keep their value.
    const merged = { title: found.title, body: found.body, prompt: found.prompt, about: found.link, ...((request.body ?? {}) as Record<string, unknown>) };
    request.body = merged;
    const result = await saveAction(request, found);
    if (result.kind === 'refused') return sendRefusal(request, reply, result.refusal);
    return reply.header('cache-control', 'no-store').send(entryJson((await readEntry(ctx, viewerOf(request).id, found.id))!));
  });

  app.delete('/api/v1/me/journal/:id', guarded(signedIn, entry), async (request, reply) => {
    await eraseEntry(ctx, viewerOf(request).id, theEntry.of(request).id);
    return reply.code(204).send();
  });
}
