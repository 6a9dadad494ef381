/**
 * Every upstream fault the fake upstream can inject, as a table: what the upstream does, and what
 * the client must get — status, Anthropic error type, how many upstream attempts were made (a
 * retry re-sends the very same payload), and for streams how the stream ends. Retries are on
 * (UPSTREAM_MAX_RETRIES=2) with fast backoff; the breaker is off here (test/faults/circuit-breaker).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAnthropicStream, parseSse } from '../helpers/anthropic-sse-grammar.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { openAiErrorBody, type Reply } from '../helpers/fake-upstream.js';
import { CANARY_UPSTREAM_KEY, expectNoSecretsIn, MESSAGE_REQUEST, startFaultHarness, STREAM_REQUEST, UP_TO_FIRST_DELTA, UPSTREAM_ANSWER, UPSTREAM_EVENTS, type FaultHarness } from './fault-harness.js';

const MAX_RESPONSE_BYTES = 256 * 1024;
const anthropic = apiSchemaKit('anthropic-messages');
let h: FaultHarness;

beforeAll(async () => {
  h = await startFaultHarness({ CIRCUIT_BREAKER_FAILURES: '0', CIRCUIT_BREAKER_FAILURE_PERCENT: '0', UPSTREAM_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES) });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

const ok: Reply = { json: UPSTREAM_ANSWER };
const sse: Reply = { sse: UPSTREAM_EVENTS };
const error = (status: number, headers: Record<string, string> = {}): Reply => ({ error: { status, body: openAiErrorBody(status), headers } });

interface Scenario {
  name: string;
  replies: Reply[];
  stream?: boolean;
  status: number;
  /** Anthropic error.type of a JSON error answer. */
  errorType?: string;
  attempts: number;
  headers?: Record<string, string>;
  /** How a 200 stream ends: its last event (pings aside). */
  streamEnds?: 'message_stop' | 'error';
}

const scenarios: Scenario[] = [
  { name: '429 with retry-after → waited for, retried, succeeds', replies: [error(429, { 'retry-after': '0.05' }), ok], status: 200, attempts: 2 },
  { name: '429 three times → retries exhausted → 429 rate_limit_error to the client, retry-after passed on', replies: [error(429, { 'retry-after-ms': '10', 'retry-after': '1' }), error(429, { 'retry-after-ms': '10', 'retry-after': '1' }), error(429, { 'retry-after-ms': '10', 'retry-after': '1' })], status: 429, errorType: 'rate_limit_error', attempts: 3, headers: { 'retry-after': '1' } },
  { name: '429 with a retry-after past the cap → not waited for: 429 at once with the header', replies: [error(429, { 'retry-after': '30' })], status: 429, errorType: 'rate_limit_error', attempts: 1, headers: { 'retry-after': '30' } },
  { name: '500 → retried, succeeds', replies: [error(500), ok], status: 200, attempts: 2 },
  { name: '502 then 503 → retried twice, succeeds', replies: [error(502), error(503), ok], status: 200, attempts: 3 },
  { name: '503 three times → exhausted → 529 overloaded_error', replies: [error(503), error(503), error(503)], status: 529, errorType: 'overloaded_error', attempts: 3 },
  { name: '500 three times → exhausted → 500 api_error', replies: [error(500), error(500), error(500)], status: 500, errorType: 'api_error', attempts: 3 },
  { name: '400 → not retried → 400 invalid_request_error', replies: [error(400)], status: 400, errorType: 'invalid_request_error', attempts: 1 },
  { name: '401 → not retried → 401 authentication_error', replies: [error(401)], status: 401, errorType: 'authentication_error', attempts: 1 },
  { name: '401 whose message quotes the upstream key → 401, the key masked', replies: [{ error: { status: 401, body: openAiErrorBody(401, `Incorrect API key provided: ${CANARY_UPSTREAM_KEY}. You can find your API key at https://platform.example/keys.`) } }], status: 401, errorType: 'authentication_error', attempts: 1 },
  { name: '403 → not retried → 403 permission_error', replies: [error(403)], status: 403, errorType: 'permission_error', attempts: 1 },
  { name: '404 → not retried → 404 not_found_error', replies: [error(404)], status: 404, errorType: 'not_found_error', attempts: 1 },
  { name: '503 with x-should-retry: false → not retried', replies: [error(503, { 'x-should-retry': 'false' })], status: 529, errorType: 'overloaded_error', attempts: 1 },
  { name: 'connection reset before headers → retried, succeeds', replies: [{ fault: 'reset-before-headers' }, ok], status: 200, attempts: 2 },
  { name: 'connection reset before headers three times → 502 api_error', replies: [{ fault: 'reset-before-headers' }, { fault: 'reset-before-headers' }, { fault: 'reset-before-headers' }], status: 502, errorType: 'api_error', attempts: 3 },
  { name: 'stream: connection reset before headers → retried, the stream completes', stream: true, replies: [{ fault: 'reset-before-headers' }, sse], status: 200, attempts: 2, streamEnds: 'message_stop' },
  { name: 'stream: 503 before the stream starts → retried, the stream completes', stream: true, replies: [error(503), sse], status: 200, attempts: 2, streamEnds: 'message_stop' },
  { name: 'stream: reset after the first delta → not retried (bytes reached the client): error event', stream: true, replies: [{ fault: 'cut-after', events: UPSTREAM_EVENTS, after: UP_TO_FIRST_DELTA }, sse], status: 200, attempts: 1, streamEnds: 'error' },
  { name: 'stream: silence after the first delta past the idle timeout → error event', stream: true, replies: [{ fault: 'silence-after', events: UPSTREAM_EVENTS, after: UP_TO_FIRST_DELTA }], status: 200, attempts: 1, streamEnds: 'error' },
  { name: 'stream: malformed SSE → error event', stream: true, replies: [{ fault: 'malformed-sse', raw: 'event: response.created\ndata: {"type":"response.created", oops\n\n' }], status: 200, attempts: 1, streamEnds: 'error' },
  { name: 'headers slower than UPSTREAM_HEADERS_TIMEOUT_MS → 504 timeout_error, not retried', replies: [{ fault: 'slow-headers', delayMs: 3_000, reply: ok }, ok], status: 504, errorType: 'timeout_error', attempts: 1 },
  // A body the gateway cannot parse is a transport-level failure (like one over the size limit),
  // so the pair's rules answer 502 api_error rather than an upstream-chosen status.
  { name: 'malformed JSON with status 200 → 502 api_error, not retried', replies: [{ fault: 'malformed-json', raw: '{"id": "resp_1", "output": [' }, ok], status: 502, errorType: 'api_error', attempts: 1 },
  { name: 'a response over UPSTREAM_MAX_RESPONSE_BYTES → 502 api_error, the read stops (memory safe)', replies: [{ json: { ...UPSTREAM_ANSWER, padding: 'x'.repeat(8 * 1024 * 1024) } }], status: 502, errorType: 'api_error', attempts: 1 },
];

describe('upstream faults, as the client sees them', () => {
  it.each(scenarios)('$name', async (s) => {
    h.upstream.enqueue(...s.replies);
    const answer = await h.post(s.stream ? STREAM_REQUEST : MESSAGE_REQUEST);
    expect(answer.status, answer.text.slice(0, 300)).toBe(s.status);
    expect(answer.headers.get('request-id')).toMatch(/^req_/);
    expect(answer.text).not.toContain(CANARY_UPSTREAM_KEY);
    expect(h.upstream.requests).toHaveLength(s.attempts);
    // A retry re-sends exactly the same payload.
    for (const r of h.upstream.requests) expect(r.rawBody).toBe(h.upstream.requests[0].rawBody);
    for (const [name, value] of Object.entries(s.headers ?? {})) expect(answer.headers.get(name)).toBe(value);

    if (s.errorType) {
      expect(anthropic.errorsOf('error', answer.json)).toEqual([]);
      expect(answer.json.error.type).toBe(s.errorType);
      expect(answer.json.request_id).toBe(answer.headers.get('request-id'));
    } else if (s.streamEnds) {
      const events = parseSse(answer.text).filter((e) => e.event !== 'ping');
      expect(events.at(-1)?.event).toBe(s.streamEnds);
      expect(checkAnthropicStream(events)).toEqual([]);
      for (const e of events) if (e.event !== 'error') expect(anthropic.errorsOf('stream-event', e.data)).toEqual([]);
    } else {
      anthropic.expectValid('response', answer.json);
    }
  });

  it('an endless upstream response is not read to its end: the gateway stops at the limit and closes the call', async () => {
    // 64 KB chunks every 5 ms, 400 of them (25 MB) — served as "JSON": the gateway must give up
    // after UPSTREAM_MAX_RESPONSE_BYTES instead of buffering it all.
    const chunk = 'x'.repeat(64 * 1024);
    h.upstream.enqueue({ sse: Array.from({ length: 400 }, () => chunk), delayMs: 5, headers: { 'content-type': 'application/json' } });
    const answer = await h.post(MESSAGE_REQUEST);
    expect(answer.status).toBe(502);
    expect(answer.ms).toBeLessThan(1_500);
    expect((await h.upstream.requests[0].closed).by).toBe('client');
  });

  it('after every fault above, a good request is served and no upstream slot is left taken', async () => {
    h.upstream.enqueue(ok);
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(200);
    const metrics = await h.gateway.metrics.render();
    expect(metrics).toMatch(/^rosetta_upstream_requests_in_flight 0$/m);
    expect(metrics).toMatch(/^rosetta_upstream_retries_total\{upstream="http:\/\/127\.0\.0\.1:\d+",reason="status_429"\} [1-9]/m);
  });

  it('the retry log lines carry the request id', () => {
    const retries = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'upstream: retrying');
    expect(retries.length).toBeGreaterThan(0);
    for (const line of retries) expect(line.requestId).toMatch(/^req_/);
  });

  it('canary: no log line of this file carries the upstream key or the gateway key', () => {
    expectNoSecretsIn(h.logs);
  });
});
