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
        const value = await entry.rule.evaluate(input, bindings);
        if (value !== undefined) setPath(output, entry.segments, normalise(value));
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
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { _jsonata_lambda?: unknown })._jsonata_lambda !== 'undefined') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v);
    return out;
  }
  return value;
}
