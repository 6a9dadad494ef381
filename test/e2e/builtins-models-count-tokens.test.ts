/**
 * GET /v1/models(/{id}) and POST /v1/messages/count_tokens with the official SDK (1.14.0).
 * Token counting maps the body with the pair's request rules, asks the upstream's input-token
 * endpoint, and counts locally when that fails.
 */
import Anthropic from '@anthropic-ai/sdk';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { openAiErrorBody } from '../helpers/fake-upstream.js';

let h: Harness;
let client: Anthropic;
let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-count-'));
  h = await startHarness({ DATA_DIR: dataDir, HOT_RELOAD: 'off' });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await h?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => h.upstream.reset());

const weather = { name: 'get_weather', description: 'Get weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('models', () => {
  it('list: the models_listed of the pair, newest first, in the ModelInfo shape; the SDK pages through them', async () => {
    const page = await client.models.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toMatchObject({ type: 'model', id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '2026-02-04T00:00:00Z' });
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) all.push(model.id);
    expect(all).toEqual(['claude-opus-4-6', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805']);
  });

  it('retrieve: a listed model, or 404 not_found_error', async () => {
    expect(await client.models.retrieve('claude-sonnet-4-5-20250929')).toMatchObject({ id: 'claude-sonnet-4-5-20250929', type: 'model', created_at: '2025-09-29T00:00:00Z' });
    const err = await client.models.retrieve('claude-fake-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('count_tokens', () => {
  it('asks the upstream input-token endpoint with the mapped payload (only the fields it takes)', async () => {
    h.upstream.enqueue({ json: { object: 'response.input_tokens', input_tokens: 77 } });
    const { data, response } = await client.messages.countTokens({
      model: 'claude-opus-5-5', system: 'terse', tools: [weather], messages: [{ role: 'user', content: 'hi' }],
    }).withResponse();
    expect(data).toEqual({ input_tokens: 77 });
    expect(response.headers.get('rosetta-token-count')).toBe('upstream');
    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/responses/input_tokens');
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    const body = sent.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'gpt-5', instructions: 'terse', tools: [expect.objectContaining({ type: 'function', name: 'get_weather' })] });
    expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['input', 'instructions', 'model', 'tools']));
    for (const key of ['max_output_tokens', 'stream', 'store', 'include']) expect(body).not.toHaveProperty(key);
  });

  it('counts locally (o200k) when the upstream count fails; system and tools add to the count', async () => {
    h.upstream.setDefault({ error: { status: 404, body: openAiErrorBody(404) } });
    const bare = await client.messages.countTokens({ model: 'claude-opus-5-5', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(bare.response.headers.get('rosetta-token-count')).toBe('local');
    // "hi" (1) + 4 framing + 3 priming
    expect(bare.data.input_tokens).toBe(8);
    const full = await client.messages.countTokens({ model: 'claude-opus-5-5', system: 'terse', tools: [weather], messages: [{ role: 'user', content: 'hi' }] });
    expect(full.input_tokens).toBeGreaterThan(bare.data.input_tokens + 10);
  });

  it('the beta client (token-counting beta header) gets the same answer; bad bodies are 400s', async () => {
    h.upstream.setDefault({ fault: 'reset-before-headers' });
    const beta = await client.beta.messages.countTokens({ model: 'claude-opus-5-5', messages: [{ role: 'user', content: 'hi' }], betas: ['token-counting-2024-11-01'] });
    expect(beta).toEqual({ input_tokens: 8 });
    const bad = await client.messages.countTokens({ model: 'claude-opus-5-5', messages: 'nope' as never }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
  });
});
