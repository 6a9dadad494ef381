/**
 * engine/spec/string-length-keywords.ts: minLength / maxLength that skip counting when a string's
 * UTF-16 length decides. AJV's own keywords are the oracle: same verdict and same errors, for
 * strings of surrogate pairs, lone surrogates and plain units, around every limit.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointCount, useBoundedStringLengths } from '../../../engine/spec/string-length-keywords.js';

function validators(schema: object): { ours: ValidateFunction; ajvs: ValidateFunction } {
  const ours = new Ajv2020({ allErrors: true, strict: false });
  useBoundedStringLengths(ours);
  const ajvs = new Ajv2020({ allErrors: true, strict: false });
  return { ours: ours.compile(schema), ajvs: ajvs.compile(schema) };
}

// Units that make every case: ASCII, a BMP letter, both halves of a surrogate pair.
const unit = fc.constantFrom('a', 'é', '\ud83d', '\ude00', '😀');
const text = fc.array(unit, { maxLength: 12 }).map((units) => units.join(''));

describe('codePointCount', () => {
  it('counts a surrogate pair once and a lone surrogate once', () => {
    expect(codePointCount('')).toBe(0);
    expect(codePointCount('abc')).toBe(3);
    expect(codePointCount('😀😀')).toBe(2);
    expect(codePointCount('\ud83d')).toBe(1);
    expect(codePointCount('\ude00\ud83d')).toBe(2);
    expect(codePointCount('a\ud83d\ude00b')).toBe(3);
  });

  it('agrees with the string iterator on any string', () => {
    fc.assert(fc.property(text, (s) => codePointCount(s) === [...s].length), { numRuns: 500 });
  });
});

describe('minLength and maxLength', () => {
  it('give AJV\'s verdict and errors for every string and limit', () => {
    const cache = new Map<string, ReturnType<typeof validators>>();
    fc.assert(
      fc.property(text, fc.constantFrom('minLength', 'maxLength'), fc.integer({ min: 0, max: 8 }), (s, keyword, limit) => {
        const key = `${keyword}${limit}`;
        if (!cache.has(key)) cache.set(key, validators({ type: 'object', properties: { s: { type: 'string', [keyword]: limit } } }));
        const { ours, ajvs } = cache.get(key)!;
        const verdict = ours({ s });
        expect(verdict).toBe(ajvs({ s }));
        expect(ours.errors).toEqual(ajvs.errors);
      }),
      { numRuns: 2000 },
    );
  });

  it('say which limit a string broke, in AJV\'s words', () => {
    const { ours } = validators({ type: 'string', minLength: 2, maxLength: 3 });
    expect(ours('😀')).toBe(false);
    expect(ours.errors).toEqual([expect.objectContaining({ keyword: 'minLength', message: 'must NOT have fewer than 2 characters', params: { limit: 2 } })]);
    expect(ours('😀😀😀')).toBe(true); // six units, three characters
    expect(ours('abcd')).toBe(false);
    expect(ours.errors).toEqual([expect.objectContaining({ keyword: 'maxLength', message: 'must NOT have more than 3 characters', params: { limit: 3 } })]);
  });

  it('leave non-strings to the type keyword', () => {
    const { ours } = validators({ minLength: 2 });
    expect(ours(5)).toBe(true);
    expect(ours(['a'])).toBe(true);
  });
});
