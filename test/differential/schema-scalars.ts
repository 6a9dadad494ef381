/**
 * Scalars for schema-arbitrary.ts, from a conjunction's keywords: integers and numbers inside
 * their bounds (the landmarks 0, 1, 16, 1024 … and the bounds themselves are likelier), strings
 * by pattern, format (uri, date-time) or base64 content, else words of the APIs' vocabulary
 * (mutate-json.ts) or random text within the length bounds. Only a few bounds shape them; the
 * caller filters each value by every member's scalar keywords (schema-subset.ts's `admits`).
 */
import fc from 'fast-check';
import { VOCABULARY, type Json } from './mutate-json.js';
import type { SchemaObject } from './schema-subset.js';

/**
 * Alternatives are listed simplest first (absent before present, null before objects, the first
 * anyOf branch, a landmark before a random number), and a failing input shrinks across them.
 */
export const TOWARDS_FIRST = { withCrossShrink: true } as const;

function bound(flat: readonly SchemaObject[], keyword: string, pick: (...n: number[]) => number): number | undefined {
  const found = flat.map((m) => m[keyword]).filter((v): v is number => typeof v === 'number');
  return found.length > 0 ? pick(...found) : undefined;
}

export function numberOf(type: 'integer' | 'number', flat: readonly SchemaObject[]): fc.Arbitrary<Json> {
  const min = bound(flat, 'minimum', Math.max);
  const max = bound(flat, 'maximum', Math.min);
  const exclusiveMin = bound(flat, 'exclusiveMinimum', Math.max);
  const exclusiveMax = bound(flat, 'exclusiveMaximum', Math.min);
  const low = Math.max(min ?? -Infinity, exclusiveMin === undefined ? -Infinity : Math.floor(exclusiveMin) + 1, Number.MIN_SAFE_INTEGER);
  const high = Math.min(max ?? Infinity, exclusiveMax === undefined ? Infinity : Math.ceil(exclusiveMax) - 1, Number.MAX_SAFE_INTEGER);
  if (low > high) throw new Error(`no ${type} between the bounds ${JSON.stringify(flat)}`);
  // Random integers from a small range inside the bounds (a seed's bounds are ±2^63, past the
  // safe integers fc.integer takes), and the landmarks.
  const from = Math.max(low, Math.min(-1000, high));
  const to = Math.min(high, Math.max(1_000_000, from));
  const landmarks = [0, 1, 2, 16, 1024, 4096, 128_000, low, high].filter((n) => n >= low && n <= high);
  const integer = fc.oneof(TOWARDS_FIRST, fc.constantFrom(...landmarks), fc.integer({ min: from, max: Math.max(from, to) }));
  if (type === 'integer') return integer;
  const double = fc.double({ min: min ?? exclusiveMin ?? -1e6, max: max ?? exclusiveMax ?? 1e6, noNaN: true, noDefaultInfinity: true, minExcluded: min === undefined && exclusiveMin !== undefined, maxExcluded: max === undefined && exclusiveMax !== undefined });
  // JSON has no -0: a parsed body never carries one.
  return fc.oneof(TOWARDS_FIRST, integer, double.map((n) => (Object.is(n, -0) ? 0 : n)));
}

export function stringOf(flat: readonly SchemaObject[]): fc.Arbitrary<Json> {
  const minLength = bound(flat, 'minLength', Math.max) ?? 0;
  const maxLength = Math.min(bound(flat, 'maxLength', Math.min) ?? Infinity, minLength + 24);
  const pattern = flat.find((m) => typeof m.pattern === 'string')?.pattern as string | undefined;
  if (pattern) return fc.stringMatching(new RegExp(pattern, 'u'), { size: 'xsmall' });
  const format = flat.find((m) => m.format !== undefined)?.format;
  if (format === 'uri') return fc.webUrl({ size: 'xsmall' });
  if (format === 'date-time') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  if (flat.some((m) => m.contentEncoding === 'base64')) return fc.base64String({ maxLength: Math.max(4, Math.min(maxLength, 48)) });
  const words = VOCABULARY.filter((w) => w.length >= minLength && w.length <= maxLength);
  return fc.oneof(
    TOWARDS_FIRST,
    ...(words.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...words) }] : []),
    { weight: 2, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
  );
}
