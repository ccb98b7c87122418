import type { Logger } from 'pino';
import type { AppContext, ModuleDefinition } from '../../platform/module.js';
import type { Viewer } from '../../platform/views/render.js';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../accounts/index.js';
import { updateProfile, type ProfileInput } from '../profile/index.js';
import { DEMO_COMMUNITIES, demoAsks } from './communities.data.js';
import { seedLivingDemo } from './living.js';

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
  {
    email: 'valentina@demo.alongside.test',
    displayName: 'Valentina Rojas',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: 'ella',
      languages: ['es'],
      skills: ['cooking', 'event_planning'],
      tags: ['junta de vecinos'],
      homeArea: 'Valparaíso, CL',
      travelRadiusKm: 5,
      availability: ['mon:morning', 'wed:morning', 'fri:morning'],
      weeklyCapacityHours: 8,
      restMode: false,
    },
  },
  {
    email: 'camila@demo.alongside.test',
    displayName: 'Camila Soto',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: null,
      languages: ['es', 'en'],
      skills: ['cooking', 'photography'],
      tags: noTags,
      homeArea: 'Valparaíso, CL',
      travelRadiusKm: 8,
      availability: ['tue:morning', 'thu:morning', 'sat:morning'],
      weeklyCapacityHours: 6,
      restMode: false,
    },
  },
  {
    email: 'kofi@demo.alongside.test',
    displayName: 'Kofi Mensah',
    role: 'user',
    locale: 'en',
    profile: {
      pronouns: 'he/him',
      languages: ['en', 'tw'],
      skills: ['outreach', 'repairs', 'driving'],
      tags: noTags,
      homeArea: 'Manchester, GB',
      travelRadiusKm: 10,
      availability: ['tue:evening', 'thu:evening', 'sat:morning', 'sat:afternoon'],
      weeklyCapacityHours: 6,
      restMode: false,
    },
  },
  {
    email: 'nadia@demo.alongside.test',
    displayName: 'Nadia Haddad',
    role: 'user',
    locale: 'es',
    profile: {
      pronouns: 'ella',
      languages: ['ar', 'fr', 'es'],
      skills: ['translation', 'childcare'],
      tags: noTags,
      homeArea: 'Madrid, ES',
      travelRadiusKm: 6,
      availability: ['thu:afternoon', 'sat:morning'],
      weeklyCapacityHours: 4,
      restMode: false,
    },
  },
];

/** What the demo holds once seeded, counted from its definition. */
export function demoTotals(now = new Date()) {
  const asks = demoAsks(now);
  const commitments = asks.filter((a) => a.status !== 'draft').flatMap((a) => a.commitments);
  return {
    communities: DEMO_COMMUNITIES.length,
    verified: DEMO_COMMUNITIES.filter((c) => c.verifyNote !== null).length,
    asks: asks.length,
    commitments: commitments.length,
    feedback: commitments.filter((c) => c.feedback).length,
  };
}

/**
 * Fills the database with a demo instance: the people, then their communities, asks and
 * commitments. Running it again updates the people and adds nothing twice.
 */
export async function seedDemo(ctx: AppContext, options: { password: string; log: Logger; passwordChosen?: boolean }): Promise<string> {
  const { db } = ctx;
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
  const viewers = new Map<string, Viewer>(DEMO_PEOPLE.map((p, i) => [p.email, { id: ids[i]!, displayName: p.displayName, role: p.role, confirmed: true }]));
  const people = (email: string): Viewer => {
    const viewer = viewers.get(email);
    if (!viewer) throw new Error(`${email} is not a demo person`);
    return viewer;
  };
  // Each module adds its own demo data, in the module list's order (this module's own step, the core loop, among them).
  const byModule: Record<string, Record<string, number>> = {};
  for (const module of ctx.modules) {
    if (module.demo) byModule[module.name] = await module.demo({ ctx, log: options.log, person: people });
  }
  const added = { communities: 0, asks: 0, commitments: 0, feedback: 0, ...byModule.demo };
  const others = Object.entries(byModule).filter(([name]) => name !== 'demo');
  const totals = demoTotals();
  options.log.info({ people: DEMO_PEOPLE.length, added: byModule }, 'demo seeded');
  return [
    options.passwordChosen
      ? `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password you gave.`
      : `Seeded ${DEMO_PEOPLE.length} demo people. Each signs in with the password "${options.password}".`,
    ...DEMO_PEOPLE.map((p) => `  ${p.email.padEnd(34)} ${p.role.padEnd(10)} ${p.locale}  ${p.displayName}${p.profile?.homeArea ? ` (${p.profile.homeArea})` : ''}`),
    `Communities: ${totals.communities} (${totals.verified} verified, ${totals.communities - totals.verified} waiting in the moderation queue)`,
    `Asks: ${totals.asks}   Commitments: ${totals.commitments}   Feedback: ${totals.feedback}`,
    added.communities + added.asks + added.commitments === 0
      ? 'Everything was already there: nothing was added.'
      : `Added this run: ${added.communities} communities, ${added.asks} asks, ${added.commitments} commitments, ${added.feedback} feedback.`,
    ...others.map(([name, counts]) => `  ${name}: ${Object.entries(counts).map(([what, n]) => `${n} ${what}`).join(', ') || 'nothing to add'}`),
  ].join('\n');
}

/** The living demo: communities, asks of every kind and commitments in every state, in English and Spanish. */
export const demoModule: ModuleDefinition = {
  name: 'demo',
  demo: async ({ ctx, person }) => ({ ...(await seedLivingDemo(ctx, person)) }),
};
