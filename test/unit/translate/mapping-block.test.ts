/**
 * engine/translate/mapping-block.ts: a block sets its targets in order; a row whose value is
 * nothing (undefined) sets nothing, and every value is normalised to plain JSON — no JSONata
 * sequence flags, no undefined members, no lambdas.
 */
import { describe, expect, it } from 'vitest';
import { createHelpers } from '../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { createMappingBlock, normalise } from '../../../engine/translate/mapping-block.js';

const env: RuleEnvironment = { helpers: createHelpers({ models: [], tables: {} }), functions: new Map(), config: {} };

function block(rows: Array<[target: string, from: string]>) {
  return createMappingBlock(rows.map(([target, from], i) => ({ id: `row-${i}`, target, rule: compileRule(`row-${i}`, from, env) })));
}

/** Own keys of every array and object, recursively: a sequence flag would show up here. */
function ownKeysDeep(value: unknown, at = '$'): string[] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Reflect.ownKeys(value).map(String);
  const extra = Array.isArray(value) ? keys.filter((k) => k !== 'length' && !/^\d+$/.test(k)).map((k) => `${at}.${k}`) : [];
  return [...extra, ...Object.values(value).flatMap((v, i) => ownKeysDeep(v, `${at}[${i}]`))];
}

const INPUT = {
  model: 'small-1',
  limit: null,
  items: [
    { type: 'text', text: 'a' },
    { type: 'image', text: 'b' },
  ],
  one: [{ type: 'text' }],
};

describe('a row whose value is nothing sets nothing', () => {
  it.each([
    { name: 'a missing key', from: 'missing' },
    { name: 'a missing nested key', from: 'a.b.c' },
    { name: 'a condition without else', from: 'model = "other" ? "yes"' },
    { name: 'a filter matching nothing', from: 'items[type = "audio"]' },
    { name: 'an empty sequence from a path over an array', from: 'items.missing' },
  ])('$name', async ({ from }) => {
    const out = await block([['target.deep', from]]).apply(INPUT, { request: INPUT });
    expect(out).toEqual({});
    expect(Object.keys(out)).toEqual([]);
  });

  // Fixed bug, kept as a guard — it was: apply() tests `value !== undefined` before normalise(), and normalise() turns a lambda
  // into undefined afterwards, so `from: $shout` (a function value, e.g. a forgotten call) writes
  // undefined at the target and creates the objects on the way: the output is
  // `{ target: { deep: undefined } }`, serialised as `{"target":{}}`. Likewise normalise() keeps a
  // lambda member of an object as an own key holding undefined.
  it('a lambda (not JSON) sets nothing, not even the objects on the way', async () => {
    const out = await block([['target.deep', 'function($x) { $x }']]).apply(INPUT, { request: INPUT });
    expect(Object.keys(out)).toEqual([]);
  });

  it('an object with a lambda member drops the member', async () => {
    const out = await block([['value', '{ "f": function($x) { $x }, "g": 1 }']]).apply(INPUT, { request: INPUT });
    expect(out.value).toStrictEqual({ g: 1 });
  });

  it('does not clear a value an earlier row set', async () => {
    const out = await block([['model', 'model'], ['model', 'missing']]).apply(INPUT, {});
    expect(out).toEqual({ model: 'small-1' });
  });

  it('null is a value and is set', async () => {
    const out = await block([['limit', 'limit']]).apply(INPUT, {});
    expect(out).toStrictEqual({ limit: null });
  });

  it('rows are applied in order: a later row overrides an earlier one', async () => {
    const out = await block([['model', '"first"'], ['model', '"second"']]).apply(INPUT, {});
    expect(out).toEqual({ model: 'second' });
  });
});

describe('values are normalised to plain JSON', () => {
  it.each([
    { name: 'a path over an array (a JSONata sequence)', from: 'items.type', expected: ['text', 'image'] },
    { name: 'a kept singleton (items[])', from: 'one[]', expected: [{ type: 'text' }] },
    { name: 'a filtered sequence', from: 'items[type = "text"].text[]', expected: ['a'] },
    { name: 'a sequence inside a constructed object', from: '{ "types": items.type }', expected: { types: ['text', 'image'] } },
    { name: 'a sequence inside a constructed array', from: '[items.type]', expected: ['text', 'image'] },
    { name: 'a $map result', from: '$map(items, function($i) { $i.text })', expected: ['a', 'b'] },
    { name: 'a sorted copy', from: '$sort(items.text)', expected: ['a', 'b'] },
  ])('$name', async ({ from, expected }) => {
    const input = structuredClone(INPUT);
    const out = await block([['value', from]]).apply(input, { request: input });
    expect(out.value).toEqual(expected);
    expect(ownKeysDeep(out)).toEqual([]);
    expect(out).toStrictEqual(JSON.parse(JSON.stringify(out)));
  });

  it.each([
    { name: 'undefined members of an object are dropped', value: { a: undefined, b: 1 }, expected: { b: 1 } },
    { name: 'undefined members of an array are dropped', value: [1, undefined, 2], expected: [1, 2] },
    { name: 'nested undefined members are dropped', value: { a: [{ b: undefined, c: [undefined] }] }, expected: { a: [{ c: [] }] } },
    { name: 'flags on an array are dropped', value: Object.assign([1, 2], { sequence: true, keepSingleton: true }), expected: [1, 2] },
    { name: 'a lambda is nothing', value: { _jsonata_lambda: true, body: {} }, expected: undefined },
    { name: 'scalars pass through', value: 'text', expected: 'text' },
    { name: 'null passes through', value: null, expected: null },
  ])('normalise: $name', ({ value, expected }) => {
    const got = normalise(value);
    expect(got).toStrictEqual(expected);
    expect(ownKeysDeep(got)).toEqual([]);
  });

  // Fixed bug, kept as a guard — it was: normalise copies with `out[k] = …` on a plain object, so an own "__proto__" key (which
  // JSON.parse creates from an upstream or client body) sets the copy's prototype instead of
  // copying the key: the key is lost and its members become inherited properties of the copy.
  it('normalise keeps an own "__proto__" key as a key and never sets the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const got = normalise(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(got.polluted).toBeUndefined();
    expect(JSON.stringify(got)).toBe(JSON.stringify(value));
  });
});

// A block's apply() is generated JavaScript (block-apply.ts): a target key is written into it only
// as a JSON string literal, so whatever the key holds stays a key.
describe('a target key is data, never code', () => {
  it.each([
    'quote"key',
    "apostrophe'key",
    'back\\slash',
    'line\nbreak',
    'line\u2028separator',
    '${injected}',
    '"]; throw new Error("x"); //',
    '</script>',
    'hasOwnProperty',
    '0',
  ])('%j', async (target) => {
    const out = await block([[target, '"v"']]).apply(INPUT, {});
    expect(Object.keys(out)).toEqual([target]);
    expect(out[target]).toBe('v');
  });
});
