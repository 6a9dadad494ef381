/**
 * Graceful shutdown: with a stream in flight, a shutdown turns /readyz to 503, stops accepting
 * connections, lets the stream finish, runs the registered shutdown hooks, and releases
 * everything; past SHUTDOWN_GRACE_MS what is left is cut. Then the same as a real process:
 * `node dist/engine/cli/main.js start`, SIGTERM, exit code 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, withTimeout, type FakeUpstream } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, REPO_ROOT, startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { loadChunks } from '../helpers/reference.js';
import { buildCli } from '../helpers/built-cli.js';

const EVENTS = loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt') as object[];
const STREAM_REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startStream(url: string): Promise<{ status: number; text: string }> {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
    body: JSON.stringify(STREAM_REQUEST),
    signal: AbortSignal.timeout(15_000),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
}

/** Probes until `accept` says yes (bounded); returns the last answer. */
async function probeUntil(url: string, accept: (answer: number | string) => boolean, ms = 5_000): Promise<number | string> {
  const deadline = performance.now() + ms;
  let answer = await probe(url);
  while (!accept(answer) && performance.now() < deadline) {
    await sleep(25);
    answer = await probe(url);
  }
  return answer;
}

/**
 * Past the draining 503s: a connection the kernel queued just as the listener closed is reset
 * (ECONNRESET, seen on a loaded machine); the probe goes on until one is refused.
 */
const closedOrClosing = (answer: number | string) => answer !== 503 && answer !== 'ECONNRESET';

/** What a new connection gets: an HTTP status, or the connection error's code. */
async function probe(url: string): Promise<number | string> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch (err) {
    return String((err as { cause?: { code?: string } }).cause?.code ?? err);
  }
}

describe('shutdown in process', () => {
  it('a stream in flight finishes; /readyz is 503 while draining; new connections are refused; hooks run', async () => {
    const h: Harness = await startHarness({ HOT_RELOAD: 'off', SHUTDOWN_DELAY_MS: '300', SHUTDOWN_GRACE_MS: '10000' });
    try {
      const hookCalls: string[] = [];
      h.gateway.onShutdown(async () => {
        hookCalls.push('checkpoint started');
        await sleep(50);
        hookCalls.push('checkpoint done');
      });
      h.upstream.enqueue({ sse: EVENTS, gate: true });
      const stream = startStream(h.gateway.url);
      await withTimeout(h.upstream.firstEventSent, 5_000, 'the stream to start');
      expect(await probe(h.gateway.url)).toBe(200);

      const shutdown = h.gateway.shutdown();
      expect(h.gateway.ready).toBe(false);
      expect(await probe(h.gateway.url)).toBe(503); // within SHUTDOWN_DELAY_MS: still listening, not ready
      // Then the listener closes: a pooled keep-alive connection may be reset first; a new one is refused.
      expect(await probeUntil(h.gateway.url, closedOrClosing)).toBe('ECONNREFUSED');
      h.upstream.release();
      const done = await stream;
      expect(done.status).toBe(200);
      expect(done.text).toContain('event: message_stop');
      const report = await withTimeout(shutdown, 5_000, 'the shutdown');
      expect(report.cut).toBe(0);
      expect(hookCalls).toEqual(['checkpoint started', 'checkpoint done']);
      expect(await h.gateway.shutdown()).toBe(report); // one shutdown, however often asked
    } finally {
      await h.gateway.shutdown({ graceMs: 0 });
      await h.upstream.close();
    }
  });

  it('past SHUTDOWN_GRACE_MS the request still in flight is cut, and the shutdown completes', async () => {
    const h: Harness = await startHarness({ HOT_RELOAD: 'off', SHUTDOWN_GRACE_MS: '300' });
    try {
      h.upstream.enqueue({ sse: EVENTS, gate: true }); // never released
      const stream = startStream(h.gateway.url).then((r) => r.text, (err: unknown) => `failed: ${String(err)}`);
      await withTimeout(h.upstream.firstEventSent, 5_000, 'the stream to start');
      const started = performance.now();
      const report = await withTimeout(h.gateway.shutdown(), 5_000, 'the shutdown');
      expect(report.cut).toBe(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(280);
      expect(await withTimeout(stream, 5_000, 'the client to see the cut')).not.toContain('message_stop');
      await withTimeout(h.upstream.requests[0].closed, 5_000, 'the upstream call to be closed');
    } finally {
      await h.gateway.shutdown({ graceMs: 0 });
      await h.upstream.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// As a process: node <build>/engine/cli/main.js start (built by buildCli from the current sources)

describe('shutdown of `rosetta start` on SIGTERM', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess | undefined;
  let output = '';
  let cli: string;
  beforeAll(async () => {
    cli = buildCli('shutdown');
    upstream = await startFakeUpstream();
  }, 150_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await upstream?.close();
  });

  it('drains the stream in flight, refuses new connections, and exits 0', async () => {
    child = spawn(process.execPath, [cli, 'start'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        HOT_RELOAD: 'off',
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: UPSTREAM_KEY,
        GATEWAY_API_KEYS: GATEWAY_KEY,
        SHUTDOWN_DELAY_MS: '1000',
        SHUTDOWN_GRACE_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const serving = new Promise<number>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const line = output.split('\n').find((l) => l.includes('"rosetta is serving"'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      void exited.then((code) => reject(new Error(`rosetta exited (${code}) before serving:\n${output}`)));
    });
    const url = `http://127.0.0.1:${await withTimeout(serving, 30_000, 'rosetta to serve')}`;

    upstream.enqueue({ sse: EVENTS, gate: true });
    const stream = startStream(url);
    await withTimeout(upstream.firstEventSent, 5_000, 'the stream to start');
    child.kill('SIGTERM');
    expect(await probeUntil(url, (a) => a !== 200)).toBe(503); // draining, still listening for SHUTDOWN_DELAY_MS
    expect(await probeUntil(url, closedOrClosing)).toBe('ECONNREFUSED');
    expect(child.exitCode).toBeNull(); // still draining: the stream holds it open
    upstream.release();
    const done = await stream;
    expect(done.status).toBe(200);
    expect(done.text).toContain('event: message_stop');
    expect(await withTimeout(exited, 10_000, 'rosetta to exit')).toBe(0);
    expect(output).toContain('"shutdown: done"');
    expect(output).not.toContain(UPSTREAM_KEY);
  });
});
