import { unsubscribeQuery } from '../../../src/modules/notifications/notifications.kinds.js';
import { resolveSecretKey, Secrets } from '../../../src/platform/secrets.js';
import { testConfig } from '../../support/app.js';
import { signedInApi, signedInPage, type AuthzRow, type Fixture, type Outcome } from '../types.js';

const ALL_ON = { commitment_received: true, waitlist_promotion: true, shift_reminder: true, feedback_received: true, organizer_digest: true };

/** The link a mail to the ally would carry, signed with the test instance's key as the app signs it. */
function unsubscribePath(fixture: Fixture): string {
  const secrets = new Secrets(resolveSecretKey(testConfig()));
  return `/unsubscribe?${unsubscribeQuery((value) => secrets.hmac('unsubscribe', value), fixture.users.ally!.id, 'shift_reminder')}`;
}

const tampered = (fixture: Fixture) => `${unsubscribePath(fixture).slice(0, -4)}0000`;
const everyone = (): Outcome => 'ok';
const refused = (): Outcome => 400;

/** Mail preferences are each person's own; the unsubscribe link works for whoever holds it, and only with its signature. */
export const rows: AuthzRow[] = [
  { method: 'GET', route: '/account/notifications', expect: signedInPage },
  { method: 'POST', route: '/account/notifications', body: { shift_reminder: 'on', organizer_digest: 'on' }, expect: signedInPage },
  { method: 'GET', route: '/api/v1/me/notifications', expect: signedInApi },
  { method: 'GET', route: '/api/v1/me/notifications', name: 'with the session', via: 'session', expect: signedInApi },
  { method: 'PUT', route: '/api/v1/me/notifications', body: ALL_ON, expect: signedInApi },
  { method: 'PUT', route: '/api/v1/me/notifications', name: 'with the session', via: 'session', body: ALL_ON, expect: signedInApi },
  { method: 'GET', route: '/unsubscribe', path: (fixture) => unsubscribePath(fixture), expect: everyone },
  { method: 'GET', route: '/unsubscribe', name: 'tampered', path: (fixture) => tampered(fixture), expect: refused },
  { method: 'POST', route: '/unsubscribe', path: (fixture) => unsubscribePath(fixture), expect: everyone },
  { method: 'POST', route: '/unsubscribe', name: 'one-click', path: (fixture) => unsubscribePath(fixture), body: { 'List-Unsubscribe': 'One-Click' }, expect: everyone },
  { method: 'POST', route: '/unsubscribe', name: 'tampered', path: (fixture) => tampered(fixture), expect: refused },
];
