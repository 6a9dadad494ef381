/**
 * anthropic-to-openai-chat streaming end to end: the official SDK's stream helper against the
 * gateway, the fake upstream writing Chat Completions SSE (`data: <chunk>` lines without event
 * names, ending with `data: [DONE]`). Recorded text and tool-call streams, a server that sends no
 * usage chunk, a stream cut mid-answer, and the upstream request (stream_options.include_usage,
 * valid against the Chat request schema).
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAnthropicStream, parseSse } from '../helpers/anthropic-sse-grammar.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { replyFromRecording } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { findRecording, type Recording } from '../helpers/reference.js';

const chatSchemas = apiSchemaKit('openai-chat-completions');

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await startHarness({ HOT_RELOAD: 'off', UPSTREAM_IDLE_TIMEOUT_MS: '1500', STREAM_PING_INTERVAL_MS: '5000' });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

const recording = (name: string): Recording => findRecording('openai-chat-completions', name);

const capitalTool = { name: 'get_capital', input_schema: { type: 'object' as const, properties: { country: { type: 'string' } }, required: ['country'] } };
const ask = (extra: Partial<Anthropic.MessageStreamParams> = {}): Anthropic.MessageStreamParams => ({
  model: 'qwen3:8b',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'What is the capital of the UK? Use the tool, then answer.' }],
  tools: [capitalTool],
  ...extra,
});

async function rawStream(body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${h.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

const chunk = (delta: object, finish: string | null = null) => ({ id: 'chatcmpl-e2e1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

describe('streams through the chat pair', () => {
  it('a recorded text stream: the SDK folds it into the answer, with the usage chunk\'s counts; the upstream was asked for usage', async () => {
    h.upstream.enqueue(replyFromRecording(recording('pydantic-ai/test_run_stream_sync_streams_real_model.yaml#1')));
    const stream = client.messages.stream(ask());
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'The capital of the UK is London.', citations: null }].map(({ citations: _c, ...b }) => b));
    expect(texts.join('')).toBe('The capital of the UK is London.');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 78, output_tokens: 9 });
    expect(message.id).toBe('msg_Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc');

    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/chat/completions');
    chatSchemas.expectValid('request', sent.body, 'upstream request');
    expect(sent.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('a recorded tool-call stream: input_json_delta pieces become the tool_use input; stop_reason tool_use', async () => {
    h.upstream.enqueue(replyFromRecording(recording('pydantic-ai/test_run_stream_sync_streams_real_model.yaml#0')));
    const message = await client.messages.stream(ask()).finalMessage();
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', input: { country: 'UK' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage.output_tokens).toBe(15);
  });

  it('the raw stream follows Anthropic\'s grammar and carries no Chat framing (no data: [DONE])', async () => {
    h.upstream.enqueue(replyFromRecording(recording('vercel-ai/openai-text.chunks.txt')));
    const raw = await rawStream({ ...ask(), stream: true });
    expect(raw.status).toBe(200);
    const events = parseSse(raw.text).filter((e) => e.event !== 'ping');
    expect(checkAnthropicStream(events)).toEqual([]);
    expect(events.at(-1)?.event).toBe('message_stop');
    expect(raw.text).not.toContain('[DONE]');
    expect(raw.text.split('\n').filter((l) => l.startsWith('data:')).length).toBe(raw.text.split('\n').filter((l) => l.startsWith('event:')).length);
  });

  it('a server that ignores include_usage (finish_reason, then data: [DONE]) still ends the message normally', async () => {
    // Written one event at a time (delayMs), as a generating server does.
    h.upstream.enqueue({ sse: [chunk({ role: 'assistant', content: 'Hi' }), chunk({ content: ' there.' }), chunk({}, 'stop'), '[DONE]'], delayMs: 30 });
    const message = await client.messages.stream(ask({ tools: undefined })).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hi there.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(0);
  });

  // The relay reads `data: [DONE]` (not JSON) as a malformed event; the events translated from
  // the same network read go out first, then on_error ends the message (the upstream had already
  // sent its finish_reason).
  it('a whole no-usage stream in one network write reaches the client intact', async () => {
    h.upstream.enqueue({ sse: [chunk({ role: 'assistant', content: 'Hi' }), chunk({ content: ' there.' }), chunk({}, 'stop'), '[DONE]'] });
    const message = await client.messages.stream(ask({ tools: undefined })).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hi there.' }]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('whole tool calls in single chunks with finish_reason "stop" (Ollama\'s shape) give tool_use blocks and stop_reason tool_use', async () => {
    h.upstream.enqueue({
      sse: [
        chunk({ role: 'assistant', content: '', tool_calls: [{ id: 'call_1', index: 0, type: 'function', function: { name: 'get_capital', arguments: '{"country":"UK"}' } }] }),
        chunk({ content: '', tool_calls: [{ id: 'call_2', index: 1, type: 'function', function: { name: 'get_capital', arguments: '{"country":"FR"}' } }] }),
        chunk({}, 'stop'),
        { id: 'chatcmpl-e2e1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 } },
        '[DONE]',
      ],
    });
    const message = await client.messages.stream(ask()).finalMessage();
    expect(message.content.map((b) => (b.type === 'tool_use' ? [b.id, b.input] : b.type))).toEqual([
      ['call_1', { country: 'UK' }],
      ['call_2', { country: 'FR' }],
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 20 });
  });

  it('a stream cut before the upstream said why it stopped ends with one error event; the SDK raises it', async () => {
    h.upstream.enqueue({ fault: 'cut-after', events: [chunk({ role: 'assistant', content: 'One, ' }), chunk({ content: 'two, ' }), chunk({ content: 'three' })], after: 2 });
    const raw = await rawStream({ ...ask(), stream: true });
    const events = parseSse(raw.text).filter((e) => e.event !== 'ping');
    expect(events.at(-1)?.event).toBe('error');
    expect(events.filter((e) => e.event === 'error')).toHaveLength(1);
    expect(events.map((e) => e.event)).not.toContain('message_stop');

    h.upstream.enqueue({ fault: 'cut-after', events: [chunk({ role: 'assistant', content: 'One, ' }), chunk({ content: 'two, ' })], after: 1 });
    await expect(client.messages.stream(ask()).finalMessage()).rejects.toThrow();
  });
});
