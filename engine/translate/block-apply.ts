/**
 * A mapping block's apply(), written out once per block as straight-line JavaScript: for each row,
 * one call of its rule and one store into the output.
 *
 * Why not a loop over the rows: in a loop, the call `rule.evaluate(…)` and the store
 * `output[key] = value` are one site each that meets every rule and every key of every block, so
 * V8 can only treat them generically (megamorphic). Written out, each row has sites of its own,
 * which see one rule and one key: the store is a plain property store, and a small rule is
 * inlined into the block. That is about a tenth of the request mapping's time (issue #8).
 *
 * Safety, as in the rule compiler (rules/compiler/code-writer.ts): nothing from a spec becomes
 * code. A target key is written only as JSON.stringify output, which is always one complete
 * string literal; rows, rules and helpers are referred to by index or parameter. A target of
 * several segments, and a segment setPath refuses, goes through setPath.
 */
import type { Bindings } from '../rules/rule.js';
import type { BlockEntry } from './mapping-block.js';
import { isWritableSegment, setPath } from './set-path.js';

export type Apply = (input: unknown, bindings: Bindings) => Promise<Record<string, unknown>>;

/** Finishes a block from row `from` on, whose rule answered with `pending`. */
export type FinishAsync = (
  entries: readonly BlockEntry[],
  from: number,
  pending: Promise<unknown>,
  output: Record<string, unknown>,
  owned: Set<object> | undefined,
  input: unknown,
  bindings: Bindings,
) => Promise<Record<string, unknown>>;

export function writeApply(entries: readonly BlockEntry[], finishAsync: FinishAsync, normalise: (value: unknown) => unknown): Apply {
  const overlapping = entries.some((e) => e.sharedFrom !== Infinity);
  const rows = entries.map((entry, i) => {
    const segments = entry.segments;
    const store =
      segments.length === 1 && isWritableSegment(segments[0])
        ? `output[${JSON.stringify(segments[0])}] = value;`
        : `setPath(output, entries[${i}].segments, value, entries[${i}].sharedFrom, owned);`;
    return [
      `    value = rule${i}.evaluate(input, bindings);`,
      // The first rule that answers with a Promise (interpreted, or failing) finishes the block
      // asynchronously; synchronous rules are never awaited.
      `    if (value instanceof Promise) return finishAsync(entries, ${i}, value, output, owned, input, bindings);`,
      ...(entry.rule.plain ? [] : ['    value = normalise(value);']),
      `    if (value !== undefined) ${store}`,
    ].join('\n');
  });
  const source = [
    '"use strict";',
    ...entries.map((_, i) => `const rule${i} = entries[${i}].rule;`),
    'return function apply(input, bindings) {',
    '  const output = {};',
    `  const owned = ${overlapping ? 'new Set()' : 'undefined'};`,
    '  let value;',
    '  try {',
    ...rows,
    '  } catch (err) {',
    '    return Promise.reject(err);',
    '  }',
    '  return Promise.resolve(output);',
    '};',
  ].join('\n');
  return new Function('entries', 'finishAsync', 'normalise', 'setPath', source)(entries, finishAsync, normalise, setPath) as Apply;
}
