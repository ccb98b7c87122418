import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../accounts/index.js';

interface DemoPerson {
  email: string;
  displayName: string;
  role: Role;
  locale: 'en' | 'es';
}

/** The demo instance's people: an admin, a moderator, organizers and allies, in English and Spanish. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { email: 'admin@demo.alongside.test', displayName: 'Ada (admin)', role: 'admin', locale: 'en' },
  { email: 'moderator@demo.alongside.test', displayName: 'Mo Okafor', role: 'moderator', locale: 'en' },
  { email: 'rosa@demo.alongside.test', displayName: 'Rosa Quispe', role: 'user', locale: 'es' },
  { email: 'dee@demo.alongside.test', displayName: 'Dee Harlow', role: 'user', locale: 'en' },
  { email: 'amina@demo.alongside.test', displayName: 'Amina Yusuf', role: 'user', locale: 'en' },
  { email: 'lucia@demo.alongside.test', displayName: 'Lucía Fernández', role: 'user', locale: 'es' },
  { email: 'sam@demo.alongside.test', displayName: 'Sam Lee', role: 'user', locale: 'en' },
  { email: 'jordi@demo.alongside.test', displayName: 'Jordi Puig', role: 'user', locale: 'es' },
  { email: 'priya@demo.alongside.test', displayName: 'Priya Nair', role: 'user', locale: 'en' },
  { email: 'tomas@demo.alongside.test', displayName: 'Tomás Ortega', role: 'user', locale: 'es' },
];

/** Fills the database with a demo instance; running it again updates the same records. */
export async function seedDemo(db: Db, options: { password: string; log: Logger; passwordChosen?: boolean }): Promise<string> {
  const passwordHash = await hashPassword(options.password);
  await db.kysely.transaction().execute(async (trx) => {
    for (const person of DEMO_PEOPLE) {
      await upsertUser(trx, {
        email: person.email,
        emailNormalized: normalizeEmail(person.email),
        displayName: person.displayName,
        passwordHash,
        role: person.role,
        locale: person.locale,
        verified: true,
      });
    }
  });
  options.log.info({ people: DEMO_PEOPLE.length }, 'demo seeded');
  return [
    options.passwordChosen
      ? `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password you gave.`
      : `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password "${options.password}".`,
    ...DEMO_PEOPLE.map((p) => `  ${p.email.padEnd(34)} ${p.role.padEnd(10)} ${p.locale}  ${p.displayName}`),
  ].join('\n');
}
