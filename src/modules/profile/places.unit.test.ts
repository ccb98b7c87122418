import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coarsePoint, findPlaces, MAX_CHOICES, placeById, placeKey, placeLabel } from './places.js';

describe('findPlaces', () => {
  it('takes a clearly most populous match, ignoring case and accents', () => {
    for (const query of ['Lyon', 'lyon', '  LYON ', 'Lyon, fr']) {
      const match = findPlaces(query);
      expect(match.kind, query).toBe('one');
      if (match.kind === 'one') expect(placeLabel(match.place)).toBe('Lyon, FR');
    }
    const saoPaulo = findPlaces('sao paulo');
    expect(saoPaulo.kind === 'one' && saoPaulo.place.name).toBe('São Paulo');
  });

  it('offers the most populous candidates when no match stands out', () => {
    const match = findPlaces('Springfield');
    expect(match.kind).toBe('many');
    if (match.kind !== 'many') return;
    expect(match.places.length).toBeLessThanOrEqual(MAX_CHOICES);
    const populations = match.places.map((p) => p.population);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
  });

  it('narrows by country code, or by region when the code is not a country with that town', () => {
    const inFrance = findPlaces('Paris, FR');
    expect(inFrance.kind === 'one' && inFrance.place.country).toBe('FR');
    const inUs = findPlaces('Paris, US');
    expect(inUs.kind).toBe('many');
    if (inUs.kind === 'many') expect(inUs.places.every((p) => p.country === 'US')).toBe(true);
    const missouri = findPlaces('Springfield, MO');
    expect(missouri.kind === 'one' && missouri.place.region).toBe('MO');
  });

  it('says when the input is a postal code, and when nothing matches', () => {
    expect(findPlaces('75011').kind).toBe('postal');
    expect(findPlaces('SW1A 1AA').kind).toBe('postal');
    expect(findPlaces('Qwzxville').kind).toBe('none');
    expect(findPlaces('').kind).toBe('none');
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const match = findPlaces(text);
        expect(['none', 'postal', 'one', 'many']).toContain(match.kind);
      }),
      { numRuns: 300 },
    );
  });
});

describe('places', () => {
  it('finds a place by its id', () => {
    expect(placeById('2996944')?.name).toBe('Lyon');
    expect(placeById('0')).toBeUndefined();
  });

  it('rounds points to two decimals, never finer', () => {
    expect(coarsePoint({ lat: 45.74846, lon: 4.84671 })).toEqual({ lat: 45.75, lon: 4.85 });
    fc.assert(
      fc.property(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }), (lat, lon) => {
        const point = coarsePoint({ lat, lon });
        expect(Math.abs(point.lat - lat)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Math.abs(point.lon - lon)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Number.isInteger(Math.round(point.lat * 100))).toBe(true);
        expect(Math.abs(point.lat * 100 - Math.round(point.lat * 100))).toBeLessThan(1e-6);
        expect(Math.abs(point.lon * 100 - Math.round(point.lon * 100))).toBeLessThan(1e-6);
      }),
    );
  });

  it('builds one key for spellings that differ only in case, accents and punctuation', () => {
    expect(placeKey('Saint-Étienne')).toBe(placeKey('saint etienne'));
    expect(placeKey('  Córdoba ')).toBe('cordoba');
  });
});
