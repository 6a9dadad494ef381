/**
 * engine/rules/compiler/values.ts and builtins-text.ts, property-based: the compiled string and
 * number functions take their shortcuts (slicing without splitting a string into code points,
 * serialising with the native JSON.stringify when that gives the same text) only where the answer
 * is JSONata's. Random strings with astral characters and lone surrogates, random positions, random
 * JSON values with awkward numbers — each compared with the interpreter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHelpers } from '../../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../../engine/rules/jsonata-rule.js';
import { normalise } from '../../../../engine/translate/mapping-block.js';

const helpers = createHelpers({ models: [], tables: {} });
const env = (engine: 'compiled' | 'interpreted'): RuleEnvironment => ({ helpers, functions: new Map(), config: {}, engine });

async function outcome(source: string, engine: 'compiled' | 'interpreted', input: unknown): Promise<unknown> {
  try {
    return { value: normalise(await compileRule('r', source, env(engine)).evaluate(input, {})) };
  } catch (err) {
    return { error: (err as { jsonataCode?: string }).jsonataCode ?? String(err) };
  }
}

async function expectSame(source: string, input: unknown): Promise<void> {
  expect(await outcome(source, 'compiled', input)).toEqual(await outcome(source, 'interpreted', input));
}

const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '😀', '\uD800', '\uDC00', ' ', '\n'), fc.constant('b')), maxLength: 12 });
const position = fc.oneof(fc.integer({ min: -15, max: 15 }), fc.constantFrom(0.5, -1.5, 1e9));
const RUNS = { numRuns: 300, seed: 8 };

describe('strings are counted and sliced by code point, as JSONata does', () => {
  it('$substring(s, start, length)', async () => {
    await fc.assert(fc.asyncProperty(text, position, fc.option(position, { nil: undefined }), async (s, start, length) => {
      await expectSame(length === undefined ? '$substring(s, a)' : '$substring(s, a, b)', { s, a: start, b: length });
    }), RUNS);
  });

  it('$length(s) and $pad(s, n, c)', async () => {
    await fc.assert(fc.asyncProperty(text, fc.integer({ min: -12, max: 12 }), text, async (s, n, c) => {
      await expectSame('[$length(s), $pad(s, n, c), $pad(s, n)]', { s, n, c });
    }), RUNS);
  });
});

describe('$string and & serialise as JSONata does', () => {
  const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0.1 + 0.2, 1e21, 1e-7, 123456789.123456789, -0, 2 ** 53 + 2));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, number, fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 })),
  })).value;

  it('$string(value)', async () => {
    await fc.assert(fc.asyncProperty(json, async (value) => {
      await expectSame('$string(v)', { v: value });
    }), RUNS);
  });

  it('value & "" and $string of a constructed object with a number computed', async () => {
    await fc.assert(fc.asyncProperty(number, number, async (a, b) => {
      await expectSame('[a & "", $string({ "sum": a + b, "list": [a, b, null] })]', { a, b });
    }), RUNS);
  });
});
