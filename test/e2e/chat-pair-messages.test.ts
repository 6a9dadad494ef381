/**
 * anthropic-to-openai-chat end to end: the official Anthropic SDK against the gateway with every
 * shipped pair loaded, the fake upstream speaking Chat Completions. JSON answers, tool round trips,
 * upstream errors, and what reached the upstream (path, key, body valid against the Chat request
 * schema). Routing between the two pairs that share /v1/messages: open-model names and the
 * x-rosetta-pair header reach this pair, Claude models still reach anthropic-to-openai-responses.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { replyFromRecording } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { findRecording, listRecordings, type Recording } from '../helpers/reference.js';

const CHAT_KEY = 'sk-chat-upstream-canary-42';
const chatSchemas = apiSchemaKit('openai-chat-completions');

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  // The harness points the chat pair's upstream at the same fake; its own key tells it apart.
  h = await startHarness({ HOT_RELOAD: 'off', OPENAI_CHAT_API_KEY: CHAT_KEY });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

const recording = (name: string): Recording => findRecording('openai-chat-completions', name);

const weatherTool = { name: 'get_weather', description: 'Get the current weather for a city.', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('JSON answers through the chat pair', () => {
  it('a text answer: content, stop reason, usage, the model the client named; the upstream got a valid Chat request with the chat key', async () => {
    h.upstream.enqueue(replyFromRecording(recording('vercel-ai/openai-text.json')));
    const message = await client.messages.create({ model: 'llama3.1:8b', max_tokens: 1024, system: 'Be creative.', messages: [{ role: 'user', content: 'Invent a holiday.' }] });
    expect(message.model).toBe('llama3.1:8b');
    expect(message.id).toBe('msg_D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Galaxy Day') });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 16, output_tokens: 363, cache_read_input_tokens: 0 });

    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${CHAT_KEY}`);
    chatSchemas.expectValid('request', sent.body, 'upstream request');
    expect(sent.body).toMatchObject({ model: 'llama3.1:8b', stream: false, max_tokens: 1024, messages: [{ role: 'system', content: 'Be creative.' }, { role: 'user', content: 'Invent a holiday.' }] });
  });

  it('a tool round trip: tool_use out, tool_result back as a "tool" message answering the same call id', async () => {
    const [first, second] = [recording('pydantic-ai/test_tool_choice_matrix[auto-openai].yaml#0'), recording('pydantic-ai/test_tool_choice_matrix[auto-openai].yaml#1')];
    h.upstream.enqueue(replyFromRecording(first));
    const asked: Anthropic.MessageParam = { role: 'user', content: "What's the weather in Paris?" };
    const call = await client.messages.create({ model: 'qwen3:8b', max_tokens: 1024, tools: [weatherTool], tool_choice: { type: 'any' }, messages: [asked] });
    expect(call.stop_reason).toBe('tool_use');
    const toolUse = call.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(toolUse).toMatchObject({ id: 'call_aDdJTteHrpMdhdkEkyxjxEHH', name: 'get_weather', input: { city: 'Paris' } });
    expect(h.upstream.requests[0].body).toMatchObject({ tool_choice: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] });

    h.upstream.enqueue(replyFromRecording(second));
    const answer = await client.messages.create({
      model: 'qwen3:8b',
      max_tokens: 1024,
      tools: [weatherTool],
      messages: [asked, { role: 'assistant', content: call.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'Sunny, 22C in Paris' }] }],
    });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('sunny in Paris') });
    const sent = h.upstream.requests[1].body as { messages: unknown[] };
    chatSchemas.expectValid('request', sent, 'second upstream request');
    expect(sent.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: toolUse.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: toolUse.id, content: 'Sunny, 22C in Paris' },
    ]);
  });

  it('an upstream 400 reaches the SDK as BadRequestError with Anthropic\'s error shape and the upstream message', async () => {
    h.upstream.enqueue(replyFromRecording(recording('vercel-ai/reasoning-model-legacy-parameter-error.json')));
    const err = await client.messages.create({ model: 'gpt-oss:20b', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const e = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining("Unsupported parameter: 'max_tokens'") } });
  });

  it('an upstream 429 with retry-after reaches the SDK as RateLimitError with the header', async () => {
    h.upstream.enqueue({ error: { status: 429, body: { error: { message: 'Rate limit reached', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } }, headers: { 'retry-after': '3' } } });
    const err = await client.messages.create({ model: 'qwen3:8b', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('3');
  });

  it('more than 4 stop sequences: a 400 from the gateway, the upstream is not called', async () => {
    const err = await client.messages.create({ model: 'qwen3:8b', max_tokens: 100, stop_sequences: ['a', 'b', 'c', 'd', 'e'], messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain('at most 4');
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('routing between the pairs that serve /v1/messages', () => {
  it('a Claude model still goes to the Responses pair (POST /v1/responses)', async () => {
    const responses = listRecordings('openai-responses').find((r) => r.kind === 'json' && r.name === 'vercel-ai/azure-text.1.json')!;
    h.upstream.enqueue(replyFromRecording(responses));
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.model).toBe('claude-sonnet-4-5');
    expect(h.upstream.requests[0].path).toBe('/v1/responses');
  });

  it('the x-rosetta-pair header sends any model name to the chat pair, whose models table then decides', async () => {
    const err = await client.messages
      .create({ model: 'my-finetune', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-rosetta-pair': 'anthropic-to-openai-chat' } })
      .catch((e: unknown) => e);
    // my-finetune is not one of the chat pair's globs: its own not_found, not the Responses pair's
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as Error).message).toContain('model: my-finetune');
    expect(h.upstream.requests).toHaveLength(0);

    h.upstream.enqueue(replyFromRecording(recording('vercel-ai/openai-text.json')));
    await client.messages.create({ model: 'mistral-small3.2:24b', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-rosetta-pair': 'anthropic-to-openai-chat' } });
    expect(h.upstream.requests[0].path).toBe('/v1/chat/completions');
  });

  it('count_tokens for an open model is counted locally by the chat pair', async () => {
    const response = await fetch(`${h.gateway.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'Say hello to the world.' }], tools: [weatherTool] }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('rosetta-token-count')).toBe('local');
    const { input_tokens } = (await response.json()) as { input_tokens: number };
    expect(input_tokens).toBeGreaterThan(20);
    expect(input_tokens).toBeLessThan(200);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('GET /v1/models lists the chat pair\'s models with the header, the Responses pair\'s without', async () => {
    const chat = await client.models.list({}, { headers: { 'x-rosetta-pair': 'anthropic-to-openai-chat' } });
    expect(chat.data.map((m) => m.id)).toContain('qwen3:8b');
    const claude = await client.models.list();
    expect(claude.data.map((m) => m.id).every((id) => id.startsWith('claude-'))).toBe(true);
  });
});
