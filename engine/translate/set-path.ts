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

/** Whether setPath writes through (or at) this segment, rather than refusing it. */
export function isWritableSegment(segment: string): boolean {
  return !FORBIDDEN_SEGMENTS.has(segment);
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

/**
 * Writes `value` at `segments`, creating the objects and arrays on the way.
 *
 * The values already in `root` may be shared with someone else (a mapping block's rules answer
 * with parts of their input, uncopied). From depth `sharedFrom` on (the number of segments
 * above the container), a container on the way that is not in `owned` is such a value: it is
 * replaced by a shallow copy before anything is written into it, so the write never reaches the
 * original. The copies and the containers created there go into `owned`, and are written into
 * directly by later calls.
 */
export function setPath(root: Record<string, unknown>, segments: readonly string[], value: unknown, sharedFrom = Infinity, owned?: Set<object>): void {
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (FORBIDDEN_SEGMENTS.has(segment)) throw new Error(`refusing to write through "${segment}"`);
    if (i === segments.length - 1) {
      (node as Record<string, unknown>)[segment] = value;
      return;
    }
    let next = (node as Record<string, unknown>)[segment];
    const shared = i + 1 >= sharedFrom;
    if (next === null || typeof next !== 'object') {
      next = INDEX.test(segments[i + 1]) ? [] : {};
      (node as Record<string, unknown>)[segment] = next;
      if (shared) owned!.add(next as object);
    } else if (shared && !owned!.has(next)) {
      next = shallowCopy(next);
      (node as Record<string, unknown>)[segment] = next;
      owned!.add(next as object);
    }
    node = next as Record<string, unknown>;
  }
}

/**
 * An array's items or an object's own keys. Not `{ ...value }`: V8 gives a spread copy a map that
 * makes every key added later slow (about 0.5 µs), and setPath adds one at once.
 */
function shallowCopy(value: object): object {
  if (Array.isArray(value)) return value.slice();
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    // A "__proto__" key from a JSON body stays a key; plain assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}
