/**
 * The official Anthropic SDK, pointed at the gateway, against a fake Responses upstream that
 * answers with recorded real traffic. What the SDK gets must be what Anthropic's API would give.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { loadJson, loadClientCapture } from '../helpers/reference.js';
import { openAiErrorBody } from '../helpers/fake-upstream.js';

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await startHarness();
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

const weatherTool = {
  name: 'weather',
  description: 'Get the weather for a location',
  input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] },
};

describe('messages.create through the gateway', () => {
  it('a recorded text answer comes back as an Anthropic message with the client model echoed', async () => {
    const recorded = loadJson<{ id: string; output: Array<{ content: Array<{ text: string }> }>; usage: { input_tokens: number; output_tokens: number } }>(
      'openai-responses/vercel-ai/azure-text.1.json',
    );
    h.upstream.enqueue({ json: recorded });

    const message = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 100,
      system: 'Answer with one word.',
      messages: [{ role: 'user', content: 'Say a word' }],
    });

    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('claude-opus-5-5');
    expect(message.id).toBe(`msg_${recorded.id.replace(/^resp_/, '')}`);
    expect(message.content).toEqual([{ type: 'text', text: recorded.output[0].content[0].text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(recorded.usage.input_tokens);
    expect(message.usage.output_tokens).toBe(recorded.usage.output_tokens);

    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/responses');
    expect(sent.body).toMatchObject({ model: 'gpt-5', instructions: 'Answer with one word.' });
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(sent.headers)).not.toContain(GATEWAY_KEY);
  });

  it('a recorded function call comes back as a tool_use block with parsed input', async () => {
    const recorded = loadJson<{ output: Array<{ call_id: string; arguments: string }> }>('openai-responses/vercel-ai/azure-tool-call.1.json');
    h.upstream.enqueue({ json: recorded });

    const message = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 100,
      tools: [weatherTool],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
    });

    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'tool_use', id: recorded.output[0].call_id, name: 'weather', input: JSON.parse(recorded.output[0].arguments) },
    ]);
    const sent = h.upstream.requests[0].body as { tools: unknown[]; tool_choice: unknown };
    expect(sent.tool_choice).toBe('required');
    expect(sent.tools).toEqual([expect.objectContaining({ type: 'function', name: 'weather', parameters: weatherTool.input_schema })]);
  });

  it('a tool_result round trip reaches the upstream as function_call + function_call_output, is_error included', async () => {
    h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
    await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'weather', input: { location: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'service down', is_error: true }] },
      ],
    });
    const input = (h.upstream.requests[0].body as { input: Array<Record<string, unknown>> }).input;
    const call = input.find((i) => i.type === 'function_call');
    const output = input.find((i) => i.type === 'function_call_output');
    expect(call).toMatchObject({ call_id: 'toolu_01', name: 'weather', arguments: JSON.stringify({ location: 'Paris' }) });
    expect(output).toMatchObject({ call_id: 'toolu_01' });
    expect(JSON.stringify(output!.output)).toContain('service down');
    expect(JSON.stringify(output!.output).toLowerCase()).toContain('error');
  });

  it('stop_sequences are honoured by the gateway: text cut at the first match, stop_reason stop_sequence', async () => {
    const recorded = structuredClone(loadJson<Record<string, any>>('openai-responses/vercel-ai/azure-text.1.json'));
    recorded.output[0].content[0].text = 'one, two, three, four';
    h.upstream.enqueue({ json: recorded });
    const message = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 100,
      stop_sequences: ['four', ', three'],
      messages: [{ role: 'user', content: 'Count' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'one, two' }]);
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe(', three');
    expect(h.upstream.requests[0].body).not.toHaveProperty('stop');
  });
});

describe('errors reach the SDK in Anthropic shape', () => {
  it('upstream 429 → RateLimitError with retry-after', async () => {
    h.upstream.enqueue({ error: { status: 429, body: openAiErrorBody(429, 'Rate limit reached'), headers: { 'retry-after': '7' } } });
    const err = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.headers.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('upstream 400 → BadRequestError carrying the upstream message', async () => {
    const recorded = loadJson<Record<string, unknown>>('openai-responses/vercel-ai/reasoning-model-temperature-error.json');
    h.upstream.enqueue({ error: { status: 400, body: recorded } });
    const err = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.error.error.type).toBe('invalid_request_error');
    expect(err.error.error.message).toContain('temperature');
  });

  it('upstream 503 → 529 overloaded_error', async () => {
    h.upstream.enqueue({ error: { status: 503, body: openAiErrorBody(503) } });
    const err = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.status).toBe(529);
    expect(err.error.error.type).toBe('overloaded_error');
  });

  it('an upstream that resets the connection → an Anthropic error, and the gateway keeps serving', async () => {
    h.upstream.enqueue({ fault: 'reset-before-headers' }, { json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
    const err = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.status).toBeGreaterThanOrEqual(500);
    expect(err.error.type).toBe('error');
    const ok = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    expect(ok.type).toBe('message');
  });

  it('a wrong gateway key → AuthenticationError, and nothing reaches the upstream', async () => {
    const stranger = new Anthropic({ baseURL: h.gateway.url, apiKey: 'wrong', maxRetries: 0 });
    const err = await stranger.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error.error.type).toBe('authentication_error');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('a bearer token (authToken) is accepted like an x-api-key', async () => {
    h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
    const bearer = new Anthropic({ baseURL: h.gateway.url, apiKey: null, authToken: GATEWAY_KEY, maxRetries: 0 });
    const message = await bearer.messages.create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    expect(message.type).toBe('message');
  });

  it('a request the schema rejects → BadRequestError naming the path, nothing sent upstream', async () => {
    const err = await client.messages
      .create({ model: 'claude-opus-5-5', max_tokens: 10, messages: [{ role: 'robot' as 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.error.error.message).toContain('/messages/0');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('an unknown model → NotFoundError', async () => {
    const err = await client.messages.create({ model: 'llama-99', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error.error.type).toBe('not_found_error');
  });
});

describe('requests real clients send', () => {
  for (const capture of ['claude-code/tool/002-POST-v1_messages.json', 'claude-code/interactive/001-POST-v1_messages.json', 'anthropic-sdk/sdk-1.14.0/001-POST-v1_messages.json', 'anthropic-sdk/sdk-1.14.0/004-POST-v1_messages.json']) {
    it(`${capture} is accepted and mapped to a valid upstream request`, async () => {
      const { body, url } = loadClientCapture(capture);
      h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
      const response = await fetch(`${h.gateway.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ ...(body as object), stream: false }),
      });
      const answer = await response.json();
      expect(response.status, JSON.stringify(answer)).toBe(200);
      expect(answer.type).toBe('message');
      const sent = h.upstream.requests[0].body as Record<string, unknown>;
      expect(sent.max_output_tokens).toBeLessThanOrEqual(128000);
      if (typeof sent.user === 'string') expect(sent.user.length).toBeLessThanOrEqual(64);
      if (typeof sent.safety_identifier === 'string') expect(sent.safety_identifier.length).toBeLessThanOrEqual(64);
    });
  }
});
