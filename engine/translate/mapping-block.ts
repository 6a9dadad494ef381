/**
 * A mapping block (`request`, `response`, `errors.upstream`, `errors.gateway`) compiled once:
 * an ordered list of (target path, rule). Applying it builds a fresh output object; the input is
 * never mutated, so a retry or an example re-run gets the same answer.
 */
import type { Bindings, Rule } from '../rules/rule.js';
import { parseTarget, setPath } from './set-path.js';

export interface BlockEntry {
  /** `fields[3]` or the rule id. */
  id: string;
  target: string;
  segments: string[];
  rule: Rule;
}

export interface MappingBlock {
  entries: readonly BlockEntry[];
  /** Resolves at once when every rule of the block is synchronous (compiled or plain paths). */
  apply(input: unknown, bindings: Bindings): Promise<Record<string, unknown>>;
}

export function createMappingBlock(entries: Array<{ id: string; target: string; rule: Rule }>): MappingBlock {
  const compiled: BlockEntry[] = entries.map((e) => ({ ...e, segments: parseTarget(e.target) }));
  const count = compiled.length;
  return {
    entries: compiled,
    apply(input, bindings) {
      const output: Record<string, unknown> = {};
      try {
        for (let i = 0; i < count; i++) {
          const entry = compiled[i];
          const value = entry.rule.evaluate(input, bindings);
          // The first rule that answers with a Promise (interpreted, or failing) finishes the block
          // asynchronously; synchronous rules are never awaited.
          if (value instanceof Promise) return finishAsync(compiled, i, value, output, input, bindings);
          set(output, entry, entry.rule.plain ? copyPlain(value) : normalise(value));
        }
      } catch (err) {
        return Promise.reject(err);
      }
      return Promise.resolve(output);
    },
  };
}

async function finishAsync(
  entries: readonly BlockEntry[],
  from: number,
  pending: Promise<unknown>,
  output: Record<string, unknown>,
  input: unknown,
  bindings: Bindings,
): Promise<Record<string, unknown>> {
  set(output, entries[from], normalise(await pending));
  for (let i = from + 1; i < entries.length; i++) set(output, entries[i], normalise(await entries[i].rule.evaluate(input, bindings)));
  return output;
}

/**
 * Every value is copied into the output, also a compiled rule's plain JSON (copyPlain): a rule may
 * answer with a part of its input (`from: metadata`), and the output must share no object with the
 * input, so that a later row writing below it, or whoever receives the output, never changes it.
 */
function set(output: Record<string, unknown>, entry: BlockEntry, value: unknown): void {
  if (value !== undefined) setPath(output, entry.segments, value);
}

/** A copy of a value that is plain JSON already (a compiled rule's): what normalise gives, faster. */
function copyPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const item = copyPlain((value as Record<string, unknown>)[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    else out[k] = item;
  }
  return out;
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
