/**
 * The request limits end to end: JSON nesting depth, prototype-pollution keys, the per-key rate
 * limit (429 with retry-after), and the cap on concurrent upstream requests with its bounded
 * queue (529 when full). Each refusal is a valid Anthropic error and nothing reaches the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { withTimeout } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loadChunks, loadJson } from '../helpers/reference.js';

const REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
const ANSWER = loadJson('openai-responses/vercel-ai/azure-text.1.json');
const EVENTS = loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt') as object[];
const anthropic = apiSchemaKit('anthropic-messages');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function post(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${h.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

function expectAnthropicError(answer: Answer, status: number, type: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(anthropic.errorsOf('error', answer.body)).toEqual([]);
  expect(answer.body.error.type).toBe(type);
}

describe('JSON shape: depth and prototype keys (MAX_JSON_DEPTH=16)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ HOT_RELOAD: 'off', MAX_JSON_DEPTH: '16' });
  });
  afterAll(async () => h?.stop());

  const withMetadata = (json: string) => `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${json}}`;

  it.each<{ name: string; body: string; message: RegExp }>([
    { name: 'a body nested one level past the limit is 400', body: withMetadata(`${'['.repeat(16)}${']'.repeat(16)}`), message: /nests deeper than 16 levels/ },
    { name: 'a body nested 100 000 levels deep is 400, and nothing overflows', body: withMetadata(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), message: /nests deeper than 16 levels/ },
    { name: 'a __proto__ key is 400', body: withMetadata('{"__proto__":{"isAdmin":true}}'), message: /"__proto__"/ },
    { name: 'a constructor.prototype key is 400', body: withMetadata('{"constructor":{"prototype":{"isAdmin":true}}}'), message: /constructor\.prototype/ },
  ])('$name, an invalid_request_error that says why', async ({ body, message }) => {
    const answer = await post(h, body);
    expectAnthropicError(answer, 400, 'invalid_request_error');
    expect(answer.body.error.message).toMatch(message);
    expect(h.upstream.requests).toHaveLength(0);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a body within the limit is served', async () => {
    h.upstream.enqueue({ json: ANSWER });
    const answer = await post(h, withMetadata('{"user_id":"u-1"}'));
    expect(answer.status).toBe(200);
  });
});

describe('rate limit per key (RATE_LIMIT_RPM=60, RATE_LIMIT_BURST=2)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ HOT_RELOAD: 'off', RATE_LIMIT_RPM: '60', RATE_LIMIT_BURST: '2', GATEWAY_API_KEYS: `${GATEWAY_KEY},second-client-key` });
    h.upstream.setDefault({ json: ANSWER });
  });
  afterAll(async () => h?.stop());

  it('a burst of 2 passes; the 3rd is 429 rate_limit_error with retry-after, before the upstream', async () => {
    expect((await post(h, REQUEST)).status).toBe(200);
    expect((await post(h, REQUEST)).status).toBe(200);
    const limited = await post(h, REQUEST);
    expectAnthropicError(limited, 429, 'rate_limit_error');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(1);
    expect(limited.body.request_id).toBe(limited.headers.get('request-id'));
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('another key has its own bucket', async () => {
    expect((await post(h, REQUEST, { 'x-api-key': 'second-client-key' })).status).toBe(200);
  });

  it('the same key as a Bearer token shares the bucket of its x-api-key', async () => {
    expect((await post(h, REQUEST, { 'x-api-key': '', authorization: `Bearer ${GATEWAY_KEY}` })).status).toBe(429);
  });

  it('after retry-after the key is served again', async () => {
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await post(h, REQUEST)).status).toBe(200);
  });

  it('rejections are counted in /metrics', async () => {
    const metrics = await (await fetch(`${h.gateway.url}/metrics`, { headers: { 'x-api-key': 'second-client-key' } })).text();
    expect(metrics).toMatch(/^rosetta_rejections_total\{reason="rate_limited"\} 2$/m);
  });
});

describe('concurrent upstream requests (MAX_CONCURRENT_UPSTREAM=1, MAX_QUEUE=1)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ HOT_RELOAD: 'off', MAX_CONCURRENT_UPSTREAM: '1', MAX_QUEUE: '1', QUEUE_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => h?.stop());

  it('one stream holds the slot, one request waits, the third is refused at once with 529 overloaded_error', async () => {
    h.upstream.enqueue({ sse: EVENTS, gate: true }, { json: ANSWER });
    const holding = post(h, { ...REQUEST, stream: true });
    await withTimeout(h.upstream.firstEventSent, 5_000, 'the first stream to start');
    const waiting = post(h, REQUEST);
    await new Promise((r) => setTimeout(r, 100)); // let it reach the queue
    const refused = await post(h, REQUEST);
    expectAnthropicError(refused, 529, 'overloaded_error');
    expect(h.upstream.requests).toHaveLength(1);

    h.upstream.release();
    const [stream, queued] = await Promise.all([holding, waiting]);
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: message_stop');
    expect(queued.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('a request that waits longer than QUEUE_TIMEOUT_MS is refused with 529', async () => {
    const short = await startHarness({ HOT_RELOAD: 'off', MAX_CONCURRENT_UPSTREAM: '1', MAX_QUEUE: '5', QUEUE_TIMEOUT_MS: '150' });
    try {
      short.upstream.enqueue({ sse: EVENTS, gate: true });
      const holding = post(short, { ...REQUEST, stream: true });
      await withTimeout(short.upstream.firstEventSent, 5_000, 'the stream to start');
      expectAnthropicError(await post(short, REQUEST), 529, 'overloaded_error');
      short.upstream.release();
      expect((await holding).status).toBe(200);
    } finally {
      await short.stop();
    }
  });
});
