/**
 * A mapping block (`request`, `response`, `errors.upstream`, `errors.gateway`) compiled once:
 * an ordered list of (target path, rule). Applying it builds a fresh output object; the input is
 * never mutated, so a retry or an example re-run gets the same answer.
 *
 * The output is read-only for whoever receives it: a compiled rule's value goes into it uncopied,
 * so it may share objects with the input, the bindings and the pair's config (`from: metadata`
 * puts the input's own object there). The engine only serialises, validates, logs and compares
 * outputs; code that wants to change one must copy it first. The block itself never writes into
 * a rule's value: see `sharedFrom`.
 */
import type { Bindings, Rule } from '../rules/rule.js';
import { writeApply, type FinishAsync } from './block-apply.js';
import { parseTarget, setPath } from './set-path.js';

export interface BlockEntry {
  /** `fields[3]` or the rule id. */
  id: string;
  target: string;
  segments: string[];
  rule: Rule;
  /**
   * How many leading segments of the target lie above an earlier row's value (that row's target
   * is a prefix of this one, e.g. `usage` before `usage.service_tier`), Infinity when none: from
   * there down setPath copies each container before writing into it, as it may be the input's.
   */
  sharedFrom: number;
}

export interface MappingBlock {
  entries: readonly BlockEntry[];
  /**
   * Resolves at once when every rule of the block is synchronous (compiled or plain paths). The
   * output is read-only: it may hold the input's own objects (see the top of this file).
   */
  apply(input: unknown, bindings: Bindings): Promise<Record<string, unknown>>;
}

export function createMappingBlock(entries: Array<{ id: string; target: string; rule: Rule }>): MappingBlock {
  const compiled: BlockEntry[] = [];
  for (const e of entries) {
    const segments = parseTarget(e.target);
    compiled.push({ ...e, segments, sharedFrom: sharedFrom(segments, compiled) });
  }
  // One call and one store per row, written out: see block-apply.ts.
  return { entries: compiled, apply: writeApply(compiled, finishAsync, normalise) };
}

/** The shortest target among the earlier rows that is a proper prefix of `segments` (its length). */
function sharedFrom(segments: readonly string[], earlier: readonly BlockEntry[]): number {
  let from = Infinity;
  for (const e of earlier) {
    const n = e.segments.length;
    if (n < segments.length && n < from && e.segments.every((s, i) => s === segments[i])) from = n;
  }
  return from;
}

const finishAsync: FinishAsync = async (entries, from, pending, output, owned, input, bindings) => {
  set(output, entries[from], normalise(await pending), owned);
  for (let i = from + 1; i < entries.length; i++) set(output, entries[i], normalise(await entries[i].rule.evaluate(input, bindings)), owned);
  return output;
};

/**
 * A compiled rule's value (plain JSON already) is set as it is, not copied: it may be a part of
 * the input (`from: metadata`). A later row writing below it (`metadata.extra`) therefore copies
 * the containers it writes into (setPath, from `sharedFrom`), so the input never changes. (The
 * synchronous path, block-apply.ts, writes the same.)
 */
function set(output: Record<string, unknown>, entry: BlockEntry, value: unknown, owned: Set<object> | undefined): void {
  if (value !== undefined) setPath(output, entry.segments, value, entry.sharedFrom, owned);
}

/**
 * JSONata returns its sequences as arrays carrying extra flags; strip them (and any undefined
 * members) so outputs are plain JSON values, equal to what a client would parse. Always a copy.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== undefined) out.push(normalise(item));
    }
    return out;
  }
  if (typeof value === 'function') return undefined; // a JSONata built-in function value is not JSON
  if (value !== null && typeof value === 'object') {
    if (isLambda(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const item = normalise((value as Record<string, unknown>)[k]);
      if (item === undefined) continue;
      // A "__proto__" key from a JSON body stays a key; plain assignment would set the prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
      else out[k] = item;
    }
    return out;
  }
  return value;
}

function isLambda(value: object): boolean {
  const v = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return v._jsonata_lambda === true || v._jsonata_function === true;
}
