import type { ModuleApi } from '../../platform/module.js';
import { bool, dateTime, empty, json, list, nullable, obj, oneOf, operation, PAGE_PARAMETERS, page, pathParam, record, ref, str, uuid } from '../../platform/openapi/schema.js';
import { BODY_MAX, PROMPTS, TITLE_MAX } from './journal.model.js';

const TAG = 'Journal';
const entryId = pathParam('id', uuid, 'The entry\'s id.');
const about = nullable(record({ kind: oneOf(['commitment', 'feedback']), id: uuid }, 'The moment of the caller\'s own record the entry is about: one of their commitments, or feedback written to them.'));

const entryInput = {
  title: nullable(str({ max: TITLE_MAX })),
  body: str({ min: 1, max: BODY_MAX }),
  prompt: nullable(oneOf(PROMPTS)),
  about,
};

/** The caller's private reflection journal: readable with their own session or token, by nobody else. */
export const journalApi: ModuleApi = {
  tag: { name: TAG, description: 'The caller\'s private reflection journal. Entries are encrypted at rest with a key of the caller\'s own; no other person, role or token can reach them.' },
  schemas: {
    JournalEntry: record({ id: uuid, title: nullable(str()), body: str(), prompt: nullable(oneOf(PROMPTS)), about, createdAt: dateTime, updatedAt: dateTime }),
  },
  paths: {
    '/me/journal': {
      get: operation({
        operationId: 'listJournalEntries',
        summary: 'The caller\'s journal entries, newest first',
        tags: [TAG],
        access: 'read',
        parameters: PAGE_PARAMETERS,
        success: { 200: page('A page of entries.', { entries: list(ref('JournalEntry')) }) },
      }),
      post: operation({
        operationId: 'writeJournalEntry',
        summary: 'Write an entry',
        tags: [TAG],
        access: 'write',
        body: obj(entryInput, ['body']),
        success: { 201: json('The entry.', ref('JournalEntry'), { Location: { $ref: '#/components/headers/Location' } }) },
        problems: [422],
      }),
    },
    '/me/journal/prompts': {
      get: operation({
        operationId: 'journalPrompts',
        summary: 'The prompts the journal offers now',
        description: 'One for each commitment the community confirmed and each piece of feedback received in the last 30 days that no entry is about yet, and the weekly prompt when asked for.',
        tags: [TAG],
        access: 'read',
        success: { 200: json('The prompts.', record({ prompts: list(record({ prompt: oneOf(PROMPTS), text: str(), about })), weeklyPrompt: bool })) },
      }),
    },
    '/me/journal/settings': {
      put: operation({
        operationId: 'setJournalSettings',
        summary: 'Whether the journal offers a prompt once a week',
        tags: [TAG],
        access: 'write',
        body: obj({ weeklyPrompt: bool }, ['weeklyPrompt']),
        success: { 200: json('Saved.', record({ weeklyPrompt: bool })) },
      }),
    },
    '/me/journal/{id}': {
      get: operation({ operationId: 'readJournalEntry', summary: 'One entry', tags: [TAG], access: 'read', parameters: [entryId], success: { 200: json('The entry.', ref('JournalEntry')) }, problems: [404] }),
      patch: operation({
        operationId: 'rewriteJournalEntry',
        summary: 'Change an entry (members left out keep their value)',
        tags: [TAG],
        access: 'write',
        parameters: [entryId],
        body: obj(entryInput),
        success: { 200: json('The entry.', ref('JournalEntry')) },
        problems: [404, 422],
      }),
      delete: operation({ operationId: 'deleteJournalEntry', summary: 'Delete an entry for good', tags: [TAG], access: 'write', parameters: [entryId], success: { 204: empty('Deleted.') }, problems: [404] }),
    },
  },
};
