import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { Agent, fetch, request } from 'undici';
import { createParser } from 'eventsource-parser';
import {
  encodeSse,
  rawSse,
  replyFromRecording,
  startFakeUpstream,
  withTimeout,
  type FakeUpstream,
  type SseItem,
} from '../../helpers/fake-upstream.js';
import {
  API_NAMES,
  listClientCaptures,
  listRecordings,
  loadCassette,
  loadChunks,
  loadClientCapture,
  loadJson,
  referenceDir,
} from '../../helpers/reference.js';

const WAIT = 5_000;
const agent = new Agent({ keepAliveTimeout: 1_000 });
afterAll(() => agent.close());

interface ReceivedEvent {
  event: string | undefined;
  data: string;
  at: number;
}

/** Read an SSE body incrementally; collects events with arrival times, the raw text and any stream error. */
async function readSse(
  body: AsyncIterable<Uint8Array>,
  onEvent?: (e: ReceivedEvent, all: ReceivedEvent[]) => void,
): Promise<{ events: ReceivedEvent[]; raw: string; error?: Error }> {
  const events: ReceivedEvent[] = [];
  let raw = '';
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(msg) {
      const e = { event: msg.event, data: msg.data, at: performance.now() };
      events.push(e);
      onEvent?.(e, events);
    },
  });
  try {
    for await (const chunk of body) {
      const text = decoder.decode(chunk, { stream: true });
      raw += text;
      parser.feed(text);
    }
    raw += decoder.decode();
    return { events, raw };
  } catch (error) {
    return { events, raw, error: error as Error };
  }
}

function post(up: FakeUpstream, body: unknown = { model: 'gpt-test', stream: true }, signal?: AbortSignal) {
  return request(`${up.url}/responses`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
    signal,
  });
}

const textEvents: SseItem[] = [
  { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress' } },
  { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel' },
  { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'lo' },
  { type: 'response.completed', sequence_number: 3, response: { id: 'resp_1', status: 'completed' } },
];

describe('fake upstream', () => {
  let up: FakeUpstream;
  beforeEach(async () => {
    up = await startFakeUpstream();
  });
  afterEach(async () => {
    await withTimeout(up.close(), WAIT, 'fake upstream close');
  });

  it('listens on 127.0.0.1 on a random port and exposes an OpenAI-style /v1 base url', () => {
    expect(up.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(up.port).toBeGreaterThan(0);
    expect(up.url).toBe(`${up.origin}/v1`);
  });

  it('records method, path, query, lower-case headers and the parsed JSON body of every request', async () => {
    up.setDefault({ json: { ok: true } });
    const res = await request(`${up.url}/responses?trace=1`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'Content-Type': 'application/json', 'X-Custom-Thing': 'Yes' },
      body: JSON.stringify({ model: 'gpt-5', input: 'hi' }),
    });
    await res.body.dump();
    const get = await fetch(`${up.url}/models`, { dispatcher: agent });
    await get.arrayBuffer();

    expect(up.requests).toHaveLength(2);
    const [r0, r1] = up.requests;
    expect(r0).toMatchObject({ index: 0, method: 'POST', path: '/v1/responses', url: '/v1/responses?trace=1', query: { trace: '1' } });
    expect(r0.headers['x-custom-thing']).toBe('Yes');
    expect(r0.headers['content-type']).toBe('application/json');
    expect(r0.body).toEqual({ model: 'gpt-5', input: 'hi' });
    expect(r1).toMatchObject({ index: 1, method: 'GET', path: '/v1/models', rawBody: '', body: undefined });
  });

  it('json reply: sends the body with its status, content-type application/json and real OpenAI headers', async () => {
    up.enqueue({ json: { id: 'resp_x', object: 'response' }, status: 201 });
    const res = await post(up);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.headers['openai-processing-ms']).toMatch(/^\d+$/);
    expect(await res.body.json()).toEqual({ id: 'resp_x', object: 'response' });
  });

  it('gives every reply a fresh x-request-id, and reply headers override the defaults', async () => {
    up.enqueue({ json: {} }, { json: {}, headers: { 'X-Request-Id': 'req_fixed', 'x-extra': '1' } });
    const a = await post(up);
    await a.body.dump();
    const b = await post(up);
    await b.body.dump();
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect(b.headers['x-request-id']).toBe('req_fixed');
    expect(b.headers['x-extra']).toBe('1');
  });

  it('serves queued replies in order, then the default, then a 500 saying nothing was scripted', async () => {
    up.enqueue({ json: { n: 1 } }, { json: { n: 2 } });
    const bodies: unknown[] = [];
    for (let i = 0; i < 2; i++) bodies.push(await (await post(up)).body.json());
    expect(bodies).toEqual([{ n: 1 }, { n: 2 }]);
    expect(up.pending()).toBe(0);

    const unscripted = await post(up);
    expect(unscripted.statusCode).toBe(500);
    const err = (await unscripted.body.json()) as { error: { message: string; type: string } };
    expect(err.error.type).toBe('server_error');
    expect(err.error.message).toMatch(/no reply scripted/);
    expect(err.error.message).toMatch(/POST \/v1\/responses/);

    up.setDefault({ json: { n: 'default' } });
    expect(await (await post(up)).body.json()).toEqual({ n: 'default' });
    expect(await (await post(up)).body.json()).toEqual({ n: 'default' });
  });

  it('error reply: sends the status, body and headers given (429 with retry-after)', async () => {
    const body = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
    up.enqueue({ error: { status: 429, body, headers: { 'retry-after': '2' } } });
    const res = await post(up);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(await res.body.json()).toEqual(body);
  });

  it('error reply without a body gets an OpenAI-shaped error body for its status', async () => {
    up.enqueue({ error: { status: 503 } });
    const res = await post(up);
    expect(res.statusCode).toBe(503);
    const b = (await res.body.json()) as { error: Record<string, unknown> };
    expect(Object.keys(b.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(b.error.type).toBe('service_unavailable_error');
  });

  it('sse reply: writes `event: <type>\\ndata: <json>\\n\\n` frames with content-type text/event-stream; charset=utf-8', async () => {
    up.enqueue({ sse: textEvents });
    const res = await post(up);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    const { events, raw, error } = await withTimeout(readSse(res.body), WAIT, 'sse body');
    expect(error).toBeUndefined();
    expect(raw).toBe(textEvents.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    expect(events.map((e) => e.event)).toEqual(textEvents.map((e) => (e as { type: string }).type));
  });

  it('sse reply: strings are bare data payloads and objects without a type get no event line (Chat Completions framing)', async () => {
    up.enqueue({ sse: [{ object: 'chat.completion.chunk', choices: [] }, '[DONE]'] });
    const { raw } = await withTimeout(readSse((await post(up)).body), WAIT, 'sse body');
    expect(raw).toBe('data: {"object":"chat.completion.chunk","choices":[]}\n\ndata: [DONE]\n\n');
  });

  it('sse reply with delayMs flushes each event separately (the client sees them spread in time)', async () => {
    up.enqueue({ sse: textEvents, delayMs: 100 });
    const { events } = await withTimeout(readSse((await post(up)).body), WAIT, 'sse body');
    expect(events).toHaveLength(4);
    // 3 delays of 100 ms: had the fake buffered the body, all events would arrive together.
    expect(events[3].at - events[0].at).toBeGreaterThanOrEqual(200);
    expect(new Set(events.map((e) => Math.round(e.at / 50))).size).toBeGreaterThan(1);
  });

  it('gate: sends the first event, holds the rest until release(), and firstEventSent resolves', async () => {
    up.enqueue({ sse: textEvents, gate: true });
    const res = await post(up);
    const reading = readSse(res.body);
    const sentAt = await withTimeout(up.firstEventSent, WAIT, 'firstEventSent');
    expect(typeof sentAt).toBe('number');
    // Give the rest every chance to arrive if the fake were not holding it.
    await new Promise((r) => setTimeout(r, 150));
    // Peek at what has arrived so far by racing the reader against a short timer.
    const early = await Promise.race([reading.then(() => 'finished'), new Promise((r) => setTimeout(() => r('pending'), 20))]);
    expect(early).toBe('pending');
    const releasedAt = performance.now();
    up.release();
    const { events, error } = await withTimeout(reading, WAIT, 'sse body after release');
    expect(error).toBeUndefined();
    expect(events).toHaveLength(4);
    // The first event arrived while the reply was held; everything else only after release().
    expect(events[0].at).toBeLessThan(releasedAt);
    for (const e of events.slice(1)) expect(e.at).toBeGreaterThanOrEqual(releasedAt);
  });

  it('gate: the client has exactly one event while the reply is held', async () => {
    up.enqueue({ sse: textEvents, gate: true });
    const res = await post(up);
    const got: ReceivedEvent[] = [];
    const reading = readSse(res.body, (e) => got.push(e));
    await withTimeout(up.firstEventSent, WAIT, 'firstEventSent');
    await withTimeout(
      (async () => {
        while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
      })(),
      WAIT,
      'first event at the client',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].data)).toEqual(textEvents[0]);
    up.release();
    expect((await withTimeout(reading, WAIT, 'rest of stream')).events).toHaveLength(4);
  });

  it('gate: release() before the gated reply starts lets it run straight through', async () => {
    up.release();
    up.enqueue({ sse: textEvents, gate: true });
    const { events } = await withTimeout(readSse((await post(up)).body), WAIT, 'sse body');
    expect(events).toHaveLength(4);
  });

  it('reset-before-headers: the client gets a socket error and no response', async () => {
    up.enqueue({ fault: 'reset-before-headers' });
    await expect(withTimeout(post(up), WAIT, 'response')).rejects.toMatchObject({
      code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/),
    });
    expect(up.requests).toHaveLength(1);
    expect((await withTimeout(up.requests[0].closed, WAIT, 'closed')).by).toBe('fake');
  });

  it('cut-after: the client sees exactly N events, then a socket error without the terminal event', async () => {
    up.enqueue({ fault: 'cut-after', events: textEvents, after: 2 });
    const res = await post(up);
    expect(res.statusCode).toBe(200);
    const { events, error } = await withTimeout(readSse(res.body), WAIT, 'sse body');
    expect(events.map((e) => JSON.parse(e.data))).toEqual(textEvents.slice(0, 2));
    expect(error).toBeDefined();
    expect(events.some((e) => e.event === 'response.completed')).toBe(false);
  });

  it('silence-after: N events, then the connection stays open and silent until the client gives up', async () => {
    up.enqueue({ fault: 'silence-after', events: textEvents, after: 1 });
    const ac = new AbortController();
    const res = await post(up, undefined, ac.signal);
    const got: ReceivedEvent[] = [];
    const reading = readSse(res.body, (e) => got.push(e));
    await withTimeout(
      (async () => {
        while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
      })(),
      WAIT,
      'first event',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(1);
    const t0 = performance.now();
    ac.abort();
    const abortedAt = await withTimeout(up.requests[0].aborted, WAIT, 'upstream abort');
    expect(abortedAt).toBeGreaterThanOrEqual(t0);
    expect(abortedAt - t0).toBeLessThan(1_000);
    const { error } = await withTimeout(reading, WAIT, 'reader end');
    expect(error).toBeDefined();
    expect((await up.requests[0].closed).by).toBe('client');
  });

  it('aborted resolves with the time the client closed the connection, so abort latency can be measured', async () => {
    up.enqueue({ sse: textEvents, delayMs: 1_000 });
    const ac = new AbortController();
    const res = await post(up, undefined, ac.signal);
    const reading = readSse(res.body);
    await withTimeout(up.waitForRequest(0), WAIT, 'request');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    ac.abort();
    const at = await withTimeout(up.requests[0].aborted, WAIT, 'aborted');
    expect(at - t0).toBeGreaterThanOrEqual(0);
    expect(at - t0).toBeLessThan(1_000);
    await withTimeout(reading, WAIT, 'reader');
  });

  it('aborted never resolves and closed reports "complete" when the reply finishes normally', async () => {
    up.enqueue({ sse: textEvents });
    await withTimeout(readSse((await post(up)).body), WAIT, 'sse body');
    expect((await withTimeout(up.requests[0].closed, WAIT, 'closed')).by).toBe('complete');
    const outcome = await Promise.race([up.requests[0].aborted.then(() => 'aborted'), new Promise((r) => setTimeout(() => r('not aborted'), 100))]);
    expect(outcome).toBe('not aborted');
  });

  it('slow-headers: holds the status line for delayMs, then sends the wrapped reply', async () => {
    up.enqueue({ fault: 'slow-headers', delayMs: 200, reply: { json: { late: true } } });
    const t0 = performance.now();
    const res = await withTimeout(post(up), WAIT, 'response');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);
    expect(await res.body.json()).toEqual({ late: true });
  });

  it('slow-headers: a client that gives up during the wait is seen as an abort', async () => {
    up.enqueue({ fault: 'slow-headers', delayMs: 5_000, reply: { json: {} } });
    const ac = new AbortController();
    const pending = post(up, undefined, ac.signal);
    await withTimeout(up.waitForRequest(0), WAIT, 'request');
    ac.abort();
    await expect(pending).rejects.toThrow();
    await withTimeout(up.requests[0].aborted, WAIT, 'aborted');
  });

  it('malformed-sse: writes the raw bytes as the body under the SSE content type', async () => {
    const raw = 'event: response.created\ndata: {"type":"response.created",\n\n';
    up.enqueue({ fault: 'malformed-sse', raw });
    const res = await post(up);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(await res.body.text()).toBe(raw);
  });

  it('malformed-json: writes the raw bytes with status 200 and a JSON content type', async () => {
    up.enqueue({ fault: 'malformed-json', raw: '{"id": "resp_1", "output": [' });
    const res = await post(up);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(await res.body.text()).toBe('{"id": "resp_1", "output": [');
  });

  it('a function reply is computed from the received request', async () => {
    up.setDefault((req) => ({ json: { echo: (req.body as { model: string }).model, n: req.index } }));
    expect(await (await post(up, { model: 'm1' })).body.json()).toEqual({ echo: 'm1', n: 0 });
    expect(await (await post(up, { model: 'm2' })).body.json()).toEqual({ echo: 'm2', n: 1 });
  });

  it('close() cuts streams that are being held open and resolves', async () => {
    up.enqueue({ fault: 'silence-after', events: textEvents, after: 1 });
    const res = await post(up);
    const reading = readSse(res.body);
    await withTimeout(up.waitForRequest(0), WAIT, 'request');
    await withTimeout(up.close(), WAIT, 'close');
    const { error } = await withTimeout(reading, WAIT, 'reader');
    expect(error).toBeDefined();
    expect((await up.requests[0].closed).by).toBe('fake');
  });

  it('waitForRequest rejects with a clear message when nothing arrives in time', async () => {
    await expect(up.waitForRequest(0, 50)).rejects.toThrow(/timed out after 50 ms waiting for request #0/);
  });
});

describe('replaying recordings through the fake upstream', () => {
  let up: FakeUpstream;
  beforeAll(async () => {
    up = await startFakeUpstream();
  });
  afterAll(async () => {
    await withTimeout(up.close(), WAIT, 'fake upstream close');
  });
  beforeEach(() => up.reset());

  const recordings = listRecordings('openai-responses');

  it('finds the openai-responses recordings: streams, JSON bodies and HTTP errors', () => {
    const kinds = new Set(recordings.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['stream', 'json', 'error']));
    expect(recordings.length).toBeGreaterThan(50);
  });

  it.each(recordings.map((r) => [r.name, r] as const))('replays %s unchanged', async (_name, rec) => {
    up.enqueue(replyFromRecording(rec));
    const res = await post(up, rec.request?.body ?? { model: 'replay' });
    expect(res.statusCode).toBe(rec.status);
    if (rec.kind === 'stream') {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const { events, raw, error } = await withTimeout(readSse(res.body), WAIT, 'sse body');
      expect(error).toBeUndefined();
      // Byte-for-byte: the wire text is the recorded frames, and for cassettes the recorded SSE text itself.
      expect(raw).toBe(encodeSse(rawSse(rec.frames!)));
      if (rec.sse !== undefined) expect(raw).toBe(rec.sse);
      expect(events.map((e) => e.data)).toEqual(rec.frames!.map((f) => f.data));
      expect(events.map((e) => e.event)).toEqual(rec.frames!.map((f) => f.event));
      expect(events.map((e) => JSON.parse(e.data))).toEqual(rec.events);
    } else {
      expect(res.headers['content-type']).toBe('application/json');
      expect(await res.body.json()).toEqual(rec.body);
    }
    if (rec.headers['openai-processing-ms']) expect(res.headers['openai-processing-ms']).toBe(rec.headers['openai-processing-ms']);
  });

  it('replays a Chat Completions stream with data-only frames ending in [DONE]', async () => {
    const rec = listRecordings('openai-chat-completions').find((r) => r.kind === 'stream' && r.source === 'vercel-ai')!;
    up.enqueue(replyFromRecording(rec));
    const { events, raw } = await withTimeout(readSse((await post(up)).body), WAIT, 'sse body');
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('reference loaders', () => {
  it('locate the reference folder next to the repository, or at ROSETTA_REFERENCE_DIR', () => {
    const saved = process.env.ROSETTA_REFERENCE_DIR;
    try {
      delete process.env.ROSETTA_REFERENCE_DIR;
      expect(referenceDir()).toMatch(/[\\/]shared[\\/]reference$/);
      process.env.ROSETTA_REFERENCE_DIR = '/tmp/elsewhere';
      expect(referenceDir()).toBe('/tmp/elsewhere');
    } finally {
      if (saved === undefined) delete process.env.ROSETTA_REFERENCE_DIR;
      else process.env.ROSETTA_REFERENCE_DIR = saved;
    }
  });

  it('loadChunks returns one parsed object per line of a vercel chunks file', () => {
    const events = loadChunks('recordings/openai-responses/vercel-ai/azure-text.1.chunks.txt') as Array<{ type: string }>;
    expect(events[0].type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    // Paths relative to recordings/ work too.
    expect(loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt')).toEqual(events);
  });

  it('loadJson reads a vercel JSON body', () => {
    expect(loadJson<{ error: { code: string } }>('recordings/openai-responses/vercel-ai/openai-error.1.json').error.code).toBe('insufficient_quota');
  });

  it('loadCassette gives uniform request/response objects, with SSE bodies parsed into events', () => {
    const [first, second] = loadCassette('recordings/openai-responses/pydantic-ai/test_openai_responses_stream.yaml');
    expect(first.request).toMatchObject({ method: 'POST', uri: 'https://api.openai.com/v1/responses', path: '/v1/responses' });
    expect((first.request.body as { stream: boolean }).stream).toBe(true);
    expect(first.response.status).toBe(200);
    expect(first.response.sse).toMatch(/^event: response\.created\ndata: /);
    expect((first.response.events![0] as { type: string }).type).toBe('response.created');
    expect(second.response.events!.length).toBeGreaterThan(0);

    const [err] = loadCassette('recordings/openai-responses/pydantic-ai/test_openai_responses_model_http_error.yaml');
    expect(err.response.status).toBe(400);
    expect(err.response.body).toMatchObject({ error: { type: 'invalid_request_error', param: 'temperature' } });
    expect(err.response.headers['content-type']).toBe('application/json');

    const anth = loadCassette('recordings/anthropic-messages/pydantic-ai/test_anthropic_count_tokens_error.yaml');
    expect(anth[0].request.query).toEqual({ beta: 'true' });
  });

  it('listRecordings gives one entry per upstream response, names cassette interactions #i and marks HTTP errors', () => {
    const recs = listRecordings('openai-responses');
    const names = recs.map((r) => r.name);
    expect(names).toContain('pydantic-ai/test_openai_responses_stream.yaml#0');
    expect(names).toContain('pydantic-ai/test_openai_responses_stream.yaml#1');
    const httpErr = recs.find((r) => r.name === 'pydantic-ai/test_openai_responses_model_http_error.yaml#0')!;
    expect(httpErr).toMatchObject({ kind: 'error', status: 400 });
    const quota = recs.find((r) => r.name === 'vercel-ai/openai-error.1.json')!;
    expect(quota).toMatchObject({ kind: 'error', status: 429, statusInferred: true });
    // A 200 stream that fails in-band is a stream, not an HTTP error.
    expect(recs.find((r) => r.name === 'vercel-ai/openai-error.1.chunks.txt')).toMatchObject({ kind: 'stream', status: 200 });
    for (const r of recs) {
      if (r.kind === 'stream') expect(r.events!.length).toBeGreaterThan(0);
      else expect(r.body).toBeDefined();
      expect(r.kind === 'error').toBe(r.status >= 400);
    }
  });

  it('listRecordings splits a chunks file holding several responses into one entry per response', () => {
    const parts = listRecordings('openai-responses').filter((r) => r.file.endsWith('openai-reasoning-encrypted-content.1.chunks.txt'));
    expect(parts.map((p) => p.name)).toEqual([0, 1, 2, 3].map((i) => `vercel-ai/openai-reasoning-encrypted-content.1.chunks.txt#${i}`));
    for (const p of parts) {
      expect((p.events![0] as { type: string }).type).toBe('response.created');
      expect((p.events!.at(-1) as { type: string }).type).toBe('response.completed');
    }
  });

  it('listRecordings skips cassette interactions that are not API traffic (a plain-text document download)', () => {
    const names = listRecordings('anthropic-messages').map((r) => r.name);
    expect(names).not.toContain('pydantic-ai/test_text_document_url_input.yaml#0');
    expect(names).toContain('pydantic-ai/test_text_document_url_input.yaml#1');
  });

  it('listRecordings works for every API', () => {
    for (const api of API_NAMES) expect(listRecordings(api).length).toBeGreaterThan(0);
  });

  it('loadClientCapture reads a captured client request', () => {
    const files = listClientCaptures('claude-code');
    expect(files.length).toBeGreaterThan(0);
    const cap = loadClientCapture('clients/claude-code/text/001-POST-v1_messages.json');
    expect(cap).toMatchObject({ method: 'POST', path: '/v1/messages', url: '/v1/messages?beta=true', query: { beta: 'true' } });
    expect(cap.response.status).toBe(200);
    expect((cap.body as { model: string }).model).toMatch(/^claude-/);
    for (const k of Object.keys(cap.headers)) expect(k).toBe(k.toLowerCase());
    expect(loadClientCapture('claude-code/text/001-POST-v1_messages.json').url).toBe(cap.url);
  });
});
