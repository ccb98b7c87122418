/**
 * The journal in the authorization matrix: every person has their own, and an entry exists for its
 * author alone: for every other actor, admins and moderators included, it is not found.
 */
import { createContext } from '../../app.js';
import { signedInApi, signedInPage, type Actor, type AuthzHelpers, type AuthzRow, type Fixture, type Outcome } from '../../../test/authz/types.js';
import { testConfig } from '../../../test/support/app.js';
import { writeEntry } from './journal.service.js';

async function entryOfTheAlly(fixture: Fixture, helpers: AuthzHelpers): Promise<string> {
  const ctx = createContext({ config: testConfig(), db: helpers.db });
  const result = await writeEntry(ctx, fixture.users.ally!.id, { title: 'Matrix entry', body: 'Only the ally reads this.', prompt: null, link: null });
  if (!result.ok) throw new Error('The matrix could not write a journal entry');
  return result.id;
}

export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  fixture.ids.journalEntry = await entryOfTheAlly(fixture, helpers);
}

/** A fresh entry for each actor's request that deletes one. */
const fresh = async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers) => {
  fixture.ids.freshJournalEntry = await entryOfTheAlly(fixture, helpers);
};

const ownerPage = (actor: Actor): Outcome => (actor === 'ally' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 'login' : 404);
const ownerApi = (actor: Actor): Outcome => (actor === 'ally' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 401 : 404);
const entry = (f: Fixture) => f.ids.journalEntry!;

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/journal', expect: signedInPage },
  { method: 'GET', route: '/journal/new', expect: signedInPage },
  { method: 'POST', route: '/journal', body: { body: 'A thought of my own.' }, expect: signedInPage },
  { method: 'POST', route: '/journal/settings', body: { weeklyPrompt: 'on' }, expect: signedInPage },
  { method: 'GET', route: '/journal/:id', path: (f) => `/journal/${entry(f)}`, expect: ownerPage },
  { method: 'POST', route: '/journal/:id', path: (f) => `/journal/${entry(f)}`, body: { body: 'Changed by its author.' }, expect: ownerPage },
  { method: 'POST', route: '/journal/:id/delete', path: (f) => `/journal/${f.ids.freshJournalEntry}/delete`, prepare: fresh, expect: ownerPage },
  { method: 'GET', route: '/api/v1/me/journal', expect: signedInApi },
  { method: 'POST', route: '/api/v1/me/journal', body: { body: 'Written over the API.' }, expect: signedInApi },
  { method: 'GET', route: '/api/v1/me/journal/prompts', expect: signedInApi },
  { method: 'PUT', route: '/api/v1/me/journal/settings', body: { weeklyPrompt: false }, expect: signedInApi },
  { method: 'GET', route: '/api/v1/me/journal/:id', path: (f) => `/api/v1/me/journal/${entry(f)}`, expect: ownerApi },
  { method: 'GET', route: '/api/v1/me/journal/:id', name: 'with the session', via: 'session', path: (f) => `/api/v1/me/journal/${entry(f)}`, expect: ownerApi },
  { method: 'PATCH', route: '/api/v1/me/journal/:id', path: (f) => `/api/v1/me/journal/${entry(f)}`, body: { title: 'Renamed' }, expect: ownerApi },
  { method: 'DELETE', route: '/api/v1/me/journal/:id', path: (f) => `/api/v1/me/journal/${f.ids.freshJournalEntry}`, prepare: fresh, expect: ownerApi },
];
