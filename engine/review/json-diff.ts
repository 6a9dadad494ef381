/**
 * JSON as text lines for people, and line/word diffs between two texts. Used to show example inputs
 * and outputs, and what a change did to them. Lists of objects (event streams, input items) are
 * written one element per line, so a diff names the event that changed rather than a brace.
 */

export interface DiffOp {
  op: 'same' | 'removed' | 'added';
  text: string;
}

/** Above this many cells the quadratic diff is replaced by "all removed, all added" (still correct, less precise). */
const MAX_DIFF_CELLS = 4_000_000;

/** A non-empty list of objects or lists: shown one element per line. */
export function isRecordList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object');
}

export function jsonText(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (isRecordList(value)) {
    return `[\n${value.map((v) => `  ${oneLine(v)}`).join(',\n')}\n]`;
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** One value on one line, with a space after each comma and colon so long lines wrap between members. */
export function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : oneLine(v))).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A copy with object keys sorted at every level, so diffs show content, not key order. */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalJson(v);
    }
    return out;
  }
  return value;
}

/** Longest-common-subsequence diff of two sequences, common prefix and suffix trimmed first. */
export function diffSequences(before: readonly string[], after: readonly string[]): DiffOp[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  const head = before.slice(0, start).map((text): DiffOp => ({ op: 'same', text }));
  const tail = before.slice(endB).map((text): DiffOp => ({ op: 'same', text }));
  const b = before.slice(start, endB);
  const a = after.slice(start, endA);
  return [...head, ...middleDiff(b, a), ...tail];
}

function middleDiff(b: readonly string[], a: readonly string[]): DiffOp[] {
  const removedAll = b.map((text): DiffOp => ({ op: 'removed', text }));
  const addedAll = a.map((text): DiffOp => ({ op: 'added', text }));
  if (b.length === 0 || a.length === 0 || (b.length + 1) * (a.length + 1) > MAX_DIFF_CELLS) return [...removedAll, ...addedAll];
  const width = a.length + 1;
  // lengths[i * width + j] = LCS length of b[i..] and a[j..]
  const lengths = new Uint32Array((b.length + 1) * width);
  for (let i = b.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      lengths[i * width + j] = b[i] === a[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < b.length && j < a.length) {
    if (b[i] === a[j]) {
      ops.push({ op: 'same', text: b[i] });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      ops.push({ op: 'removed', text: b[i++] });
    } else {
      ops.push({ op: 'added', text: a[j++] });
    }
  }
  while (i < b.length) ops.push({ op: 'removed', text: b[i++] });
  while (j < a.length) ops.push({ op: 'added', text: a[j++] });
  return ops;
}

export function lineDiff(before: string, after: string): DiffOp[] {
  return diffSequences(before.split('\n'), after.split('\n'));
}

/** Word-level diff of one-line texts (describe sentences): words, runs of spaces and single punctuation marks are the tokens. */
export function wordDiff(before: string, after: string): DiffOp[] {
  const tokens = (s: string) => s.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
  return diffSequences(tokens(before), tokens(after));
}

export interface DiffHunk {
  /** 1-based first line in the before/after text. */
  beforeLine: number;
  afterLine: number;
  ops: DiffOp[];
}

/** Groups a line diff into hunks of changes with `context` unchanged lines around each. */
export function diffHunks(ops: readonly DiffOp[], context = 3): DiffHunk[] {
  const changed = ops.map((o) => o.op !== 'same');
  const keep = ops.map((_, i) => changed.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const hunks: DiffHunk[] = [];
  let beforeLine = 1;
  let afterLine = 1;
  let current: DiffHunk | undefined;
  ops.forEach((op, i) => {
    if (keep[i]) {
      current ??= { beforeLine, afterLine, ops: [] };
      current.ops.push(op);
    } else if (current) {
      hunks.push(current);
      current = undefined;
    }
    if (op.op !== 'added') beforeLine++;
    if (op.op !== 'removed') afterLine++;
  });
  if (current) hunks.push(current);
  return hunks;
}
