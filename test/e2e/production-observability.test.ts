/**
 * Observability end to end: /readyz, /metrics (behind the keys, or on METRICS_PORT), the metric
 * families after real traffic (requests, latency, time to first event, stream events, rules,
 * reloads), every log line of a request carrying its request id, bodies logged only with
 * LOG_BODIES=on — and still scrubbed of secrets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../engine/config/env-config.js';
import { createLogger } from '../../engine/observe/logger.js';
import { startGateway, type RunningGateway } from '../../engine/server/gateway.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, REPO_ROOT, UPSTREAM_KEY } from '../helpers/gateway-harness.js';
import { loadChunks, loadJson } from '../helpers/reference.js';

const REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'the secret word is marmalade' }] };
const ANSWER = loadJson('openai-responses/vercel-ai/azure-text.1.json');
const EVENTS = loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt') as object[];

interface Setup {
  gateway: RunningGateway;
  upstream: FakeUpstream;
  logs: Array<Record<string, any>>;
  stop(): Promise<void>;
}

async function start(extraEnv: Record<string, string>): Promise<Setup> {
  const upstream = await startFakeUpstream();
  const logs: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, any>);
      done();
    },
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-observe-'));
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    HOT_RELOAD: 'on',
    MAPPINGS_DIR: path.join(REPO_ROOT, 'mappings'),
    SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas'),
    DATA_DIR: dataDir,
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEY,
    GATEWAY_API_KEYS: GATEWAY_KEY,
    ...extraEnv,
  };
  const gateway = await startGateway(readConfig(env, REPO_ROOT), env, createLogger('debug', sink));
  upstream.setDefault((req) => ((req.body as { stream?: boolean }).stream ? { sse: EVENTS } : { json: ANSWER }));
  return { gateway, upstream, logs, stop: async () => (await gateway.shutdown({ graceMs: 1_000 }), await upstream.close(), rmSync(dataDir, { recursive: true, force: true })) };
}

async function post(url: string, body: unknown, requestId?: string): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY, ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

describe('metrics on the main port, bodies not logged (the defaults)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start({});
  });
  afterAll(async () => s?.stop());

  it('/readyz answers 200 without a key while serving', async () => {
    const response = await fetch(`${s.gateway.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/metrics needs a gateway key', async () => {
    expect((await fetch(`${s.gateway.url}/metrics`)).status).toBe(401);
  });

  it('after a JSON request, a stream and a reload, every metric family has data', async () => {
    expect((await post(s.gateway.url, REQUEST)).status).toBe(200);
    const streamed = await post(s.gateway.url, { ...REQUEST, stream: true });
    expect(await streamed.text()).toContain('message_stop');
    expect(await s.gateway.hotReload!.reload()).toBe(true);

    const response = await fetch(`${s.gateway.url}/metrics`, { headers: { 'x-api-key': GATEWAY_KEY } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const pair = 'anthropic-to-openai-responses';
    for (const pattern of [
      `rosetta_requests_total{route="/v1/messages",pair="${pair}",status="200"} 2`,
      `rosetta_request_duration_seconds_count{route="/v1/messages",pair="${pair}"} 2`,
      `rosetta_time_to_first_token_seconds_count{pair="${pair}"} 1`,
      `rosetta_rule_evaluation_seconds_count{pair="${pair}",hook="request"} 2`,
      `rosetta_rule_evaluation_seconds_count{pair="${pair}",hook="response"} 1`,
      'rosetta_mapping_reloads_total{result="success"} 1',
      'rosetta_ready 1',
      'rosetta_upstream_requests_in_flight 0',
    ]) {
      expect(text).toContain(pattern);
    }
    expect(text).toMatch(/^rosetta_stream_events_total\{pair="anthropic-to-openai-responses"\} ([5-9]|\d\d+)$/m);
    expect(text).toMatch(/^rosetta_upstream_duration_seconds_count\{upstream="http:\/\/127\.0\.0\.1:\d+",outcome="200"\} 2$/m);
    expect(text).toMatch(/^rosetta_circuit_breaker_state\{upstream="http:\/\/127\.0\.0\.1:\d+"\} 0$/m);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).not.toContain(UPSTREAM_KEY);
  });

  it('every log line of a request carries its request id', async () => {
    s.upstream.enqueue({ error: { status: 400 } });
    await post(s.gateway.url, REQUEST, 'req_trace_me_123');
    const mine = s.logs.filter((l) => JSON.stringify(l).includes('trace_me') || l.upstreamStatus === 400);
    expect(mine.length).toBeGreaterThanOrEqual(2); // the upstream error line and the access line
    for (const line of mine) expect(line.requestId).toBe('req_trace_me_123');
  });

  it('bodies are not logged by default', () => {
    expect(s.logs.some((l) => JSON.stringify(l).includes('marmalade'))).toBe(false);
  });
});

describe('METRICS_PORT and LOG_BODIES=on', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await start({ METRICS_PORT: '0', LOG_BODIES: 'on', HOT_RELOAD: 'off' });
  });
  afterAll(async () => s?.stop());

  it('/metrics moves to its own listener, without keys, and leaves the main port', async () => {
    expect(s.gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(s.gateway.metricsUrl!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('rosetta_ready 1');
    expect((await fetch(`${s.gateway.url}/metrics`, { headers: { 'x-api-key': GATEWAY_KEY } })).status).toBe(404);
  });

  it('bodies are logged, with the request id, and secrets inside them are scrubbed', async () => {
    const leaky = { ...REQUEST, messages: [{ role: 'user', content: `marmalade; my key is Bearer sk-user-pasted-9988776655 and ${UPSTREAM_KEY}` }] };
    expect((await post(s.gateway.url, leaky, 'req_bodies_1')).status).toBe(200);
    const bodies = s.logs.filter((l) => l.requestId === 'req_bodies_1' && /body|payload/.test(l.msg));
    expect(bodies.map((l) => l.msg)).toEqual(['inbound body', 'upstream payload', 'answer body']);
    const text = JSON.stringify(bodies);
    expect(text).toContain('marmalade');
    expect(text).not.toContain('sk-user-pasted-9988776655');
    expect(text).not.toContain(UPSTREAM_KEY);
  });
});
