/**
 * Applying a mapping is pure: the input is never mutated, so a retry, an example re-run or the
 * next rule of the same block sees exactly what the client sent. Inputs here are deep-frozen —
 * any write to them throws (ES modules are strict) — and compared with an untouched copy.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHelpers } from '../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { createMappingBlock } from '../../../engine/translate/mapping-block.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const env: RuleEnvironment = {
  helpers: createHelpers({ models: [], tables: { kind: { a: 'A', _default: 'Z' } } }),
  functions: new Map([['textOf', 'function($blocks) { $join($blocks[type = "text"].text, "") }']]),
  config: {},
};

const INPUT = {
  model: 'small-1',
  system: [{ type: 'text', text: 'Be brief.' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { data: 'xx' } }] },
    { role: 'assistant', content: 'hello' },
  ],
  nums: [3, 1, 2],
  one: [{ type: 'text', text: 'only' }],
  metadata: { user_id: 'u1', tags: ['a'] },
};

describe('the input of a mapping block is never mutated', () => {
  const expressions: string[] = [
    'model',
    'metadata',
    'metadata.tags',
    'messages.role',
    'messages.content.text',
    'messages[role = "user"].content[type = "text"]',
    '$textOf(system)',
    '$sort(nums)',
    '$reverse(nums)',
    'nums^($)',
    '$append(nums, 4)',
    '$merge([metadata, {"extra": 1}])',
    'metadata ~> |$|{"user_id": "changed"}|',
    'messages ~> |content[type = "text"]|{"text": "changed"}|',
    '$spread(metadata)',
    '$each(metadata, function($v, $k) { $k })',
    '$sift(metadata, function($v) { true })',
    'messages#$i.{ "i": $i, "role": role }',
    '$distinct(nums)',
    '$zip(nums, nums)',
    '$map(messages, function($m) { $m.role })',
    '$filter(nums, function($n) { $n > 1 })',
    '$reduce(nums, function($a, $b) { $a + $b })',
    '$table("kind", model)',
    '$string(metadata)',
    '$keys(metadata)',
    '$lookup(metadata, "user_id")',
    '[nums, nums]',
    'nums[[0..1]]',
    '$',
    '$$.messages[0]',
  ];

  it.each(expressions)('%s', async (from) => {
    const input = deepFreeze(structuredClone(INPUT));
    const mapping = createMappingBlock([{ id: 'r', target: 'out.value', rule: compileRule('r', from, env) }]);
    const out = await mapping.apply(input, { request: input });
    expect(input).toEqual(INPUT);
    expect(out).toBeDefined();
  });

  // JSONata's interpreter marks a kept-singleton result by setting `keepSingleton = true` on the
  // array it found — the input's own array. Compiled rules (the default) never touch the input.
  it.each(['one[]', 'messages[]', 'metadata.tags[]'])('%s (keep-singleton arrays)', async (from) => {
    const input = deepFreeze(structuredClone(INPUT));
    const mapping = createMappingBlock([{ id: 'r', target: 'out.value', rule: compileRule('r', from, env) }]);
    await mapping.apply(input, { request: input });
    expect(input).toEqual(INPUT);
  });

  // Known and kept visible: with RULE_ENGINE=interpreted, JSONata itself still sets the flag.
  it.fails('one[] leaves no keepSingleton key on an unfrozen input, interpreted', async () => {
    const input = structuredClone(INPUT);
    const mapping = createMappingBlock([{ id: 'r', target: 'kept', rule: compileRule('r', 'one[]', { ...env, engine: 'interpreted' }) }]);
    await mapping.apply(input, { request: input });
    expect(Object.keys(input.one)).toEqual(['0']);
  });

  it('one[] leaves no keepSingleton key on an unfrozen input', async () => {
    const input = structuredClone(INPUT);
    const mapping = createMappingBlock([{ id: 'r', target: 'kept', rule: compileRule('r', 'one[]', env) }]);
    await mapping.apply(input, { request: input });
    expect(Object.keys(input.one)).toEqual(['0']);
  });

  // Values are not copied into the output (it is read-only for whoever receives it): a row writing
  // below an earlier row's value copies each container on its way first.
  const block = (rows: Array<[target: string, from: string]>) =>
    createMappingBlock(rows.map(([target, from], i) => ({ id: `row-${i}`, target, rule: compileRule(`row-${i}`, from, env) })));

  it('a row writing below an earlier row\'s value copies what it writes into, never the input', async () => {
    const input = deepFreeze(structuredClone(INPUT));
    const mapping = block([
      ['metadata', 'metadata'],
      ['metadata.extra', '"added"'],
      ['metadata.tags.1', '"b"'],
      ['messages', 'messages'],
      ['messages.1.content', '"changed"'],
      ['messages.1.extra.deep', '1'],
    ]);
    const out = (await mapping.apply(input, { request: input })) as { metadata: Record<string, unknown>; messages: Array<Record<string, unknown>> };
    expect(out.metadata).toEqual({ user_id: 'u1', tags: ['a', 'b'], extra: 'added' });
    expect(out.messages[1]).toEqual({ role: 'assistant', content: 'changed', extra: { deep: 1 } });
    expect(input).toEqual(INPUT);
    // What no row writes into is the input's own object: the output is read-only.
    expect(out.messages[0]).toBe(input.messages[0]);
  });

  it('a row replacing an earlier row\'s value, then a row writing below it, copies the new value', async () => {
    const input = deepFreeze(structuredClone(INPUT));
    const out = await block([['value', 'metadata'], ['value.first', '1'], ['value', 'messages[0]'], ['value.second', '2']]).apply(input, { request: input });
    expect(out.value).toEqual({ ...INPUT.messages[0], second: 2 });
    expect(input).toEqual(INPUT);
  });
});

describe('the toy pair never mutates what it translates', () => {
  let pair: CompiledPair;
  beforeAll(async () => {
    const fixture = fileURLToPath(new URL('../../fixtures/mini/', import.meta.url));
    const { set, problems } = await loadMappingSet({ mappingsDir: path.join(fixture, 'mappings'), schemasDir: path.join(fixture, 'schemas'), env: {} });
    expect(problems).toEqual([]);
    pair = set!.pairs[0];
  });

  const request = { model: 'small-1', prompt: 'hello', tags: ['a', 'b'], limit: 5 };

  it('request: the inbound body', async () => {
    const input = deepFreeze(structuredClone(request));
    const first = await pair.translator.request(input);
    expect(input).toEqual(request);
    expect(await pair.translator.request(input)).toEqual(first); // a retry gets the same answer
  });

  it('response: the upstream body and the inbound body', async () => {
    const upstream = { output: { text: 'hi there' } };
    const [body, inbound] = [deepFreeze(structuredClone(upstream)), deepFreeze(structuredClone(request))];
    await pair.translator.response(body, inbound);
    expect([body, inbound]).toEqual([upstream, request]);
  });

  it('upstream error: the failure and the inbound body', async () => {
    const failure = { status: 429, kind: 'http' as const, body: { e: [1] }, headers: { 'retry-after': '3' }, message: 'upstream answered 429' };
    const [frozen, inbound] = [deepFreeze(structuredClone(failure)), deepFreeze(structuredClone(request))];
    const out = await pair.translator.upstreamError(frozen, inbound);
    expect(out.status).toBe(429);
    expect([frozen, inbound]).toEqual([failure, request]);
  });
});
