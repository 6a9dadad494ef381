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
  apply(input: unknown, bindings: Bindings): Promise<Record<string, unknown>>;
}

export function createMappingBlock(entries: Array<{ id: string; target: string; rule: Rule }>): MappingBlock {
  const compiled: BlockEntry[] = entries.map((e) => ({ ...e, segments: parseTarget(e.target) }));
  return {
    entries: compiled,
    async apply(input, bindings) {
      const output: Record<string, unknown> = {};
      for (const entry of compiled) {
        const value = normalise(await entry.rule.evaluate(input, bindings));
        if (value !== undefined) setPath(output, entry.segments, value);
      }
      return output;
    },
  };
}

/**
 * JSONata returns its sequences as arrays carrying extra flags; strip them (and any undefined
 * members) so outputs are plain JSON values, equal to what a client would parse.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) if (item !== undefined) out.push(normalise(item));
    return out;
  }
  if (typeof value === 'function') return undefined; // a JSONata built-in function value is not JSON
  if (value !== null && typeof value === 'object') {
    if (isLambda(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const item = normalise(v);
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
