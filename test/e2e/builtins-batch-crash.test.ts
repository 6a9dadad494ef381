/**
 * Crash safety of message batches, for real: the built gateway runs as a child process
 * (`node <build>/engine/cli/main.js start`, built by the test) against a slow fake upstream, is killed with SIGKILL in
 * the middle of a batch, and restarted on the same DATA_DIR. The batch resumes and ends with
 * every item accounted for exactly once; only items in flight at the crash are sent again.
 */
import Anthropic from '@anthropic-ai/sdk';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, REPO_ROOT, UPSTREAM_KEY } from '../helpers/gateway-harness.js';
import { startFakeUpstream, withTimeout, type FakeUpstream } from '../helpers/fake-upstream.js';
import { loadJson } from '../helpers/reference.js';
import { buildCli } from '../helpers/built-cli.js';

let MAIN: string;
const ITEMS = 16;
const CONCURRENCY = 2;

let upstream: FakeUpstream;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  MAIN = buildCli('batch-crash'); // what the child runs, built from the current sources
  upstream = await startFakeUpstream();
  upstream.setDefault({ fault: 'slow-headers', delayMs: 250, reply: { json: loadJson('openai-responses/vercel-ai/azure-text.1.json') } });
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-crash-'));
}, 150_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await upstream?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** Starts `rosetta start` and resolves with its URL once it logs that it serves. */
async function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'start'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      HOT_RELOAD: 'off',
      MAPPINGS_DIR: path.join(REPO_ROOT, 'mappings'),
      SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas'),
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: UPSTREAM_KEY,
      GATEWAY_API_KEYS: GATEWAY_KEY,
      DATA_DIR: dataDir,
      BATCH_CONCURRENCY: String(CONCURRENCY),
      UPSTREAM_MAX_RETRIES: '0',
      SHUTDOWN_GRACE_MS: '3000',
    },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'rosetta is serving' && entry.port) resolve(entry.port);
        } catch {
          // not a log line
        }
      });
      child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before serving: ${stderr}`)));
    }),
    15_000,
    'the child gateway to serve',
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

describe('SIGKILL in the middle of a batch', () => {
  it('after a restart on the same DATA_DIR the batch resumes and every item ends exactly once', async () => {
    const first = await startChild();
    const client = new Anthropic({ baseURL: first.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const requests = Array.from({ length: ITEMS }, (_, i) => ({
      custom_id: `item-${i}`,
      params: { model: 'claude-opus-5-5', max_tokens: 16, messages: [{ role: 'user' as const, content: `item-${i}` }] },
    }));
    const batch = await client.messages.batches.create({ requests });

    // Let a few items finish, then kill -9 with two in flight.
    await upstream.waitForRequest(6, 10_000);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200); // serving while the batch runs
    first.child.kill('SIGKILL');
    await withTimeout(new Promise((r) => first.child.once('exit', r)), 5000, 'the killed gateway to exit');
    const sentBeforeCrash = upstream.requests.length;

    const second = await startChild();
    const again = new Anthropic({ baseURL: second.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const deadline = Date.now() + 20_000;
    let ended = await again.messages.batches.retrieve(batch.id);
    while (ended.processing_status !== 'ended') {
      if (Date.now() > deadline) throw new Error(`batch not ended after restart: ${JSON.stringify(ended)}`);
      await new Promise((r) => setTimeout(r, 100));
      ended = await again.messages.batches.retrieve(batch.id);
    }
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: ITEMS, errored: 0, canceled: 0, expired: 0 });

    const ids: string[] = [];
    for await (const line of await again.messages.batches.results(batch.id)) {
      expect(line.result.type).toBe('succeeded');
      ids.push(line.custom_id);
    }
    expect(ids.sort()).toEqual(requests.map((r) => r.custom_id).sort()); // each exactly once

    // Only what was in flight at the crash ran twice: results recorded before it were not redone.
    const perItem = new Map<string, number>();
    for (const r of upstream.requests) {
      const id = /item-\d+/.exec(JSON.stringify(r.body))![0];
      perItem.set(id, (perItem.get(id) ?? 0) + 1);
    }
    expect(perItem.size).toBe(ITEMS);
    const repeated = [...perItem.values()].filter((n) => n > 1).length;
    expect(repeated).toBeLessThanOrEqual(CONCURRENCY);
    expect(sentBeforeCrash).toBeGreaterThanOrEqual(6);
    expect(upstream.requests.length).toBeLessThanOrEqual(ITEMS + CONCURRENCY);

    second.child.kill('SIGTERM');
    await withTimeout(new Promise((r) => second.child.once('exit', r)), 15_000, 'the gateway to stop on SIGTERM');
  });
});
