import type { ConfirmInput, FeedbackKind } from '../commitments/index.js';

/** A demo community: who proposes it, what it says about itself, how it is verified, and who joins it and how. */
export interface DemoCommunity {
  key: string;
  organizer: string;
  /** The proposal as the JSON API would take it. */
  proposal: Record<string, unknown>;
  /** The moderator's note; null leaves the proposal waiting in the queue. */
  verifyNote: string | null;
  /** Members joining with an invitation link, or by a join request with answers that the organizer approves. */
  members: Array<{ email: string; via: 'invite' } | { email: string; via: 'request'; answers: string[] }>;
  /** Members made organizers too. */
  coOrganizers?: string[];
  allies: string[];
}

/** What happens to a commitment after it is made. */
export type DemoFollowUp =
  | { type: 'withdraw' }
  | { type: 'report' }
  | ({ type: 'confirm' } & Partial<Omit<ConfirmInput, 'outcome'>> & { outcome: ConfirmInput['outcome'] });

/** A commitment: who, to which window, item or donation channel, and what happens next. */
export interface DemoCommitment {
  who: string;
  window?: number;
  item?: number;
  quantity?: number;
  amountMinor?: number;
  channel?: number;
  then?: DemoFollowUp;
  feedback?: { kind: FeedbackKind; body: string; reply?: string };
}

/** A demo ask: its community, the body the JSON API would take, where its lifecycle ends and the commitments on it. */
export interface DemoAsk {
  community: string;
  /** Ask fields as the API takes them; windows and items may use `startsAt`/`endsAt` from `at()`. */
  body: Record<string, unknown>;
  status: 'draft' | 'open' | 'paused' | 'closed';
  outcome?: string;
  commitments: DemoCommitment[];
}

/** A wall-clock time `days` from today (negative for the past), as the ask form takes it in the ask's time zone. */
export function at(days: number, time: string, now: Date): string {
  const day = new Date(now.getTime() + days * 24 * 3600_000).toISOString().slice(0, 10);
  return `${day}T${time}`;
}

const sam = 'sam@demo.alongside.test';
const dee = 'dee@demo.alongside.test';
const rosa = 'rosa@demo.alongside.test';
const amina = 'amina@demo.alongside.test';
const lucia = 'lucia@demo.alongside.test';
const jordi = 'jordi@demo.alongside.test';
const priya = 'priya@demo.alongside.test';
const tomas = 'tomas@demo.alongside.test';
const valentina = 'valentina@demo.alongside.test';
const camila = 'camila@demo.alongside.test';
const kofi = 'kofi@demo.alongside.test';
const nadia = 'nadia@demo.alongside.test';

/** The demo's communities: five verified (one of them an allies' supporter group) and one waiting for a moderator. */
export const DEMO_COMMUNITIES: readonly DemoCommunity[] = [
  {
    key: 'tenants',
    organizer: sam,
    proposal: {
      name: 'Ancoats Tenants Union',
      kind: 'community',
      mission:
        'We are private and council tenants in Ancoats and New Islington. We organise block by block so nobody faces a damp flat, a no-fault eviction or a surprise rent rise alone.\n\nMeetings are the first Monday of the month at the community centre on Rodney Street, with food and a crèche.',
      ledBy: ['private renters', 'council tenants'],
      serves: ['tenants in Ancoats and New Islington'],
      online: false,
      area: 'Manchester, GB',
      languages: ['en', 'ur', 'pl'],
      howToHelp:
        'Come door-knocking with a tenant who lives on the block, help at the monthly repair café, or write to the council when we ask. Please do not contact landlords or letting agents on our behalf.',
      ledgerVisibility: 'public',
      donationChannels: [{ label: 'Hardship fund (bank transfer)', details: 'Ancoats Tenants Union, sort code 08-92-99, account 65746572. Reference: HARDSHIP.' }],
      joinQuestions: ['Do you rent in Ancoats or New Islington? Which building, roughly?'],
    },
    verifyNote: 'Checked with two members by phone and at their public meeting on 3 March; the organizers live on the estate. Verified.',
    members: [{ email: dee, via: 'invite' }],
    allies: [kofi, priya],
  },
  {
    key: 'trans',
    organizer: dee,
    proposal: {
      name: 'Trans Mutual Aid North',
      kind: 'community',
      mission:
        'Trans and non-binary people across the north of England looking after each other: money for prescriptions and travel to clinics, a listening line run by peers, and help with the paperwork nobody should face alone.',
      ledBy: ['trans people', 'non-binary people'],
      serves: ['trans people in the north of England'],
      online: true,
      languages: ['en'],
      howToHelp:
        'Give to the fund if you can, cover a listening-line evening after the induction, or lend a skill when we ask for one. We never share who received money.',
      ledgerVisibility: 'members',
      donationChannels: [
        { label: 'Open Collective', details: 'https://opencollective.com/trans-mutual-aid-north — every payment out is published without names.' },
        { label: 'Bank transfer', details: 'TMA North, sort code 04-00-04, account 31415926. Reference: FUND.' },
      ],
      joinQuestions: [],
    },
    verifyNote: 'Known to the Manchester and Leeds trans community groups; both vouched for the organizers. Verified.',
    members: [],
    allies: [sam, kofi, amina, lucia],
  },
  {
    key: 'madrid',
    organizer: rosa,
    proposal: {
      name: 'Colectiva de Mujeres Refugiadas de Madrid',
      kind: 'community',
      mission:
        'Somos mujeres refugiadas y migrantes en Madrid. Nos acompañamos en los trámites de asilo, compartimos un piso de acogida para quien acaba de llegar y nos juntamos cada jueves a merendar y practicar castellano.',
      ledBy: ['mujeres refugiadas', 'mujeres migrantes'],
      serves: ['mujeres solicitantes de asilo en Madrid'],
      online: false,
      area: 'Madrid, ES',
      languages: ['es', 'ar', 'fr', 'so'],
      howToHelp:
        'Acompañar a una compañera a una cita, traer productos para el piso de acogida o traducir nuestros materiales. No hagáis fotos en nuestros encuentros y no preguntéis por la historia de nadie.',
      ledgerVisibility: 'public',
      donationChannels: [{ label: 'Bizum', details: 'Bizum al 600 000 000 con el concepto «Colectiva».' }],
      joinQuestions: ['¿Cómo nos conociste?', '¿En qué idiomas hablas con comodidad?'],
    },
    verifyNote: 'Verificada tras una videollamada con dos organizadoras y la recomendación de la asociación de vecinas de Lavapiés.',
    members: [{ email: nadia, via: 'request', answers: ['Por Rosa, en la merienda de los jueves.', 'Árabe, francés y un poco de castellano.'] }],
    allies: [lucia, amina, jordi],
  },
  {
    key: 'comedor',
    organizer: tomas,
    proposal: {
      name: 'Comedor Social Cerro Alegre',
      kind: 'community',
      mission:
        'Vecinas y vecinos del cerro cocinamos juntos un almuerzo caliente de lunes a viernes para quien lo necesite, sin preguntas. Nació en la pandemia y seguimos, porque el hambre no se fue.',
      ledBy: ['vecinos del cerro', 'personas mayores'],
      serves: ['familias y personas mayores de Cerro Alegre'],
      online: false,
      area: 'Valparaíso, CL',
      languages: ['es'],
      howToHelp:
        'Un turno de cocina por la mañana, una donación para el gas o una caja de verduras de la feria del sábado. Llegue con zapatos cerrados y el pelo tomado.',
      ledgerVisibility: 'public',
      donationChannels: [{ label: 'Transferencia bancaria', details: 'Cuenta vista BancoEstado 12345678, a nombre de Junta de Vecinos Cerro Alegre.' }],
      joinQuestions: [],
    },
    verifyNote: 'La junta de vecinos del cerro confirma que el comedor funciona en su sede desde 2020. Verificado.',
    members: [{ email: valentina, via: 'invite' }],
    coOrganizers: [valentina],
    allies: [camila, nadia, rosa, priya],
  },
  {
    key: 'allies',
    organizer: lucia,
    proposal: {
      name: 'Red de Apoyo Mutuo Barcelona',
      kind: 'supporter_group',
      mission:
        'Un grupo de aliadas y aliados en Barcelona. No hablamos en nombre de nadie: seguimos lo que piden los colectivos que acompañamos y nos organizamos para responder a tiempo.',
      ledBy: ['aliadas'],
      serves: ['colectivos de personas migrantes y refugiadas'],
      online: false,
      area: 'Barcelona, ES',
      languages: ['es', 'ca'],
      howToHelp: null,
      ledgerVisibility: 'members',
      donationChannels: [],
      joinQuestions: [],
    },
    verifyNote: 'Grupo de apoyo: no publica peticiones propias. Las personas que lo organizan son conocidas por la Colectiva de Madrid.',
    members: [{ email: jordi, via: 'invite' }],
    allies: [],
  },
  {
    key: 'pending',
    organizer: priya,
    proposal: {
      name: 'Leicester Disabled Neighbours Food Network',
      kind: 'community',
      mission:
        'Disabled people in Belgrave and Highfields sharing shopping runs, batch cooking and lifts to the food bank, so that a bad week does not mean an empty fridge.',
      ledBy: ['disabled people', 'chronically ill people'],
      serves: ['disabled people in Belgrave and Highfields'],
      online: false,
      area: 'Leicester, GB',
      languages: ['en', 'gu', 'pa'],
      howToHelp: 'Drivers with space for a wheelchair, and people who can cook in bulk on a Sunday.',
      ledgerVisibility: 'public',
      donationChannels: [],
      joinQuestions: [],
    },
    verifyNote: null,
    members: [],
    allies: [],
  },
];

/** The demo's asks: every kind, in English and Spanish, from draft to closed, built relative to `now`. */
export function demoAsks(now: Date): DemoAsk[] {
  const d = (days: number, time: string) => at(days, time, now);
  return [
    {
      community: 'tenants',
      status: 'closed',
      outcome:
        'We knocked on 212 doors across the Naylor Street blocks and 41 households signed the joint repairs complaint. The tribunal date is set for next month and nine tenants will give evidence.',
      body: {
        kind: 'shift',
        title: 'Door-knocking on the Naylor Street blocks before the rent tribunal',
        description:
          'Go door to door in pairs with a tenant from the block, asking neighbours about damp, repairs and rent rises and whether they want to join the joint complaint.\n\nWe start with a 20-minute briefing and a cup of tea. You listen and take notes; the tenant does the talking.',
        language: 'en',
        timeZone: 'Europe/London',
        online: false,
        area: 'Manchester, GB',
        locationDetail: 'Meet at the community centre, Rodney Street, ground floor room B.',
        skills: ['outreach'],
        languages: ['en'],
        accessibilityNotes: 'Three of the blocks have working lifts; tell us if you need a ground-floor route.',
        priority: 'urgent',
        withdrawalCutoffHours: 24,
        windows: [
          { startsAt: d(-12, '17:30'), endsAt: d(-12, '20:00'), slots: 4 },
          { startsAt: d(-9, '10:00'), endsAt: d(-9, '13:00'), slots: 4 },
        ],
      },
      commitments: [
        {
          who: dee,
          window: 0,
          then: { type: 'confirm', outcome: 'done', minutes: 150, outcomeLine: 'Covered all of block C with Hamid.' },
          feedback: {
            kind: 'thanks',
            body: 'Thank you for Tuesday. Two families on block C joined the complaint because you took the time to write down every repair they had been promised.',
            reply: 'Thanks for saying so. Happy to do block D next time, and I can bring the spare clipboards.',
          },
        },
        {
          who: kofi,
          window: 0,
          then: { type: 'confirm', outcome: 'partly_done', minutes: 60, outcomeLine: 'Left after the first block.' },
          feedback: {
            kind: 'suggestion',
            body: 'You were great on the doorstep. Next time, could you let the pair lead know before you head off early, so nobody is left knocking alone?',
          },
        },
        {
          who: priya,
          window: 1,
          then: { type: 'confirm', outcome: 'missed' },
          feedback: {
            kind: 'concern',
            body: 'We waited for you on Saturday and had to send one pair out with two people instead of three. No blame — things happen. If you cannot make it, please withdraw on the site so someone else can take the place.',
          },
        },
        { who: kofi, window: 1, then: { type: 'confirm', outcome: 'done', minutes: 180 } },
      ],
    },
    {
      community: 'tenants',
      status: 'open',
      body: {
        kind: 'shift',
        title: 'Repair café: sign-in desk and damp readings',
        description:
          'Once a month tenants bring what broke and we fix what we can, and we log damp and mould with a moisture meter for the council complaint. We need people at the sign-in desk and on the readings table. We show you the meter on the day.',
        language: 'en',
        timeZone: 'Europe/London',
        online: false,
        area: 'Manchester, GB',
        locationDetail: 'Community centre, Rodney Street, main hall.',
        skills: ['repairs'],
        languages: ['en'],
        accessibilityNotes: 'Step-free entrance and an accessible toilet. Seats at both tables.',
        priority: 'normal',
        withdrawalCutoffHours: 24,
        windows: [
          { startsAt: d(9, '10:00'), endsAt: d(9, '13:00'), slots: 2 },
          { startsAt: d(9, '13:00'), endsAt: d(9, '16:00'), slots: 2 },
          { startsAt: d(37, '10:00'), endsAt: d(37, '13:00'), slots: 2 },
        ],
      },
      commitments: [
        { who: kofi, window: 0 },
        { who: dee, window: 0 },
        { who: priya, window: 1, then: { type: 'withdraw' } },
      ],
    },
    {
      community: 'tenants',
      status: 'open',
      body: {
        kind: 'advocacy',
        title: 'Email the council about the Ancoats repairs backlog',
        description: 'Over 300 repair jobs on council blocks in Ancoats are more than three months late. One short email from you adds to the pressure before the housing committee meets.',
        language: 'en',
        timeZone: 'Europe/London',
        online: true,
        skills: ['writing'],
        languages: ['en'],
        priority: 'normal',
        withdrawalCutoffHours: 0,
        advocacyTarget: 'Manchester City Council, Executive Member for Housing',
        advocacyScript:
          'Dear Councillor,\n\nI am writing in support of the tenants of Ancoats and New Islington. More than 300 repairs on council blocks are over three months late, including damp and mould that make people ill.\n\nPlease publish a date by which every overdue repair will be done, and meet the Ancoats Tenants Union before the next housing committee.\n\nYours sincerely,\n[your name and postcode]',
      },
      commitments: [{ who: priya, then: { type: 'report' } }, { who: kofi }],
    },
    {
      community: 'tenants',
      status: 'paused',
      body: {
        kind: 'supplies',
        title: 'Dehumidifiers for three flats with black mould',
        description: 'Paused while the landlord’s surveyor visits: if they fix the ventilation we will not need these. Until then, three families are sleeping next to mould.',
        language: 'en',
        timeZone: 'Europe/London',
        online: false,
        area: 'Manchester, GB',
        skills: [],
        languages: ['en'],
        priority: 'normal',
        withdrawalCutoffHours: 24,
        items: [
          { label: 'Dehumidifier (10 litres a day or more)', quantity: 3, unit: null },
          { label: 'Moisture meter', quantity: 1, unit: null },
        ],
      },
      commitments: [{ who: dee, item: 0, quantity: 1 }],
    },
    {
      community: 'trans',
      status: 'open',
      body: {
        kind: 'money',
        title: 'Prescription and clinic travel fund for this quarter',
        description:
          'Bridging prescriptions and train fares to gender clinics add up fast. This quarter twelve people have asked for help. Any amount goes straight out, and we publish totals without names.',
        language: 'en',
        timeZone: 'Europe/London',
        online: true,
        skills: [],
        languages: ['en'],
        priority: 'ongoing',
        withdrawalCutoffHours: 0,
        moneyGoal: '1200',
        currency: 'GBP',
      },
      commitments: [
        { who: sam, amountMinor: 4000, channel: 0 },
        { who: kofi, amountMinor: 2500, channel: 1, then: { type: 'confirm', outcome: 'done' } },
        { who: amina, amountMinor: 3000, channel: 0 },
      ],
    },
    {
      community: 'trans',
      status: 'open',
      body: {
        kind: 'skill',
        title: 'A plain-language guide to changing your name by deed poll',
        description: 'People keep asking us the same questions. We want a two-page guide we can hand out: how to make a deed poll for free, who to tell first, and what to do when a bank refuses it.',
        language: 'en',
        timeZone: 'Europe/London',
        online: true,
        skills: ['writing', 'legal'],
        languages: ['en'],
        priority: 'normal',
        withdrawalCutoffHours: 24,
        deliverable: 'A two-page guide in plain English, reviewed by two members, that we can print and share as a PDF.',
        estimatedHours: 6,
      },
      commitments: [{ who: lucia }],
    },
    {
      community: 'trans',
      status: 'open',
      body: {
        kind: 'shift',
        title: 'Listening line: evening cover',
        description:
          'The peer listening line runs from 7 to 10 in the evening. Allies cover the admin side: watching the rota, answering the text line with our standard replies and calling a peer when someone needs to talk. Induction first, always.',
        language: 'en',
        timeZone: 'Europe/London',
        online: true,
        skills: ['counselling'],
        languages: ['en'],
        priority: 'ongoing',
        withdrawalCutoffHours: 48,
        windows: [
          { startsAt: d(5, '19:00'), endsAt: d(5, '22:00'), slots: 1 },
          { startsAt: d(12, '19:00'), endsAt: d(12, '22:00'), slots: 1 },
        ],
      },
      commitments: [
        { who: sam, window: 0 },
        { who: kofi, window: 0 },
      ],
    },
    {
      community: 'madrid',
      status: 'open',
      body: {
        kind: 'supplies',
        title: 'Pañales, compresas y productos de higiene para el piso de acogida',
        description: 'Esta semana llegan dos compañeras con bebés al piso de acogida. Nos hace falta lo básico. Podéis dejarlo los jueves por la tarde en la merienda.',
        language: 'es',
        timeZone: 'Europe/Madrid',
        online: false,
        area: 'Madrid, ES',
        locationDetail: 'Se entrega en mano en la merienda del jueves; la dirección del piso no se comparte.',
        locationSensitive: true,
        skills: [],
        languages: ['es'],
        priority: 'urgent',
        withdrawalCutoffHours: 24,
        items: [
          { label: 'Pañales talla 4', quantity: 10, unit: 'paquetes' },
          { label: 'Compresas', quantity: 20, unit: 'paquetes' },
          { label: 'Champú y gel', quantity: 15, unit: 'botes' },
        ],
      },
      commitments: [
        { who: lucia, item: 0, quantity: 3, then: { type: 'confirm', outcome: 'done', quantity: 3 } },
        { who: nadia, item: 1, quantity: 5 },
      ],
    },
    {
      community: 'madrid',
      status: 'open',
      body: {
        kind: 'attend',
        title: 'Merienda y práctica de castellano: buscamos acompañantes',
        description: 'Cada jueves merendamos y practicamos castellano en grupos pequeños. Buscamos personas que hablen con calma, escuchen mucho y no corrijan a cada palabra.',
        language: 'es',
        timeZone: 'Europe/Madrid',
        online: false,
        area: 'Madrid, ES',
        locationDetail: 'Local de la asociación vecinal, calle del Ave María, Lavapiés.',
        skills: ['teaching'],
        languages: ['es'],
        accessibilityNotes: 'Local a pie de calle, sin escalones. Hay espacio para carritos.',
        priority: 'normal',
        withdrawalCutoffHours: 72,
        startsAt: d(2, '17:00'),
        endsAt: d(2, '19:30'),
        capacity: 3,
      },
      commitments: [{ who: lucia, then: { type: 'withdraw' } }, { who: nadia }],
    },
    {
      community: 'madrid',
      status: 'open',
      body: {
        kind: 'skill',
        title: 'Traducir al árabe y al somalí nuestra guía de derechos en la vivienda',
        description: 'Tenemos una guía de cuatro páginas sobre contratos de alquiler, fianzas y desahucios. Queremos que la lean también las compañeras que aún no leen castellano.',
        language: 'es',
        timeZone: 'Europe/Madrid',
        online: true,
        skills: ['translation'],
        languages: ['ar', 'so'],
        priority: 'normal',
        withdrawalCutoffHours: 24,
        deliverable: 'La guía traducida al árabe y al somalí, revisada por una compañera que habla cada idioma.',
        estimatedHours: 8,
      },
      commitments: [{ who: amina }],
    },
    {
      community: 'madrid',
      status: 'open',
      body: {
        kind: 'advocacy',
        title: 'Escribe a la Delegación del Gobierno: citas de asilo ya',
        description: 'Muchas compañeras llevan meses sin conseguir cita para pedir asilo, y sin cita no tienen papeles ni derecho a trabajar. Un correo tuyo suma.',
        language: 'es',
        timeZone: 'Europe/Madrid',
        online: true,
        skills: ['writing'],
        languages: ['es'],
        priority: 'urgent',
        withdrawalCutoffHours: 0,
        advocacyTarget: 'Delegación del Gobierno en la Comunidad de Madrid',
        advocacyScript:
          'Buenos días:\n\nLes escribo para pedir que se abran más citas para solicitar protección internacional en Madrid. Hay mujeres que llevan meses intentándolo cada día sin éxito, y mientras tanto no pueden trabajar ni acceder a ayudas.\n\nPedimos un sistema de citas que funcione y que no dependa de la suerte.\n\nUn saludo,\n[tu nombre]',
      },
      commitments: [{ who: lucia, then: { type: 'report' } }],
    },
    {
      community: 'comedor',
      status: 'open',
      body: {
        kind: 'shift',
        title: 'Turnos de cocina para el almuerzo del comedor',
        description: 'Picar, cocinar y servir unos 80 almuerzos. No hace falta saber cocinar: Tomás y la señora Elena dirigen la cocina. Se almuerza con nosotros al terminar.',
        language: 'es',
        timeZone: 'America/Santiago',
        online: false,
        area: 'Valparaíso, CL',
        locationDetail: 'Sede de la junta de vecinos, pasaje Templeman.',
        skills: ['cooking'],
        languages: ['es'],
        accessibilityNotes: 'La sede está al final de una escalera de 30 peldaños; avísenos y le buscamos una tarea sentada en la entrada.',
        priority: 'ongoing',
        withdrawalCutoffHours: 12,
        windows: [
          { startsAt: d(-6, '09:00'), endsAt: d(-6, '13:00'), slots: 3 },
          { startsAt: d(1, '09:00'), endsAt: d(1, '13:00'), slots: 2 },
          { startsAt: d(8, '09:00'), endsAt: d(8, '13:00'), slots: 2 },
        ],
      },
      commitments: [
        {
          who: valentina,
          window: 0,
          then: { type: 'confirm', outcome: 'done', minutes: 240 },
        },
        {
          who: camila,
          window: 0,
          then: { type: 'confirm', outcome: 'done', minutes: 180, outcomeLine: 'Sirvió y lavó ollas hasta el final.' },
          feedback: { kind: 'thanks', body: 'Gracias, Camila. La señora Elena dice que nunca había visto las ollas tan limpias. Te esperamos cuando puedas.' },
        },
        { who: valentina, window: 1 },
        { who: camila, window: 1 },
        { who: valentina, window: 2 },
      ],
    },
    {
      community: 'comedor',
      status: 'open',
      body: {
        kind: 'money',
        title: 'Gas para la cocina durante el invierno',
        description: 'En invierno gastamos dos balones de gas de 45 kilos al mes. Con esto cubrimos de junio a agosto.',
        language: 'es',
        timeZone: 'America/Santiago',
        online: true,
        skills: [],
        languages: ['es'],
        priority: 'normal',
        withdrawalCutoffHours: 0,
        moneyGoal: '450000',
        currency: 'CLP',
      },
      commitments: [
        { who: rosa, amountMinor: 15000, channel: 0 },
        { who: priya, amountMinor: 20000, channel: 0, then: { type: 'confirm', outcome: 'done' } },
      ],
    },
    {
      community: 'comedor',
      status: 'draft',
      body: {
        kind: 'attend',
        title: 'Once comunitaria para conocer a los vecinos nuevos',
        description: 'Borrador: falta confirmar la fecha con la junta de vecinos.',
        language: 'es',
        timeZone: 'America/Santiago',
        online: false,
        area: 'Valparaíso, CL',
        skills: [],
        languages: ['es'],
        priority: 'normal',
        withdrawalCutoffHours: 24,
        startsAt: d(20, '18:00'),
        endsAt: d(20, '20:00'),
        capacity: 40,
      },
      commitments: [],
    },
  ];
}
