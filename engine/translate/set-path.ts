/**
 * Writes a value at a dotted target path taken from YAML. Targets come from files that people
 * edit, so a path can never reach the prototype chain: such segments are refused at load
 * (`assertSafeTarget`) and again here, cheaply, as a last line of defence.
 */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const INDEX = /^(0|[1-9][0-9]*)$/;

export function parseTarget(target: string): string[] {
  return target.split('.');
}

/** Returns a reason when the target path is not acceptable, else undefined. */
export function targetProblem(target: string): string | undefined {
  if (target.trim() === '') return 'target is empty';
  const segments = parseTarget(target);
  if (segments.some((s) => s === '')) return `target "${target}" has an empty segment`;
  const bad = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (bad) return `target "${target}" may not contain the segment "${bad}"`;
  return undefined;
}

export function setPath(root: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (FORBIDDEN_SEGMENTS.has(segment)) throw new Error(`refusing to write through "${segment}"`);
    if (i === segments.length - 1) {
      (node as Record<string, unknown>)[segment] = value;
      return;
    }
    let next = (node as Record<string, unknown>)[segment];
    if (next === null || typeof next !== 'object') {
      next = INDEX.test(segments[i + 1]) ? [] : {};
      (node as Record<string, unknown>)[segment] = next;
    }
    node = next as Record<string, unknown>;
  }
}
