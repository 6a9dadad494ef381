/**
 * The gateway (shipped mappings) against the scriptable fake upstream, for the fault scenarios:
 * retries on, fast backoff, and every log line captured (at debug level) so each file can prove
 * that no secret — the canary upstream key, the canary gateway key — reached a log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { readConfig } from '../../engine/config/env-config.js';
import { createLogger } from '../../engine/observe/logger.js';
import { startGateway, type RunningGateway } from '../../engine/server/gateway.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { REPO_ROOT } from '../helpers/gateway-harness.js';
import { loadChunks, loadJson } from '../helpers/reference.js';

/** Secrets that must never appear in a log line. */
export const CANARY_UPSTREAM_KEY = 'sk-canary-5f1e2d3c4b5a69788796a5b4';
export const CANARY_GATEWAY_KEY = 'gw-canary-9d8c7b6a5f4e3d2c';

export interface FaultHarness {
  gateway: RunningGateway;
  upstream: FakeUpstream;
  /** Every log line the gateway wrote, raw. */
  logs: string[];
  post(body: unknown, options?: { headers?: Record<string, string>; timeoutMs?: number; path?: string }): Promise<Answer>;
  stop(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, when it is JSON. */
  json?: any;
  ms: number;
}

/** Settings every fault file starts from: quick retries, quick timeouts. */
export const FAULT_ENV: Record<string, string> = {
  UPSTREAM_MAX_RETRIES: '2',
  UPSTREAM_RETRY_BASE_DELAY_MS: '20',
  UPSTREAM_RETRY_MAX_DELAY_MS: '1500',
  UPSTREAM_RETRY_BUDGET_PERCENT: '1000',
  UPSTREAM_HEADERS_TIMEOUT_MS: '600',
  UPSTREAM_IDLE_TIMEOUT_MS: '600',
  STREAM_PING_INTERVAL_MS: '10000',
};

export async function startFaultHarness(extraEnv: Record<string, string> = {}): Promise<FaultHarness> {
  const upstream = await startFakeUpstream();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') logs.push(line);
      done();
    },
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-faults-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    HOT_RELOAD: 'off',
    MAPPINGS_DIR: path.join(REPO_ROOT, 'mappings'),
    SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas'),
    DATA_DIR: dataDir,
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: CANARY_UPSTREAM_KEY,
    GATEWAY_API_KEYS: CANARY_GATEWAY_KEY,
    ...FAULT_ENV,
    ...extraEnv,
  };
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(readConfig(env, REPO_ROOT), env, createLogger('debug', sink));
  } catch (err) {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    gateway,
    upstream,
    logs,
    async post(body, options = {}) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}${options.path ?? '/v1/messages'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': CANARY_GATEWAY_KEY, ...options.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json, ms: performance.now() - started };
    },
    async stop() {
      await gateway.shutdown({ graceMs: 2_000 });
      await upstream.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The canary check: no captured line holds a secret (nor the bare token of the upstream key). */
export function expectNoSecretsIn(logs: readonly string[]): void {
  expect(logs.length, 'the gateway logged something').toBeGreaterThan(0);
  const leaks = logs.filter((line) => line.includes(CANARY_UPSTREAM_KEY) || line.includes(CANARY_GATEWAY_KEY) || line.includes('sk-canary'));
  expect(leaks, 'log lines carrying a secret').toEqual([]);
}

export const MESSAGE_REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Say hi' }] };
export const STREAM_REQUEST = { ...MESSAGE_REQUEST, stream: true };

/** A recorded Responses API answer, and its stream. */
export const UPSTREAM_ANSWER = loadJson<Record<string, unknown>>('openai-responses/vercel-ai/azure-text.1.json');
export const UPSTREAM_EVENTS = loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt') as Array<{ type: string }>;
/** Events up to and including the first text delta. */
export const UP_TO_FIRST_DELTA = UPSTREAM_EVENTS.findIndex((e) => e.type === 'response.output_text.delta') + 1;
