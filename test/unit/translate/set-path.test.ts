/**
 * engine/translate/set-path.ts: targets come from files people edit, so a target can never write
 * through the prototype chain; numeric segments build arrays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTarget, setPath, targetProblem } from '../../../engine/translate/set-path.js';

afterEach(() => {
  // Whatever a case did, Object.prototype must be untouched.
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('setPath never writes through __proto__, constructor or prototype', () => {
  it.each([
    ['__proto__', 'polluted'],
    ['constructor', 'prototype', 'polluted'],
    ['a', '__proto__', 'polluted'],
    ['a', 'constructor', 'polluted'],
    ['a', 'b', 'prototype', 'polluted'],
    ['__proto__'],
    ['constructor'],
    ['prototype'],
    ['a', '0', '__proto__', 'polluted'],
  ])('%j is refused', (...segments) => {
    const root: Record<string, unknown> = {};
    expect(() => setPath(root, segments, { polluted: true })).toThrow();
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(Object.keys(root).filter((k) => k !== 'a')).toEqual([]);
  });

  it('is refused even when the root already holds an own "__proto__" key from parsed JSON', () => {
    const root = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(() => setPath(root, ['__proto__', 'polluted'], true)).toThrow();
  });
});

describe('targetProblem refuses unsafe or malformed targets at load', () => {
  it.each([
    ['__proto__.x', true],
    ['a.constructor', true],
    ['a.prototype.b', true],
    ['constructor', true],
    ['', true],
    ['   ', true],
    ['a..b', true],
    ['.a', true],
    ['a.', true],
    ['a.b', false],
    ['content.0.text', false],
    ['headers.retry-after', false],
    ['proto', false],
    ['__proto', false],
  ] as const)('%j → refused: %s', (target, refused) => {
    expect(targetProblem(target) !== undefined).toBe(refused);
  });
});

describe('setPath builds the output', () => {
  const cases: Array<{ name: string; start: Record<string, unknown>; writes: Array<[target: string, value: unknown]>; expected: unknown }> = [
    { name: 'a one-segment target sets a key', start: {}, writes: [['model', 'tiny']], expected: { model: 'tiny' } },
    { name: 'a dotted target creates the objects on the way', start: {}, writes: [['a.b.c', 1]], expected: { a: { b: { c: 1 } } } },
    { name: 'an index segment creates an array', start: {}, writes: [['content.0.text', 'hi']], expected: { content: [{ text: 'hi' }] } },
    { name: 'a trailing index segment creates an array holding the value', start: {}, writes: [['items.0', 'x']], expected: { items: ['x'] } },
    { name: 'two writes to sibling indexes share the array', start: {}, writes: [['content.0.text', 'a'], ['content.1.text', 'b']], expected: { content: [{ text: 'a' }, { text: 'b' }] } },
    { name: 'two writes into one array item share the item', start: {}, writes: [['content.0.type', 'text'], ['content.0.text', 'a']], expected: { content: [{ type: 'text', text: 'a' }] } },
    { name: 'nested index segments create nested arrays', start: {}, writes: [['grid.0.0', 1]], expected: { grid: [[1]] } },
    { name: 'a segment with a leading zero is a key, not an index', start: {}, writes: [['a.01', 1]], expected: { a: { '01': 1 } } },
    { name: 'a negative number is a key, not an index', start: {}, writes: [['a.-1', 1]], expected: { a: { '-1': 1 } } },
    { name: 'writes into an existing object keep its other keys', start: { a: { keep: true } }, writes: [['a.b', 1]], expected: { a: { keep: true, b: 1 } } },
    { name: 'a scalar in the way is replaced by an object', start: { a: 5 }, writes: [['a.b', 1]], expected: { a: { b: 1 } } },
    { name: 'a null in the way is replaced by an object', start: { a: null }, writes: [['a.b', 1]], expected: { a: { b: 1 } } },
    { name: 'a later write to the same target replaces the value', start: {}, writes: [['a', 1], ['a', 2]], expected: { a: 2 } },
    { name: 'a hyphenated key is one segment', start: {}, writes: [['headers.retry-after', '3']], expected: { headers: { 'retry-after': '3' } } },
  ];

  it.each(cases)('$name', ({ start, writes, expected }) => {
    const root = structuredClone(start);
    for (const [target, value] of writes) setPath(root, parseTarget(target), value);
    expect(root).toEqual(expected);
  });

  it('an index segment makes a real array', () => {
    const root: Record<string, unknown> = {};
    setPath(root, parseTarget('content.0.text'), 'hi');
    expect(Array.isArray(root.content)).toBe(true);
    expect(JSON.stringify(root)).toBe('{"content":[{"text":"hi"}]}');
  });
});

describe('setPath copies a container it may not own before writing into it', () => {
  it('from depth sharedFrom on, an object or array on the way is copied, the original untouched', () => {
    const shared = Object.freeze({ keep: 1, list: Object.freeze([1]) });
    const root: Record<string, unknown> = { a: shared };
    const owned = new Set<object>();
    setPath(root, parseTarget('a.b'), 2, 1, owned);
    setPath(root, parseTarget('a.list.1'), 2, 1, owned);
    expect(root).toEqual({ a: { keep: 1, list: [1, 2], b: 2 } });
    expect(shared).toEqual({ keep: 1, list: [1] });
  });

  it('copies a container once: the copy is owned and later writes go into it', () => {
    const root: Record<string, unknown> = { a: { keep: 1 } };
    const owned = new Set<object>();
    setPath(root, parseTarget('a.b'), 2, 1, owned);
    const copy = root.a;
    setPath(root, parseTarget('a.c'), 3, 1, owned);
    expect(root.a).toBe(copy);
    expect(root.a).toEqual({ keep: 1, b: 2, c: 3 });
  });

  it('a copy keeps an own "__proto__" key as a key', () => {
    const root: Record<string, unknown> = { a: JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') };
    setPath(root, parseTarget('a.b'), 2, 1, new Set());
    expect(Object.getPrototypeOf(root.a)).toBe(Object.prototype);
    expect(JSON.stringify(root.a)).toBe('{"__proto__":{"polluted":true},"ok":1,"b":2}');
  });
});
