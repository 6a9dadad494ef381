/**
 * Inputs for the property-based differential tests: real bodies (captured client requests,
 * recorded upstream responses, events and stream states) put through a few random mutations —
 * a field dropped, a value replaced or retyped, a value wrapped into an array or unwrapped, an
 * array item duplicated, a value nested one level deeper. The results stay loosely shaped like
 * the APIs (so the rules' interesting branches run) while covering every type a rule can meet.
 * Mutations are data, so fast-check shrinks a failing input to a small list of them.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Words of the two APIs, so that replaced values often steer a rule into another branch. */
export const VOCABULARY = [
  'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'search_result', 'tool_reference',
  'message', 'function_call', 'function_call_output', 'custom_tool_call', 'reasoning', 'output_text', 'refusal', 'summary_text',
  'web_search_call', 'web_search_20250305', 'bash_20250124', 'text_editor_20250728', 'custom', 'tool_definition', 'tool_addition',
  'user', 'assistant', 'system', 'developer', 'enabled', 'disabled', 'adaptive', 'auto', 'any', 'none', 'tool', 'high', 'low', 'max',
  'completed', 'incomplete', 'failed', 'in_progress', 'cancelled', 'max_output_tokens', 'content_filter', 'bio_policy',
  'insufficient_quota', 'rate_limit_exceeded', 'server_error', 'invalid_prompt', 'http', 'network', 'timeout', 'internal',
  'response.output_text.delta', 'response.completed', 'response.output_item.added', 'response.output_item.done', 'error',
  'claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-4o', 'gpt-5', 'resp_abc', 'msg_1', 'call_1', 'toolu_1', 'rs_1', 'base64', 'url',
  'rosetta.v1.eyJpZCI6InJzXzAxIiwiZW5jcnlwdGVkX2NvbnRlbnQiOiJnQUFBQUFCcEVOQyJ9', 'STOP', '###', 'END', '', ' ', 'a.b', '24h',
  '{"city":"Paris"}', 'x-anthropic-billing-header: cc', 'sk-proj-abc1234567', 'Bearer abc.def', '<html>oops</html>', '😀 é',
];

/** Keys of the two APIs (and one that must stay an ordinary key). */
export const KEYS = [
  'type', 'text', 'content', 'role', 'model', 'id', 'name', 'input', 'arguments', 'call_id', 'status', 'output', 'usage', 'delta',
  'output_index', 'content_index', 'summary_index', 'item', 'part', 'response', 'error', 'code', 'message', 'tools', 'messages',
  'system', 'thinking', 'stop_sequences', 'tool_choice', 'metadata', 'signature', 'encrypted_content', 'summary', 'state', 'q',
  'x', '0', '__proto__',
];

const leaf: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom(...VOCABULARY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  { arbitrary: fc.integer({ min: -3, max: 200_000 }), weight: 2 },
  { arbitrary: fc.constantFrom(0, 1, -1, 0.5, 1.5, 16, 1024, 4096, 128000, -0, 1e21, 2 ** 53), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);

function defineKey(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A small JSON value: a leaf, or a short array or object of leaves. */
export const smallJson: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: leaf, weight: 5 },
  { arbitrary: fc.array(leaf, { maxLength: 3 }), weight: 1 },
  {
    arbitrary: fc.array(fc.tuple(fc.constantFrom(...KEYS), leaf), { maxLength: 3 }).map((entries) => {
      const obj: Record<string, Json> = {};
      for (const [k, v] of entries) defineKey(obj, k, v);
      return obj;
    }),
    weight: 1,
  },
);

export interface Mutation {
  op: 'drop' | 'replace' | 'retype' | 'wrap' | 'unwrap' | 'duplicate' | 'nest' | 'empty';
  at: number;
  value: Json;
  key: string;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('drop', 'replace', 'replace', 'retype', 'wrap', 'unwrap', 'duplicate', 'nest', 'empty'),
  at: fc.nat(),
  value: smallJson,
  key: fc.constantFrom(...KEYS),
});

export const mutations = (maxLength: number): fc.Arbitrary<Mutation[]> => fc.array(mutation, { maxLength });

interface Slot {
  parent: Record<string, Json> | Json[] | undefined;
  key: string | number;
}

/** The places of a value (the root first), breadth first and capped, so big bodies stay cheap. */
function slotsOf(root: Json, cap = 600): Slot[] {
  const slots: Slot[] = [{ parent: undefined, key: '' }];
  const queue: Json[] = [root];
  while (queue.length > 0 && slots.length < cap) {
    const node = queue.shift()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push({ parent: node, key: i });
        queue.push(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        slots.push({ parent: node, key });
        queue.push(node[key]);
      }
    }
  }
  return slots;
}

function retype(value: Json, replacement: Json): Json {
  if (typeof value === 'string') return value === '' ? 0 : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : [value];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null || value === undefined) return replacement;
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  return Object.values(value);
}

const DROP = Symbol('drop');

function apply(root: Json, m: Mutation): Json {
  const slots = slotsOf(root);
  const slot = slots[m.at % slots.length];
  const current = slot.parent === undefined ? root : (slot.parent as Record<string, Json>)[slot.key as string];
  let next: Json | typeof DROP;
  switch (m.op) {
    case 'drop':
      next = DROP;
      break;
    case 'replace':
      next = structuredClone(m.value);
      break;
    case 'retype':
      next = retype(current, structuredClone(m.value));
      break;
    case 'wrap':
      next = [current];
      break;
    case 'unwrap':
      next = Array.isArray(current) ? (current.length > 0 ? current[0] : DROP) : current;
      break;
    case 'duplicate':
      if (Array.isArray(current)) next = current.length > 0 ? [...current, structuredClone(current[current.length - 1])] : [structuredClone(m.value)];
      else if (current !== null && typeof current === 'object') {
        const copy: Record<string, Json> = { ...current };
        const values = Object.values(current);
        defineKey(copy, m.key, values.length > 0 ? structuredClone(values[0]) : structuredClone(m.value));
        next = copy;
      } else next = current;
      break;
    case 'nest': {
      const holder: Record<string, Json> = {};
      defineKey(holder, m.key, current);
      next = holder;
      break;
    }
    case 'empty':
      next = Array.isArray(current) ? [] : current !== null && typeof current === 'object' ? {} : typeof current === 'string' ? '' : current;
      break;
  }
  if (slot.parent === undefined) return next === DROP ? null : next;
  if (Array.isArray(slot.parent)) {
    if (next === DROP) slot.parent.splice(slot.key as number, 1);
    else slot.parent[slot.key as number] = next;
  } else if (next === DROP) {
    delete slot.parent[slot.key as string];
  } else {
    defineKey(slot.parent, slot.key as string, next);
  }
  return root;
}

/** A mutated copy of `seed`; the seed itself is never changed. */
export function mutate(seed: unknown, list: readonly Mutation[]): unknown {
  let root = structuredClone(seed) as Json;
  for (const m of list) root = apply(root, m);
  return root;
}
