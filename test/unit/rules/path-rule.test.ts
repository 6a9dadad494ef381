/**
 * engine/rules/path-rule.ts: a `from` that is a plain property path skips the interpreter. It must
 * give exactly what JSONata gives for the same input — every case below is checked against
 * jsonata itself, not against a hand-written expectation.
 */
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { createHelpers } from '../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { isPlainPath } from '../../../engine/rules/path-rule.js';
import { normalise } from '../../../engine/translate/mapping-block.js';

const env: RuleEnvironment = { helpers: createHelpers({ models: [], tables: {} }), functions: new Map(), config: {} };

async function both(source: string, input: unknown): Promise<{ mode: string; path: unknown; reference: unknown }> {
  const rule = compileRule('r', source, env);
  const path = await rule.evaluate(input, {});
  const reference = await jsonata(source).evaluate(input);
  return { mode: rule.mode, path, reference };
}

/** Compares as JSON values, but keeps undefined (nothing) apart from null and [] apart from a scalar. */
function expectSameValue(path: unknown, reference: unknown): void {
  expect(path === undefined).toBe(reference === undefined);
  expect(Array.isArray(path)).toBe(Array.isArray(reference));
  expect(normalise(path)).toEqual(normalise(reference));
}

describe('path rules give exactly what JSONata gives', () => {
  const cases: Array<{ name: string; source: string; input: unknown }> = [
    { name: 'a present top-level key', source: 'limit', input: { limit: 5 } },
    { name: 'a missing top-level key is nothing', source: 'limit', input: { other: 1 } },
    { name: 'a top-level key holding null is null', source: 'limit', input: { limit: null } },
    { name: 'a key holding false stays false', source: 'stream', input: { stream: false } },
    { name: 'a key holding 0 stays 0', source: 'n', input: { n: 0 } },
    { name: 'a key holding the empty string stays the empty string', source: 's', input: { s: '' } },
    { name: 'a key holding an object gives the object', source: 'metadata', input: { metadata: { user_id: 'u' } } },
    { name: 'a key holding an empty object gives it', source: 'metadata', input: { metadata: {} } },
    { name: 'a nested key', source: 'metadata.user_id', input: { metadata: { user_id: 'u' } } },
    { name: 'a three-step path', source: 'a.b.c', input: { a: { b: { c: 3 } } } },
    { name: 'a missing middle key is nothing', source: 'a.b.c', input: { a: { x: 1 } } },
    { name: 'a null in the middle is nothing', source: 'a.b', input: { a: null } },
    { name: 'a string in the middle is nothing', source: 'a.length', input: { a: 'text' } },
    { name: 'a number in the middle is nothing', source: 'a.b', input: { a: 4 } },
    { name: 'a key holding an array gives the array', source: 'tags', input: { tags: ['a', 'b'] } },
    { name: 'a key holding a one-item array gives the array, not the item', source: 'tags', input: { tags: ['a'] } },
    { name: 'a key holding an empty array gives the empty array', source: 'tags', input: { tags: [] } },
    { name: 'a key holding nested arrays keeps them nested', source: 'grid', input: { grid: [[1, 2], [3]] } },
    { name: 'a key holding an array with null keeps the null', source: 'tags', input: { tags: [null, 'a'] } },
    { name: 'a nested key holding an array gives the array', source: 'a.b', input: { a: { b: [1] } } },
    { name: 'a nested key holding [[1,2]] keeps it', source: 'a.b', input: { a: { b: [[1, 2]] } } },
    { name: 'an array in the middle maps over its items', source: 'messages.role', input: { messages: [{ role: 'user' }, { role: 'assistant' }] } },
    { name: 'an array in the middle with one item gives the bare value', source: 'messages.role', input: { messages: [{ role: 'user' }] } },
    { name: 'an array in the middle skips items without the key', source: 'messages.role', input: { messages: [{ role: 'user' }, { content: 'x' }, null] } },
    { name: 'an array in the middle flattens arrays met further down', source: 'a.b.c', input: { a: { b: [{ c: 1 }, { c: [2, 3] }] } } },
    { name: 'an array in the middle whose items lack the key is nothing', source: 'a.b', input: { a: [{ x: 1 }] } },
    { name: 'an empty array in the middle is nothing', source: 'a.b', input: { a: [] } },
    { name: 'an array of arrays in the middle', source: 'a.b', input: { a: [[{ b: 1 }], [{ b: 2 }]] } },
    { name: 'a top-level array input maps over its items', source: 'role', input: [{ role: 'user' }, { role: 'assistant' }] },
    { name: 'a top-level array input with one item gives the bare value', source: 'role', input: [{ role: 'user' }] },
    { name: 'an empty top-level array input is nothing', source: 'role', input: [] },
    { name: 'a null input is nothing', source: 'role', input: null },
    { name: 'a string input is nothing', source: 'role', input: 'user' },
    { name: 'an undefined input is nothing', source: 'role', input: undefined },
    { name: 'an inherited name (constructor) is nothing', source: 'constructor', input: {} },
    { name: 'an inherited name (toString) is nothing', source: 'toString', input: { a: 1 } },
    { name: 'an inherited name below a key is nothing', source: 'a.hasOwnProperty', input: { a: {} } },
    { name: 'an own key called __proto__ from parsed JSON is found', source: 'a.__proto__', input: JSON.parse('{"a":{"__proto__":{"x":1}}}') },
    { name: 'surrounding spaces do not matter', source: '  limit  ', input: { limit: 5 } },
    { name: 'an underscore key', source: '_private.x_1', input: { _private: { x_1: 'v' } } },
  ];

  it.each(cases)('$name ($source)', async ({ source, input }) => {
    const { mode, path, reference } = await both(source, input);
    expect(mode).toBe('path');
    expectSameValue(path, reference);
  });

});

describe('words JSONata reads as literals or operators give what JSONata gives', () => {
  it.each([
    { source: 'true', input: { true: 'key' } },
    { source: 'false', input: { a: 1 } },
    { source: 'null', input: { null: 'key' } },
    { source: 'and', input: { and: 1 } },
    { source: 'or', input: { or: 2 } },
    { source: 'in', input: { in: 3 } },
    { source: 'a.in', input: { a: { in: 4 } } },
    { source: 'a.and.b', input: { a: { and: { b: 5 } } } },
  ])('$source', async ({ source, input }) => {
    const { path, reference } = await both(source, input);
    expectSameValue(path, reference);
  });
});

describe('which sources are plain paths', () => {
  it.each([
    ['max_tokens', true],
    ['metadata.user_id', true],
    [' a.b ', true],
    ['$request.model', false],
    ['$', false],
    ['a[0]', false],
    ['a.b[]', false],
    ['"text"', false],
    ['`odd key`', false],
    ['a.0', false],
    ['a..b', false],
    ['1', false],
    ['a + b', false],
    ['a.b.', false],
    ['true', false],
    ['false', false],
    ['null', false],
    ['a.true', false],
  ] as const)('%j → %s', (source, plain) => {
    expect(isPlainPath(source)).toBe(plain);
  });

  it('a non-plain source compiles to JavaScript (or is interpreted with RULE_ENGINE=interpreted)', () => {
    expect(compileRule('r', 'a[0]', env).mode).toBe('compiled');
    expect(compileRule('r', 'a[0]', { ...env, engine: 'interpreted' }).mode).toBe('jsonata');
  });
});
