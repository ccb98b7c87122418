import type { Actor, AuthzRow, Outcome } from '../types.js';

const signedOut = (actor: Actor) => actor === 'anonymous' || actor === 'suspended';

/** Search is for everyone; over the API a suspended person's token no longer works. */
const searchApi = (actor: Actor): Outcome => (actor === 'suspended' ? 401 : 'ok');
/** The feed is for signed-in people. */
const feedPage = (actor: Actor): Outcome => (signedOut(actor) ? 'login' : 'ok');
const feedApi = (actor: Actor): Outcome => (signedOut(actor) ? 401 : 'ok');

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/search', expect: () => 'ok' },
  { method: 'GET', route: '/search', name: 'with words and a place', path: '/search?q=flyer&near=Madrid&within=50', expect: () => 'ok' },
  { method: 'GET', route: '/api/v1/search/asks', path: '/api/v1/search/asks?q=flyer', expect: searchApi },
  { method: 'GET', route: '/feed', expect: feedPage },
  { method: 'POST', route: '/feed/resume', expect: feedPage },
  { method: 'GET', route: '/api/v1/me/feed', expect: feedApi },
];
