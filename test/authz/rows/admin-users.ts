import { sql } from 'kysely';
import { hashPassword, upsertUser } from '../../../src/modules/accounts/index.js';
import { adminPage, type AuthzRow, type AuthzRowFile } from '../types.js';

/** A person for admins to suspend and unsuspend. */
export const setup: AuthzRowFile['setup'] = async (fixture, { db }) => {
  fixture.ids.suspendTarget = await upsertUser(db.kysely, {
    email: 'suspend-target@example.test',
    emailNormalized: 'suspend-target@example.test',
    displayName: 'Suspend Target',
    passwordHash: await hashPassword('suspend target password'),
    role: 'user',
    verified: true,
  });
};

/** The admin people list and suspension: admins only. */
export const rows: AuthzRow[] = [
  { method: 'GET', route: '/admin/users', expect: adminPage },
  {
    method: 'POST',
    route: '/admin/users/:id/suspend',
    path: (fixture) => `/admin/users/${fixture.ids.suspendTarget}/suspend`,
    prepare: async (fixture, _actor, { db }) => {
      await sql`update users set suspended_at = null where id = ${fixture.ids.suspendTarget}`.execute(db.kysely);
    },
    expect: adminPage,
  },
  {
    method: 'POST',
    route: '/admin/users/:id/unsuspend',
    path: (fixture) => `/admin/users/${fixture.ids.suspendTarget}/unsuspend`,
    prepare: async (fixture, _actor, { db }) => {
      await sql`update users set suspended_at = now() where id = ${fixture.ids.suspendTarget}`.execute(db.kysely);
    },
    expect: adminPage,
  },
  {
    method: 'POST',
    route: '/admin/users/:id/make-moderator',
    path: (fixture) => `/admin/users/${fixture.ids.suspendTarget}/make-moderator`,
    prepare: async (fixture, _actor, { db }) => {
      await sql`update users set role = 'user' where id = ${fixture.ids.suspendTarget}`.execute(db.kysely);
    },
    expect: adminPage,
  },
  {
    method: 'POST',
    route: '/admin/users/:id/remove-moderator',
    path: (fixture) => `/admin/users/${fixture.ids.suspendTarget}/remove-moderator`,
    prepare: async (fixture, _actor, { db }) => {
      await sql`update users set role = 'moderator' where id = ${fixture.ids.suspendTarget}`.execute(db.kysely);
    },
    expect: adminPage,
  },
];
