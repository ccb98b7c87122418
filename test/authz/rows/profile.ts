import { signedInApi, signedInPage, type Actor, type AuthzRow, type Fixture } from '../types.js';

const deleteBody = (fixture: Fixture, actor: Actor) => ({ password: fixture.users[actor]?.password ?? 'not the password', content: 'delete' });

/** The person's own profile, data export and deletion: every signed-in person, for themselves only. */
export const rows: AuthzRow[] = [
  { method: 'GET', route: '/account/profile', expect: signedInPage },
  { method: 'POST', route: '/account/profile', body: { displayName: 'Matrix Person', languages: 'en', homeArea: 'Lyon' }, expect: signedInPage },
  { method: 'GET', route: '/account/data', expect: signedInPage },
  { method: 'GET', route: '/account/data/export.json', expect: signedInPage },
  { method: 'GET', route: '/account/data/sessions.csv', expect: signedInPage },
  { method: 'GET', route: '/account/data/audit.csv', expect: signedInPage },
  { method: 'GET', route: '/account/data/delete', expect: signedInPage },
  {
    method: 'POST',
    route: '/account/data/delete',
    fresh: true,
    body: (fixture, actor) => ({ ...deleteBody(fixture, actor), confirm: 'on' }),
    expect: signedInPage,
  },
  { method: 'GET', route: '/api/v1/me', expect: signedInApi },
  { method: 'GET', route: '/api/v1/me', name: 'with the session', via: 'session', expect: signedInApi },
  { method: 'PATCH', route: '/api/v1/me', body: { pronouns: 'they/them' }, expect: signedInApi },
  { method: 'PATCH', route: '/api/v1/me', name: 'with the session', via: 'session', body: { restMode: false }, expect: signedInApi },
  { method: 'GET', route: '/api/v1/me/export', expect: signedInApi },
  { method: 'DELETE', route: '/api/v1/me', fresh: true, body: deleteBody, expect: signedInApi },
];
