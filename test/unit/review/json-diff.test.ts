/** The line and word diffs behind the change review and the failing-example view. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, diffHunks, diffSequences, jsonText, lineDiff, wordDiff } from '../../../engine/review/json-diff.js';

const ops = (list: ReturnType<typeof diffSequences>) => list.map((o) => `${o.op === 'same' ? ' ' : o.op === 'removed' ? '-' : '+'}${o.text}`);

describe('diffs', () => {
  it.each([
    ['equal texts have no change', ['a', 'b'], ['a', 'b'], [' a', ' b']],
    ['a changed line is removed then added', ['a', 'b', 'c'], ['a', 'x', 'c'], [' a', '-b', '+x', ' c']],
    ['an inserted line', ['a', 'c'], ['a', 'b', 'c'], [' a', '+b', ' c']],
    ['a deleted line', ['a', 'b', 'c'], ['a', 'c'], [' a', '-b', ' c']],
    ['from nothing', [], ['a'], ['+a']],
  ])('%s', (_name, before, after, expected) => {
    expect(ops(diffSequences(before, after))).toEqual(expected);
  });

  it('keeps three lines of context around each change, in separate hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = before.map((l, i) => (i === 2 || i === 15 ? `${l}!` : l));
    const hunks = diffHunks(lineDiff(before.join('\n'), after.join('\n')));
    expect(hunks.map((h) => [h.beforeLine, h.ops.length])).toEqual([[1, 7], [13, 8]]);
  });

  it('diffs describe texts word by word', () => {
    expect(wordDiff('The prompt, shouted.', 'The prompt, shouted and questioned.').filter((o) => o.op !== 'same').map((o) => o.text).join('')).toBe(' and questioned');
  });
});

describe('JSON for people', () => {
  it('writes lists of objects one element per line, with spaces to wrap at', () => {
    expect(jsonText([{ type: 'a', n: [1, 2] }, { type: 'b' }])).toBe('[\n  {"type": "a", "n": [1, 2]},\n  {"type": "b"}\n]');
  });

  it('writes other values indented, and nothing as (nothing)', () => {
    expect(jsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(jsonText(undefined)).toBe('(nothing)');
  });

  it('sorts keys for diffs, so key order is not a change', () => {
    expect(JSON.stringify(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }))).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
