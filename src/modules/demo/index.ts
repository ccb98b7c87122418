import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../accounts/index.js';
import { updateProfile, type ProfileInput } from '../profile/index.js';

type DemoProfile = Omit<ProfileInput, 'displayName' | 'homePlaceId' | 'identityNote'>;

interface DemoPerson {
  email: string;
  displayName: string;
  role: Role;
  locale: 'en' | 'es';
  profile?: DemoProfile;
}

const noTags: string[] = [];

/** The demo instance's people: an admin, a moderator, organizers and allies, in English and Spanish, with profiles. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { email: 'admin@demo.alongside.test', displayName: 'Ada (admin)', role: 'admin', locale: 'en' },
  { email: 'moderator@demo.alongside.test', displayName: 'Mo Okafor', role: 'moderator', locale: 'en' },
  {
    email: 'rosa@demo.alongside.test',
    displayName: 'Rosa Quispe',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: 'ella',
      languages: ['es', 'qu'],
      skills: ['outreach', 'translation', 'event_planning'],
      tags: ['asambleas vecinales'],
      homeArea: 'Madrid, ES',
      travelRadiusKm: 10,
      availability: ['tue:evening', 'thu:evening', 'sat:morning'],
      weeklyCapacityHours: 6,
      restMode: false,
    },
  },
  {
    email: 'dee@demo.alongside.test',
    displayName: 'Dee Harlow',
    role: 'user',
    locale: 'en',
    profile: {
      pronouns: 'they/them',
      languages: ['en'],
      skills: ['first_aid', 'counselling'],
      tags: ['peer support'],
      homeArea: 'Manchester, GB',
      travelRadiusKm: 15,
      availability: ['mon:evening', 'wed:evening', 'sun:afternoon'],
      weeklyCapacityHours: 4,
      restMode: false,
    },
  },
  {
    email: 'amina@demo.alongside.test',
    displayName: 'Amina Yusuf',
    role: 'user',
    locale: 'en',
    profile: {
      pronouns: 'she/her',
      languages: ['en', 'ar', 'so'],
      skills: ['translation', 'childcare', 'cooking'],
      tags: noTags,
      homeArea: 'Minneapolis, US',
      travelRadiusKm: 20,
      availability: ['sat:morning', 'sat:afternoon', 'sun:morning'],
      weeklyCapacityHours: 5,
      restMode: false,
    },
  },
  {
    email: 'lucia@demo.alongside.test',
    displayName: 'Lucía Fernández',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: null,
      languages: ['es', 'ca', 'en'],
      skills: ['legal', 'writing'],
      tags: ['vivienda', 'derecho laboral'],
      homeArea: 'Barcelona, ES',
      travelRadiusKm: 25,
      availability: ['mon:afternoon', 'wed:afternoon', 'fri:afternoon'],
      weeklyCapacityHours: 8,
      restMode: false,
    },
  },
  {
    email: 'sam@demo.alongside.test',
    displayName: 'Sam Lee',
    role: 'user',
    locale: 'en',
    profile: {
      pronouns: 'he/him',
      languages: ['en', 'ko'],
      skills: ['driving', 'repairs', 'carpentry'],
      tags: ['van available'],
      homeArea: 'Manchester, GB',
      travelRadiusKm: 40,
      availability: ['sat:morning', 'sat:afternoon', 'sun:morning', 'sun:afternoon'],
      weeklyCapacityHours: 10,
      restMode: false,
    },
  },
  {
    email: 'jordi@demo.alongside.test',
    displayName: 'Jordi Puig',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: 'él',
      languages: ['ca', 'es'],
      skills: ['tech', 'design'],
      tags: ['accesibilidad web'],
      homeArea: 'Barcelona, ES',
      travelRadiusKm: 5,
      availability: ['tue:evening', 'thu:evening'],
      weeklyCapacityHours: 3,
      // Resting this month: the demo shows that capacity is respected.
      restMode: true,
    },
  },
  {
    email: 'priya@demo.alongside.test',
    displayName: 'Priya Nair',
    role: 'user',
    locale: 'en',
    profile: {
      pronouns: 'she/her',
      languages: ['en', 'ml', 'hi'],
      skills: ['accounting', 'fundraising', 'teaching'],
      tags: noTags,
      homeArea: 'Leicester, GB',
      travelRadiusKm: 0,
      availability: ['wed:evening'],
      weeklyCapacityHours: 2,
      restMode: false,
    },
  },
  {
    email: 'tomas@demo.alongside.test',
    displayName: 'Tomás Ortega',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: null,
      languages: ['es'],
      skills: ['cooking', 'driving', 'eldercare'],
      tags: ['comedor social'],
      homeArea: 'Valparaíso, CL',
      travelRadiusKm: 12,
      availability: ['mon:morning', 'tue:morning', 'wed:morning', 'thu:morning', 'fri:morning'],
      weeklyCapacityHours: 12,
      restMode: false,
    },
  },
];

/** Fills the database with a demo instance; running it again updates the same records. */
export async function seedDemo(db: Db, options: { password: string; log: Logger; passwordChosen?: boolean }): Promise<string> {
  const passwordHash = await hashPassword(options.password);
  const ids = await db.kysely.transaction().execute(async (trx) => {
    const created: string[] = [];
    for (const person of DEMO_PEOPLE) {
      created.push(
        await upsertUser(trx, {
          email: person.email,
          emailNormalized: normalizeEmail(person.email),
          displayName: person.displayName,
          passwordHash,
          role: person.role,
          locale: person.locale,
          verified: true,
        }),
      );
    }
    return created;
  });
  for (const [index, person] of DEMO_PEOPLE.entries()) {
    if (!person.profile) continue;
    const result = await updateProfile(db, {
      userId: ids[index]!,
      profile: { ...person.profile, displayName: person.displayName, homePlaceId: null, identityNote: null },
      requestId: 'seed-demo',
    });
    if (!result.ok) throw new Error(`The demo profile of ${person.email} is not valid: ${JSON.stringify(result.errors)}`);
  }
  options.log.info({ people: DEMO_PEOPLE.length }, 'demo seeded');
  return [
    options.passwordChosen
      ? `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password you gave.`
      : `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password "${options.password}".`,
    ...DEMO_PEOPLE.map((p) => `  ${p.email.padEnd(34)} ${p.role.padEnd(10)} ${p.locale}  ${p.displayName}${p.profile?.homeArea ? ` (${p.profile.homeArea})` : ''}`),
  ].join('\n');
}
