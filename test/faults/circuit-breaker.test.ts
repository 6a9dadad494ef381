/**
 * The circuit breaker end to end: repeated upstream failures open it; while open the gateway
 * answers 529 overloaded_error at once without touching the upstream; after the cool-down one
 * probe goes through and its outcome closes the breaker or opens it again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { openAiErrorBody, type Reply } from '../helpers/fake-upstream.js';
import { expectNoSecretsIn, MESSAGE_REQUEST, startFaultHarness, UPSTREAM_ANSWER, type FaultHarness } from './fault-harness.js';

const COOLDOWN_MS = 400;
const anthropic = apiSchemaKit('anthropic-messages');
let h: FaultHarness;

beforeAll(async () => {
  h = await startFaultHarness({
    CIRCUIT_BREAKER_FAILURES: '3',
    CIRCUIT_BREAKER_FAILURE_PERCENT: '0',
    CIRCUIT_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
    UPSTREAM_MAX_RETRIES: '0',
  });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

const ok: Reply = { json: UPSTREAM_ANSWER };
const unavailable: Reply = { error: { status: 503, body: openAiErrorBody(503) } };
const breakerState = async () => Number(/^rosetta_circuit_breaker_state\{[^}]*\} (\d)$/m.exec(await h.gateway.metrics.render())?.[1]);

async function openTheBreaker(): Promise<void> {
  h.upstream.enqueue(unavailable, unavailable, unavailable);
  for (let i = 0; i < 3; i++) expect((await h.post(MESSAGE_REQUEST)).status).toBe(529);
  expect(h.upstream.requests).toHaveLength(3);
}

describe('the circuit breaker', () => {
  it('opens after 3 consecutive failures, then fails fast with 529 without touching the upstream', async () => {
    await openTheBreaker();
    expect(await breakerState()).toBe(2);
    for (let i = 0; i < 5; i++) {
      const answer = await h.post(MESSAGE_REQUEST);
      expect(answer.status).toBe(529);
      expect(anthropic.errorsOf('error', answer.json)).toEqual([]);
      expect(answer.json.error.type).toBe('overloaded_error');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.ms).toBeLessThan(1_000); // no upstream call, no timeout waited for
    }
    expect(h.upstream.requests).toHaveLength(3);
    expect(await h.gateway.metrics.render()).toMatch(/^rosetta_rejections_total\{reason="circuit_open"\} 5$/m);
  });

  it('after the cool-down one probe goes through; its success closes the breaker', async () => {
    await sleep(COOLDOWN_MS + 50);
    h.upstream.enqueue(ok, ok);
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(200);
    expect(await breakerState()).toBe(0);
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(200);
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('a failed probe opens it again for another cool-down', async () => {
    await openTheBreaker();
    await sleep(COOLDOWN_MS + 50);
    h.upstream.enqueue(unavailable);
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(529); // the probe, answered by the upstream
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(529); // failing fast again
    expect(h.upstream.requests).toHaveLength(4);
    await sleep(COOLDOWN_MS + 50);
    h.upstream.enqueue(ok);
    expect((await h.post(MESSAGE_REQUEST)).status).toBe(200);
  });

  it('4xx answers and 429s do not count as upstream failures', async () => {
    for (let i = 0; i < 4; i++) h.upstream.enqueue({ error: { status: 400, body: openAiErrorBody(400) } }, { error: { status: 429, body: openAiErrorBody(429) } });
    for (let i = 0; i < 8; i++) await h.post(MESSAGE_REQUEST);
    expect(await breakerState()).toBe(0);
    expect(h.upstream.requests).toHaveLength(8);
  });

  it('state changes are logged with the upstream, and the logs hold no secret', () => {
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('circuit breaker OPEN') && typeof l.upstream === 'string')).toBe(true);
    expect(lines.some((l) => l.msg === 'circuit breaker closed')).toBe(true);
    expectNoSecretsIn(h.logs);
  });
});
