/**
 * Property: whatever body a client sends — random JSON, a real request with fields broken or
 * replaced, text that is not JSON at all, bodies nested past the limit or carrying prototype
 * keys — the gateway answers with a valid Anthropic message (or stream) or a valid Anthropic
 * error, never a 500, and never dies. fast-check, seeded and bounded (300 runs per property).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../helpers/anthropic-sse-grammar.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import type { ReceivedRequest, Reply } from '../helpers/fake-upstream.js';
import { expectNoSecretsIn, MESSAGE_REQUEST, startFaultHarness, UPSTREAM_ANSWER, UPSTREAM_EVENTS, type Answer, type FaultHarness } from './fault-harness.js';

const RUNS = 300;
const SEED = 20_250_601;
const anthropic = apiSchemaKit('anthropic-messages');
let h: FaultHarness;

beforeAll(async () => {
  h = await startFaultHarness({ MAX_JSON_DEPTH: '32', MAX_BODY_BYTES: String(256 * 1024), CIRCUIT_BREAKER_FAILURES: '0', CIRCUIT_BREAKER_FAILURE_PERCENT: '0' });
  // Whatever reaches the upstream gets a real answer in the form it asked for.
  h.upstream.setDefault((req: ReceivedRequest): Reply => ((req.body as { stream?: boolean })?.stream ? { sse: UPSTREAM_EVENTS } : { json: UPSTREAM_ANSWER }));
});
afterAll(async () => h?.stop());

/** The property every answer must have; returns a description of what is wrong, or undefined. */
function problemWith(answer: Answer): string | undefined {
  if (answer.status >= 500 && answer.status !== 529) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status === 200) {
    if ((answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      for (const e of parseSse(answer.text)) {
        const errors = e.event === 'error' ? anthropic.errorsOf('error', { ...(e.data as object), request_id: null }) : anthropic.errorsOf('stream-event', e.data);
        if (errors.length > 0) return `stream event ${e.event} is not valid: ${anthropic.describeErrors(errors)}`;
      }
      return undefined;
    }
    const errors = anthropic.errorsOf('response', answer.json);
    return errors.length > 0 ? `200 body is not a valid message: ${anthropic.describeErrors(errors)}` : undefined;
  }
  const errors = anthropic.errorsOf('error', answer.json);
  return errors.length > 0 ? `status ${answer.status} body is not a valid error: ${anthropic.describeErrors(errors)} — ${answer.text.slice(0, 200)}` : undefined;
}

/** Statuses seen, so a property that only ever hit one answer is noticed. */
const seen = new Map<number, number>();

async function check(body: unknown, headers?: Record<string, string>): Promise<void> {
  const answer = await h.post(body, { headers });
  seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
  const problem = problemWith(answer);
  if (problem) throw new Error(`${problem}\nbody sent: ${(typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 400)}`);
}

const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, -1, 0, 1e308, '', '\u0000', '\ud800', [], {}, { __proto__: null }, 'claude-*', true),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** A real request with some fields replaced by nasty values, some dropped, some added. */
const brokenRequest = fc
  .record({
    replace: fc.dictionary(fc.constantFrom('model', 'max_tokens', 'messages', 'system', 'stream', 'tools', 'tool_choice', 'temperature', 'stop_sequences', 'metadata', 'thinking'), nasty, { maxKeys: 3 }),
    drop: fc.subarray(['model', 'max_tokens', 'messages']),
    content: fc.option(fc.oneof(fc.string({ maxLength: 50 }), fc.array(fc.record({ type: fc.constantFrom('text', 'image', 'tool_result', 'document', 'x'), text: fc.string({ maxLength: 20 }) }), { maxLength: 3 }))),
    role: fc.constantFrom('user', 'assistant', 'system', 'robot'),
  })
  .map(({ replace, drop, content, role }) => {
    const body: Record<string, unknown> = { ...MESSAGE_REQUEST, messages: [{ role, content: content ?? 'hi' }], ...replace };
    for (const key of drop) delete body[key];
    return body;
  });

const deepOrPolluted = fc.oneof(
  fc.integer({ min: 30, max: 5_000 }).map((depth) => `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc.constantFrom('__proto__', 'constructor').map((key) => `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":{"${key}":{"prototype":{"polluted":true}}}}`),
);

describe('fuzzed inbound bodies', () => {
  it(`random JSON values as the body (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), (body) => check(JSON.stringify(body) ?? 'null')), { numRuns: RUNS, seed: SEED });
  });

  it(`real requests with fields broken, dropped or replaced (${RUNS} runs)`, async () => {
    seen.clear();
    await fc.assert(fc.asyncProperty(brokenRequest, fc.boolean(), (body, stream) => check(stream ? { ...body, stream: true } : body)), { numRuns: RUNS, seed: SEED + 1 });
    // Both sides of the property were exercised: requests served and requests refused.
    expect(seen.get(200) ?? 0, JSON.stringify([...seen])).toBeGreaterThan(10);
    expect(seen.get(400) ?? 0, JSON.stringify([...seen])).toBeGreaterThan(10);
  });

  it(`text that is not JSON, with random content types (${RUNS} runs)`, async () => {
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', '');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), contentType, (text, type) => check(text, type ? { 'content-type': type } : {})),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  it(`bodies nested too deep or carrying prototype keys (${RUNS / 3} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(deepOrPolluted, async (text) => {
        const answer = await h.post(text);
        expect(answer.status).toBe(400);
        expect(answer.json.error.type).toBe('invalid_request_error');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS / 3, seed: SEED + 3 },
    );
  });

  it('the gateway is still up, and no log line carries a secret', async () => {
    expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200);
    expectNoSecretsIn(h.logs);
  });
});
