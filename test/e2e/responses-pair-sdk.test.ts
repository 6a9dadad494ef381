/**
 * The official OpenAI SDK, pointed at the gateway's Responses API, against a fake Anthropic
 * upstream that answers with recorded real Anthropic traffic (pair openai-responses-to-anthropic).
 * What the SDK gets must be what OpenAI's API would give; what reaches the upstream must be a
 * valid Anthropic Messages request.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { loadCassette, loadJson } from '../helpers/reference.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';

type Json = Record<string, any>;

let h: Harness;
let client: OpenAI;
const anthropic = apiSchemaKit('anthropic-messages');
const openai = apiSchemaKit('openai-responses');

beforeAll(async () => {
  h = await startHarness();
  client = new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

/** The body of upstream request `i`, checked against Anthropic's request schema. */
function upstreamBody(i = 0): Json {
  const sent = h.upstream.requests[i];
  expect(sent.path).toBe('/v1/messages');
  anthropic.expectValid('request', sent.body, `upstream request #${i}`);
  return sent.body as Json;
}

const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_011CUpstream' });

describe('responses.create (JSON) through the gateway', () => {
  it('a recorded text answer comes back as a Response with the client model, id and usage', async () => {
    const recorded = loadJson<Json>('anthropic-messages/vercel-ai/anthropic-text.json');
    h.upstream.enqueue({ json: recorded });

    const before = Math.floor(Date.now() / 1000);
    const response = await client.responses.create({ model: 'gpt-5', instructions: 'Be brief.', input: 'Say hello' });
    const after = Math.ceil(Date.now() / 1000);

    openai.expectValid('response', response, 'client response');
    // Anthropic's message carries no time: created_at is when the gateway received the request.
    expect(response.created_at).toBeGreaterThanOrEqual(before);
    expect(response.created_at).toBeLessThanOrEqual(after);
    expect(response.id).toBe(`resp_${recorded.id.replace(/^msg_/, '')}`);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('gpt-5');
    expect(response.output_text).toBe(recorded.content[0].text);
    const u = recorded.usage;
    expect(response.usage).toEqual({
      input_tokens: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
      input_tokens_details: { cached_tokens: u.cache_read_input_tokens, cache_write_tokens: u.cache_creation_input_tokens },
      output_tokens: u.output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens + u.output_tokens,
    });

    const sent = h.upstream.requests[0];
    expect(sent.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.stringify(sent.headers)).not.toContain(GATEWAY_KEY);
    expect(upstreamBody()).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 32000,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
      stream: false,
      cache_control: { type: 'ephemeral' },
    });
  });

  it('parallel tool calls come back as function_call items with the same call ids and JSON arguments', async () => {
    const [first] = loadCassette('anthropic-messages/pydantic-ai/test_multiple_parallel_tool_calls.yaml');
    const recorded = first.response.body as Json;
    h.upstream.enqueue({ json: recorded });
    const tools = [...new Set((recorded.content as Json[]).filter((b) => b.type === 'tool_use').map((b) => b.name as string))].map((name) => ({
      type: 'function' as const,
      name,
      parameters: { type: 'object', properties: {} },
      strict: false,
    }));

    const response = await client.responses.create({ model: 'gpt-5-mini', input: 'Do it', tools, parallel_tool_calls: false, tool_choice: 'required' });

    const calls = response.output.filter((item) => item.type === 'function_call');
    const uses = (recorded.content as Json[]).filter((b) => b.type === 'tool_use');
    expect(calls.map((c) => ({ call_id: c.call_id, name: c.name, args: JSON.parse(c.arguments) }))).toEqual(
      uses.map((b) => ({ call_id: b.id, name: b.name, args: b.input })),
    );
    const body = upstreamBody();
    expect(body.model).toBe('claude-haiku-4-5');
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(body.tools.map((t: Json) => t.name)).toEqual(tools.map((t) => t.name));
  });

  it('thinking and a tool call round-trip: the next request gives Anthropic back the exact thinking block', async () => {
    const [turn1, turn2] = loadCassette('anthropic-messages/pydantic-ai/test_anthropic_tool_with_thinking.yaml');
    h.upstream.enqueue({ json: turn1.response.body }, { json: turn2.response.body });
    const tools = [{ type: 'function' as const, name: 'get_user_country', description: '', parameters: { additionalProperties: false, properties: {}, type: 'object' }, strict: false }];
    const question = 'What is the largest city in the user country?';

    const first = await client.responses.create({ model: 'claude-sonnet-4-0', input: question, tools, reasoning: { effort: 'low', summary: 'auto' } });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    const reasoning = first.output[0] as Json;
    const recordedThinking = (turn1.response.body as Json).content[0];
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: recordedThinking.thinking }]);
    expect(reasoning.encrypted_content).toMatch(/^rosetta\.anthropic\.v1\./);
    const call = first.output[2] as Json;

    const second = await client.responses.create({
      model: 'claude-sonnet-4-0',
      tools,
      reasoning: { effort: 'low', summary: 'auto' },
      input: [{ role: 'user', content: question }, ...(first.output as any[]), { type: 'function_call_output', call_id: call.call_id, output: 'Mexico' }],
    });
    expect(second.output_text).toBe((turn2.response.body as Json).content[0].text);

    // What pydantic-ai sent Anthropic for the same second turn (is_error: false aside, which the
    // Responses API cannot express) is what the gateway sent.
    const recordedMessages = (turn2.request.body as Json).messages as Json[];
    const sent = upstreamBody(1);
    expect(sent.messages[1]).toEqual(recordedMessages[1]);
    expect(sent.messages[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.call_id, content: 'Mexico' }] });
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
  });

  it('a refusal by Anthropic ends the response as incomplete with reason content_filter', async () => {
    h.upstream.enqueue({ json: loadJson('anthropic-messages/vercel-ai/anthropic-refusal.json') });
    const response = await client.responses.create({ model: 'gpt-5', input: 'something refused' });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'content_filter' });
  });

  it('images and PDFs reach Anthropic as image and document blocks', async () => {
    h.upstream.enqueue({ json: loadJson('anthropic-messages/vercel-ai/anthropic-text.json') });
    await client.responses.create({
      model: 'gpt-5',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare these.' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'high' },
            { type: 'input_file', filename: 'doc.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' },
          ],
        },
      ],
    });
    expect(upstreamBody().messages[0].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' }, title: 'doc.pdf' },
    ]);
  });
});

describe('responses.inputTokens.count through the gateway', () => {
  it('is answered by Anthropic\'s count endpoint, with the body mapped as a real request would be', async () => {
    h.upstream.enqueue({ json: { input_tokens: 42 } });
    const { data, response } = await client.responses.inputTokens
      .count({ model: 'gpt-5-mini', instructions: 'Be brief.', input: 'How many tokens is this?', tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: false }] })
      .withResponse();
    expect(data).toEqual({ object: 'response.input_tokens', input_tokens: 42 });
    expect(response.headers.get('rosetta-token-count')).toBe('upstream');
    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/messages/count_tokens');
    expect(sent.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(sent.body).toEqual({
      model: 'claude-haiku-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'How many tokens is this?' }] }],
      tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'auto' },
    });
  });

  it('is estimated locally when the upstream cannot count', async () => {
    h.upstream.enqueue({ error: { status: 500, body: anthropicError('api_error', 'Internal server error') } });
    const { data, response } = await client.responses.inputTokens.count({ model: 'gpt-5', input: 'How many tokens is this sentence?' }).withResponse();
    expect(response.headers.get('rosetta-token-count')).toBe('local');
    expect(data.object).toBe('response.input_tokens');
    expect(data.input_tokens).toBeGreaterThan(5);
    expect(data.input_tokens).toBeLessThan(30);
  });
});

describe('errors reach the OpenAI SDK as its own error classes', () => {
  it.each([
    [529, 'overloaded_error', OpenAI.InternalServerError, 503, 'server_is_overloaded'],
    [429, 'rate_limit_error', OpenAI.RateLimitError, 429, 'rate_limit_exceeded'],
    [401, 'authentication_error', OpenAI.AuthenticationError, 401, 'invalid_api_key'],
    [400, 'invalid_request_error', OpenAI.BadRequestError, 400, null],
    [500, 'api_error', OpenAI.InternalServerError, 500, 'server_error'],
  ] as const)('Anthropic %i %s → %s (HTTP %i, code %s)', async (status, type, errorClass, clientStatus, code) => {
    h.upstream.enqueue({ error: { status, body: anthropicError(type, `the upstream said ${type}`), headers: { 'retry-after': '7', 'request-id': 'req_011CUpstream' } } });
    const err = await client.responses.create({ model: 'gpt-5', input: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorClass);
    const apiError = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(clientStatus);
    expect(apiError.code).toBe(code);
    expect(apiError.message).toContain(`the upstream said ${type}`);
    expect(apiError.headers?.get('retry-after')).toBe('7');
    openai.expectValid('error', { error: apiError.error }, 'error body');
  });

  it('the recorded Anthropic 404 for an unknown model is a NotFoundError with code model_not_found', async () => {
    const [notFound] = loadCassette('anthropic-messages/pydantic-ai/test_anthropic_count_tokens_error.yaml');
    h.upstream.enqueue({ error: { status: notFound.response.status, body: notFound.response.body } });
    const err = await client.responses.create({ model: 'claude-does-not-exist', input: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
  });

  it.each([
    ['previous_response_id', { previous_response_id: 'resp_123' }, /previous_response_id/],
    ['conversation', { conversation: 'conv_123' }, /conversation/],
    ['background', { background: true }, /background/],
    ['a hosted tool forced by tool_choice', { tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search_preview' } }, /tool_choice/],
    ['an item_reference', { input: [{ type: 'item_reference', id: 'msg_1' }] }, /item_reference/],
    ['an image stored at OpenAI', { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] }, /file_id/],
    ['JSON mode without a schema', { text: { format: { type: 'json_object' } } }, /json_object/],
  ])('a request that needs what the gateway does not have (%s) is a 400 BadRequestError, and nothing is sent upstream', async (_what, extra, message) => {
    const err = await client.responses.create({ model: 'gpt-5', input: 'hi', ...(extra as object) } as any).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(message);
    expect((err as InstanceType<typeof OpenAI.APIError>).type).toBe('invalid_request_error');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('an unknown model name is a 404 NotFoundError with code model_not_found', async () => {
    const err = await client.responses.create({ model: 'llama-3', input: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('a request without a model is a 400 naming the field', async () => {
    const err = await client.responses.create({ input: 'hi' } as any).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(/model/);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('a body that breaks the Responses schema is a 400 in OpenAI’s error shape', async () => {
    const response = await fetch(`${h.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: 'gpt-5', input: 5 }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    openai.expectValid('error', body, 'error body');
    expect(body.error.type).toBe('invalid_request_error');
  });
});

describe('errors the gateway raises itself are in OpenAI’s shape on the Responses routes', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ RATE_LIMIT_RPM: '1', RATE_LIMIT_BURST: '1' });
    limited.upstream.setDefault({ json: loadJson('anthropic-messages/vercel-ai/anthropic-text.json') });
  });
  afterAll(async () => limited?.stop());

  it('a wrong key is an AuthenticationError (401, invalid_api_key)', async () => {
    const wrong = new OpenAI({ baseURL: `${limited.gateway.url}/v1`, apiKey: 'not-a-gateway-key', maxRetries: 0 });
    const err = await wrong.responses.create({ model: 'gpt-5', input: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    openai.expectValid('error', { error: (err as InstanceType<typeof OpenAI.APIError>).error }, 'error body');
  });

  it('the gateway’s rate limit is a RateLimitError (429, rate_limit_exceeded) with retry-after', async () => {
    const ok = new OpenAI({ baseURL: `${limited.gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    await ok.responses.create({ model: 'gpt-5', input: 'first' });
    const err = await ok.responses.create({ model: 'gpt-5', input: 'second' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.code).toBe('rate_limit_exceeded');
    expect(Number(apiError.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.upstream.requests).toHaveLength(1);
  });
});
