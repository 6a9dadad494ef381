/**
 * Every recorded Chat Completions stream, run through the stream rules of anthropic-to-openai-chat,
 * gives a stream an Anthropic client accepts, and the message it folds into equals the non-streaming
 * answer for the same output.
 *
 * For each recording (listRecordings('openai-chat-completions'), kind 'stream', `data: [DONE]`
 * included as the raw string it is) and for constructed variants in the shapes other servers use
 * (reasoning_content, whole tool calls in one chunk, no usage chunk):
 *   - the events follow Anthropic's grammar (checkAnthropicStream) and validate against
 *     schemas/anthropic-messages/stream-event.json;
 *   - folding the events as the Anthropic SDK does gives the same message as
 *     `translator.response(<the chunks folded into one chat.completion>, request)`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runStream } from '../../../engine/translate/stream-program.js';
import { checkAnthropicStream, foldAnthropicStream } from '../../helpers/anthropic-sse-grammar.js';
import { listRecordings } from '../../helpers/reference.js';
import { loadChatPair, type ChatPairKit } from './pair-loader.js';

type Json = Record<string, any>;

let kit: ChatPairKit;
beforeAll(async () => {
  kit = await loadChatPair();
});

/** Folds Chat chunks into the chat.completion a non-streaming call would have answered. */
function foldChat(chunks: Json[]): Json {
  const message: Json = { role: 'assistant', content: null };
  const calls: Json[] = [];
  let finish: string | null = null;
  let stopReason: unknown;
  let usage: Json | undefined;
  let id = '';
  for (const chunk of chunks) {
    if (typeof chunk !== 'object') continue; // data: [DONE]
    id ||= chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const d = choice.delta ?? {};
    if (typeof d.content === 'string' && d.content !== '') message.content = (message.content ?? '') + d.content;
    if (typeof d.reasoning_content === 'string') message.reasoning_content = (message.reasoning_content ?? '') + d.reasoning_content;
    for (const tc of d.tool_calls ?? []) {
      const at = tc.index ?? calls.length;
      calls[at] ??= { id: tc.id, type: 'function', function: { name: tc.function?.name ?? '', arguments: '' } };
      calls[at].function.arguments += tc.function?.arguments ?? '';
    }
    if (choice.finish_reason) {
      finish = choice.finish_reason;
      stopReason = choice.stop_reason;
    }
  }
  if (calls.length > 0) message.tool_calls = calls;
  return { id, object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message, finish_reason: finish, ...(stopReason !== undefined ? { stop_reason: stopReason } : {}) }], ...(usage ? { usage } : {}) };
}

function requestFor(chunks: Json[], extra: Json = {}): Json {
  const names = new Set<string>();
  for (const c of chunks) for (const tc of c?.choices?.[0]?.delta?.tool_calls ?? []) if (tc.function?.name) names.add(tc.function.name);
  return {
    model: 'qwen3:8b',
    max_tokens: 1024,
    stream: true,
    messages: [{ role: 'user', content: 'Hello' }],
    ...(names.size > 0 ? { tools: [...names].map((name) => ({ name, input_schema: { type: 'object', properties: {} } })) } : {}),
    ...extra,
  };
}

const chunk = (choices: Json[], extra: Json = {}): Json => ({ id: 'chatcmpl-x1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra });
const text = (content: string, finish: string | null = null): Json => chunk([{ index: 0, delta: { content }, finish_reason: finish }]);
const usageChunk = chunk([], { usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } });

const recorded = listRecordings('openai-chat-completions').filter((r) => r.kind === 'stream');
const constructed: Array<{ name: string; chunks: Json[]; request?: Json; done: 'usage' | 'end' }> = [
  {
    name: 'constructed: vLLM reasoning_content, then text (thinking enabled)',
    chunks: [chunk([{ index: 0, delta: { role: 'assistant', reasoning_content: 'Let me ' }, finish_reason: null }]), chunk([{ index: 0, delta: { reasoning_content: 'think.' }, finish_reason: null }]), text('Four.'), text('', 'stop'), usageChunk, '[DONE]' as unknown as Json],
    request: { thinking: { type: 'enabled', budget_tokens: 1024 } },
    done: 'usage',
  },
  {
    name: 'constructed: Ollama whole tool calls in one chunk each, finish_reason stop',
    chunks: [
      chunk([{ index: 0, delta: { role: 'assistant', content: '', tool_calls: [{ id: 'call_a', index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: '', tool_calls: [{ id: 'call_b', index: 1, type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } }] }, finish_reason: null }]),
      text('', 'stop'),
      usageChunk,
    ],
    done: 'usage',
  },
  {
    name: 'constructed: no usage chunk (server ignores include_usage), the stream just ends',
    chunks: [text('Hi'), text(' there'), text('', 'stop'), '[DONE]' as unknown as Json],
    done: 'end',
  },
  {
    name: 'constructed: vLLM names the matched stop sequence',
    chunks: [text('One'), chunk([{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }]), usageChunk],
    request: { stop_sequences: ['END'] },
    done: 'usage',
  },
];

const cases = [
  ...recorded.map((r) => ({ name: r.name, chunks: r.events as Json[], request: undefined as Json | undefined, done: 'usage' as const })),
  ...constructed,
];

describe('anthropic-to-openai-chat stream rules over recorded and constructed Chat streams', () => {
  it('finds the recorded streams (each ends with data: [DONE] after the usage chunk)', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(3);
    for (const r of recorded) expect((r.events as unknown[]).at(-1)).toBe('[DONE]');
  });

  describe.each(cases)('$name', ({ chunks, request: extra, done }) => {
    const request = requestFor(chunks, extra);
    let emitted: Json[];
    let finished: boolean;

    beforeAll(async () => {
      const result = await runStream(kit.pair.stream!, chunks, request);
      emitted = result.emitted as Json[];
      finished = result.finished;
    });

    it('follows the Anthropic event grammar and the stream-event schema', () => {
      expect(checkAnthropicStream(emitted.map((e) => ({ event: e.type, data: e })))).toEqual([]);
      const validate = kit.validate('anthropic-messages', 'stream-event');
      expect(emitted.flatMap((e: Json) => (validate(e) ? [] : [String((e as Json).type)]))).toEqual([]);
      expect(emitted.at(-1)?.type).toBe('message_stop');
    });

    it(done === 'usage' ? 'ends at the usage chunk, before data: [DONE]' : 'ends when the upstream stream ends', () => {
      expect(finished).toBe(done === 'usage');
    });

    it('folds into the same message as the non-streaming answer for the same output', async () => {
      const streamed = foldAnthropicStream(emitted);
      const answered = await kit.pair.translator.response(foldChat(chunks), request);
      expect(streamed).toEqual(answered);
    });
  });

  it('a usage chunk sets the final counts (recorded text stream: 78 in, 9 out)', async () => {
    const r = recorded.find((x) => x.name === 'pydantic-ai/test_run_stream_sync_streams_real_model.yaml#1')!;
    const { emitted } = await runStream(kit.pair.stream!, r.events as Json[], requestFor([]));
    const delta = (emitted as Json[]).find((e) => e.type === 'message_delta')!;
    expect(delta.usage).toMatchObject({ input_tokens: 78, output_tokens: 9 });
    expect(delta.delta.stop_reason).toBe('end_turn');
  });

  it('reasoning is not shown when the client did not enable thinking', async () => {
    const chunks = constructed[0].chunks;
    const { emitted } = await runStream(kit.pair.stream!, chunks, requestFor(chunks));
    const blocks = (emitted as Json[]).filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type);
    expect(blocks).toEqual(['text']);
  });

  it('a stream cut before any finish_reason ends with one api_error event and no message_stop', async () => {
    const { emitted } = await runStream(kit.pair.stream!, [text('One, two')], requestFor([]));
    const types = (emitted as Json[]).map((e) => e.type);
    expect(types.at(-1)).toBe('error');
    expect(types).not.toContain('message_stop');
    expect((emitted as Json[]).at(-1)!.error.type).toBe('api_error');
  });
});

describe('config.stream.wait_for_usage_chunk: false (servers that ignore include_usage)', () => {
  it('ends the message at the finish_reason chunk, before data: [DONE] is read', async () => {
    const { cp, mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadMappingSet } = await import('../../../engine/spec/load-mapping-set.js');
    const { REPO_ROOT } = await import('../../helpers/gateway-harness.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rosetta-chat-pair-'));
    try {
      await cp(path.join(REPO_ROOT, 'mappings', 'anthropic-to-openai-chat'), path.join(dir, 'anthropic-to-openai-chat'), { recursive: true });
      const file = path.join(dir, 'anthropic-to-openai-chat', 'stream.yaml');
      const yaml = await readFile(file, 'utf8');
      expect(yaml).toContain('wait_for_usage_chunk: true');
      await writeFile(file, yaml.replace('wait_for_usage_chunk: true', 'wait_for_usage_chunk: false'));
      // the whole examples expect the default (counts from the usage chunk): left out here
      await rm(path.join(dir, 'anthropic-to-openai-chat', 'examples'), { recursive: true });
      const loaded = await loadMappingSet({ mappingsDir: dir, schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
      expect(loaded.problems).toEqual([]);
      const stream = loaded.set!.pairs[0].stream!;
      const chunks = [text('Hi'), text('', 'stop'), '[DONE]' as unknown as Json];
      const { emitted, finished } = await runStream(stream, chunks, requestFor([]));
      expect(finished).toBe(true);
      expect((emitted as Json[]).map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
