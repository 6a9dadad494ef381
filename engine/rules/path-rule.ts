/**
 * Rules that are a plain property path (`from: max_tokens`, `from: metadata.user_id`) need no
 * interpreter. JSONata maps over arrays met in the middle of a path, so such a walk hands over to
 * the full evaluator instead of guessing; the answer is always the one JSONata would give.
 */
import type { Bindings, Rule } from './rule.js';

const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Words JSONata reads as literals or operators, never as field names. */
const KEYWORDS = new Set(['null', 'true', 'false', 'and', 'or', 'in']);

export function isPlainPath(source: string): boolean {
  const text = source.trim();
  return PLAIN_PATH.test(text) && !text.split('.').some((step) => KEYWORDS.has(step));
}

export function createPathRule(id: string, source: string, fallback: Rule): Rule {
  const steps = source.trim().split('.');
  const last = steps.length - 1;
  return {
    id,
    source,
    mode: 'path',
    evaluate(input: unknown, bindings: Bindings) {
      let value: unknown = input;
      for (let i = 0; i <= last; i++) {
        if (value === null || typeof value !== 'object') return undefined;
        if (Array.isArray(value)) return fallback.evaluate(input, bindings);
        value = Object.prototype.hasOwnProperty.call(value, steps[i]) ? (value as Record<string, unknown>)[steps[i]] : undefined;
      }
      return value;
    },
  };
}
