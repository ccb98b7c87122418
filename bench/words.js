// Word lists for the scale benchmark's generated data, in English and Spanish. Titles and
// descriptions are composed from them, so that full-text search in either language finds things.

export const FIRST_NAMES = {
  en: ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Robin', 'Drew', 'Kai', 'Noor', 'Amara', 'Priya', 'Kwame', 'Mei', 'Omar', 'Fatima', 'Grace', 'Ethan', 'Olivia', 'Liam', 'Maya', 'Noah', 'Zoe', 'Isaac', 'Leah', 'Malik'],
  es: ['Lucía', 'Mateo', 'Sofía', 'Diego', 'Valentina', 'Javier', 'Camila', 'Carlos', 'Martina', 'Andrés', 'Paula', 'Alejandro', 'Elena', 'Hugo', 'Carmen', 'Pablo', 'Daniela', 'Manuel', 'Ximena', 'Rosa', 'Tomás', 'Inés', 'Nicolás', 'Marta', 'Joaquín', 'Ana', 'Rodrigo', 'Julia', 'Gabriel', 'Lola'],
};

export const LAST_NAMES = {
  en: ['Smith', 'Johnson', 'Brown', 'Williams', 'Okafor', 'Nguyen', 'Patel', 'Kim', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Chen', 'Mensah', 'Walker', 'Hughes', 'Reid', 'Evans', 'Baker', 'Clarke'],
  es: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Álvarez', 'Romero', 'Torres', 'Vargas', 'Castillo'],
};

export const COMMUNITY_PREFIX = {
  en: ['Eastside', 'Riverside', 'Northgate', 'Southbank', 'Hillview', 'Old Town', 'Harbour', 'Greenfield', 'Westend', 'Lakeside', 'Parkdale', 'Mill Street', 'Central', 'Oakwood', 'Bridgeport'],
  es: ['Barrio Norte', 'La Ribera', 'El Carmen', 'San Isidro', 'Los Pinos', 'La Esperanza', 'El Puerto', 'Santa Ana', 'La Loma', 'Villa Nueva', 'El Centro', 'Las Flores', 'San Blas', 'La Paz', 'El Molino'],
};

export const COMMUNITY_KIND = {
  en: ['Food Bank', 'Tenants Union', 'Mutual Aid Network', 'Community Garden', 'Youth Collective', 'Migrant Support Centre', 'Disability Justice Group', 'Seniors Circle', 'Women\'s Shelter', 'Free Clinic', 'Legal Aid Collective', 'Bike Kitchen', 'Community Fridge', 'Refugee Welcome Group', 'Workers Centre'],
  es: ['Banco de Alimentos', 'Sindicato de Inquilinas', 'Red de Apoyo Mutuo', 'Huerto Comunitario', 'Colectivo Juvenil', 'Centro de Apoyo a Migrantes', 'Colectivo por la Diversidad Funcional', 'Círculo de Mayores', 'Casa de Acogida', 'Clínica Popular', 'Asesoría Jurídica Popular', 'Taller de Bicis', 'Nevera Solidaria', 'Red de Acogida a Refugiadas', 'Centro de Trabajadoras'],
};

export const MISSION = {
  en: [
    'We make sure nobody in the neighbourhood goes hungry.',
    'Neighbours organising together for safe, affordable homes.',
    'We share food, time and skills, and ask for help when we need it.',
    'A volunteer-run space where families find support without paperwork.',
    'Led by the people most affected, we organise for dignity and care.',
    'We welcome newcomers and help them find housing, work and friends.',
    'Every week we cook, deliver groceries and keep each other company.',
  ],
  es: [
    'Nos aseguramos de que nadie en el barrio pase hambre.',
    'Vecinas organizadas por una vivienda digna y asequible.',
    'Compartimos comida, tiempo y saberes, y pedimos ayuda cuando la necesitamos.',
    'Un espacio autogestionado donde las familias encuentran apoyo sin papeleo.',
    'Organizadas por las personas más afectadas, luchamos por la dignidad y los cuidados.',
    'Acogemos a quienes llegan y les ayudamos a encontrar vivienda, trabajo y amistades.',
    'Cada semana cocinamos, repartimos alimentos y nos acompañamos.',
  ],
};

export const TAGS = {
  led_by: ['women', 'youth', 'migrants', 'disabled people', 'indigenous people', 'lgbtq+', 'tenants', 'workers', 'seniors', 'black communities'],
  serves: ['families', 'unhoused people', 'students', 'refugees', 'older people', 'children', 'people in recovery', 'farmworkers', 'neighbours'],
};

/** Title templates per ask kind; {a} is filled from ACTIVITIES, {p} from PLACES_IN_TOWN. */
export const TITLES = {
  en: {
    shift: ['Volunteers needed for {a}', 'Weekend shift: {a}', 'Morning shift at the {p}: {a}', 'Evening help with {a}', 'Helping hands for {a} at the {p}'],
    skill: ['Looking for help with {s}', 'Skilled volunteer for {s}', 'Can you help us with {s}?', 'Pro bono {s} for the {p}'],
    supplies: ['Donations needed: {i} for the {p}', 'Collecting {i}', 'Winter drive: {i}', 'Please bring {i} to the {p}'],
    money: ['Fundraiser for the {p}', 'Help us cover rent for the {p}', 'Emergency fund for families', 'Raising money for {i}'],
    advocacy: ['Call the council about {c}', 'Sign and share: {c}', 'Write to your representative about {c}', 'Show up online for {c}'],
    attend: ['Community assembly at the {p}', 'Workshop: {s}', 'Neighbourhood meeting about {c}', 'Open day at the {p}', 'Rally for {c}'],
  },
  es: {
    shift: ['Se buscan voluntarias para {a}', 'Turno de fin de semana: {a}', 'Turno de mañana en el {p}: {a}', 'Ayuda por la tarde para {a}', 'Manos para {a} en el {p}'],
    skill: ['Buscamos ayuda con {s}', 'Voluntaria con experiencia en {s}', '¿Nos ayudas con {s}?', '{s} solidaria para el {p}'],
    supplies: ['Necesitamos donaciones: {i} para el {p}', 'Recogida de {i}', 'Campaña de invierno: {i}', 'Trae {i} al {p}'],
    money: ['Recaudación para el {p}', 'Ayúdanos a pagar el alquiler del {p}', 'Fondo de emergencia para familias', 'Recaudamos dinero para {i}'],
    advocacy: ['Llama al ayuntamiento por {c}', 'Firma y comparte: {c}', 'Escribe a tu representante sobre {c}', 'Apoya en redes: {c}'],
    attend: ['Asamblea vecinal en el {p}', 'Taller: {s}', 'Reunión del barrio sobre {c}', 'Jornada de puertas abiertas en el {p}', 'Concentración por {c}'],
  },
};

export const ACTIVITIES = {
  en: ['sorting food donations', 'serving hot meals', 'staffing the tenant hotline', 'weeding the community garden', 'driving seniors to appointments', 'packing hygiene kits', 'cooking for the soup kitchen', 'tutoring children after school', 'repairing bicycles', 'welcoming new families', 'cleaning the park', 'delivering groceries'],
  es: ['clasificar donaciones de alimentos', 'servir comidas calientes', 'atender la línea de inquilinas', 'cuidar el huerto comunitario', 'acompañar a personas mayores al médico', 'preparar kits de higiene', 'cocinar en el comedor social', 'dar clases de refuerzo a niños', 'arreglar bicicletas', 'acoger a familias recién llegadas', 'limpiar el parque', 'repartir alimentos'],
};

export const SKILL_PHRASES = {
  en: ['legal advice on evictions', 'translation of leaflets', 'bookkeeping', 'a new website', 'photography for our campaign', 'first aid training', 'grant writing', 'sign language interpretation', 'plumbing repairs', 'counselling sessions'],
  es: ['asesoría jurídica sobre desahucios', 'traducción de folletos', 'contabilidad', 'una página web nueva', 'fotografía para la campaña', 'formación en primeros auxilios', 'redacción de subvenciones', 'interpretación en lengua de signos', 'reparaciones de fontanería', 'sesiones de acompañamiento psicológico'],
};

export const ITEMS = {
  en: ['rice', 'canned beans', 'nappies', 'winter coats', 'blankets', 'school supplies', 'sleeping bags', 'baby formula', 'toothpaste', 'cooking oil', 'pasta', 'tampons and pads'],
  es: ['arroz', 'legumbres en conserva', 'pañales', 'abrigos de invierno', 'mantas', 'material escolar', 'sacos de dormir', 'leche de fórmula', 'pasta de dientes', 'aceite', 'pasta', 'compresas y tampones'],
};

export const UNITS = { en: ['kg', 'packs', 'items', 'boxes', null], es: ['kg', 'paquetes', 'unidades', 'cajas', null] };

export const CAUSES = {
  en: ['the eviction ban', 'safe bike lanes', 'a new bus route', 'the library closure', 'rent control', 'clean air near schools', 'the shelter\'s funding'],
  es: ['la moratoria de desahucios', 'carriles bici seguros', 'una nueva línea de autobús', 'el cierre de la biblioteca', 'el control de alquileres', 'aire limpio junto a los colegios', 'la financiación del albergue'],
};

export const PLACES_IN_TOWN = {
  en: ['community centre', 'food bank', 'church hall', 'library', 'school gym', 'warehouse', 'shelter', 'garden', 'union hall', 'market'],
  es: ['centro social', 'banco de alimentos', 'local parroquial', 'biblioteca', 'polideportivo', 'almacén', 'albergue', 'huerto', 'local del sindicato', 'mercado'],
};

export const SENTENCES = {
  en: [
    'No experience needed: we will show you everything on the day.',
    'Please wear comfortable shoes and bring a water bottle.',
    'The space is step-free and has an accessible toilet.',
    'We are a small team and every pair of hands makes a difference.',
    'Families with children are welcome to come together.',
    'Coffee and a warm meal are on us.',
    'If you speak Spanish or Arabic, tell us: many of the people we serve do.',
    'We meet at the side entrance, next to the bike racks.',
    'Last winter we fed more than two hundred households every week.',
    'Let us know if you need a lift: some of our drivers pass by the station.',
  ],
  es: [
    'No hace falta experiencia: te explicamos todo el mismo día.',
    'Trae calzado cómodo y una botella de agua.',
    'El local no tiene escalones y cuenta con baño adaptado.',
    'Somos un equipo pequeño y cada mano cuenta.',
    'Las familias con niñas y niños pueden venir juntas.',
    'El café y una comida caliente corren de nuestra cuenta.',
    'Si hablas inglés o árabe, dínoslo: muchas de las personas que atendemos lo hablan.',
    'Quedamos en la entrada lateral, junto al aparcamiento de bicis.',
    'El invierno pasado dimos de comer a más de doscientos hogares cada semana.',
    'Avísanos si necesitas que te llevemos: algunas conductoras pasan por la estación.',
  ],
};

export const CHANNELS = {
  en: [
    ['Bank transfer', 'Account name: the community. Sort code 00-00-00, account 12345678.'],
    ['Cash at the centre', 'Hand it to an organizer on any opening day and ask for a receipt.'],
  ],
  es: [
    ['Transferencia bancaria', 'Titular: la asociación. IBAN ES00 0000 0000 0000 0000 0000.'],
    ['Bizum', 'Envía tu aportación al número de la asociación indicando «donación».'],
  ],
};

/** Words that the generated titles and descriptions contain, for the benchmark's searches. */
export const SEARCH_TERMS = {
  en: ['food', 'meals', 'garden', 'tenant', 'legal advice', 'translation', 'blankets', 'children', 'bicycles', 'hygiene kits', 'fundraiser', 'workshop', 'groceries', 'seniors', 'winter coats'],
  es: ['alimentos', 'comedor', 'huerto', 'inquilinas', 'asesoría jurídica', 'traducción', 'mantas', 'niños', 'bicicletas', 'higiene', 'recaudación', 'taller', 'familias', 'mayores', 'abrigos'],
};
