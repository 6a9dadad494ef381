/**
 * Soak: the built gateway (`node dist/engine/cli/main.js start`, its own process) under a steady
 * open-loop load for a bounded time, against a fake Responses upstream on loopback that injects
 * faults. Reports the rate of UNEXPECTED outcomes (an injected fault answered the way the gateway
 * promises is expected), latency percentiles, and the gateway's RSS at start, middle and end
 * (read from its own /metrics) with the growth trend.
 *
 *   npm run build && node bench/soak.mjs
 *
 * Settings (environment):
 *   SOAK_DURATION_S     60    how long the load runs (bounded to 1 … 3600)
 *   SOAK_RATE           40    requests started per second (fixed rate, whatever the latency)
 *   SOAK_MAX_IN_FLIGHT  256   requests open at once; past it a tick is skipped and counted
 *   SOAK_STREAM_PERCENT 40    share of streaming requests
 *   SOAK_FAULT_PERCENT  15    share of requests with an injected fault (mixed kinds, below)
 *
 * Faults, chosen per request and carried to the fake upstream in the prompt (the mapping copies
 * it into the upstream body), each with the outcome the client must see:
 *   503-once, 429-once, reset-once  the first attempt fails, the retry succeeds → 200
 *   400                             not retried → 400 invalid_request_error
 *   cut-stream                      a stream cut after its first delta → 200 ending in an error event
 *
 * Exit code 0 when the unexpected-error rate is under 0.1 %, else 1. Loopback only; stops by itself.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name, fallback, min, max) => {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`soak: ${name} must be a number from ${min} to ${max} (got "${raw}")`);
    process.exit(2);
  }
  return n;
};
const settings = {
  durationS: num('SOAK_DURATION_S', 60, 1, 3600),
  rate: num('SOAK_RATE', 40, 1, 2000),
  maxInFlight: num('SOAK_MAX_IN_FLIGHT', 256, 1, 10_000),
  streamPercent: num('SOAK_STREAM_PERCENT', 40, 0, 100),
  faultPercent: num('SOAK_FAULT_PERCENT', 15, 0, 100),
};
const GATEWAY_KEY = 'soak-gateway-key';
const UPSTREAM_KEY = 'sk-soak-upstream-key-0000';
const cli = path.join(repoRoot, 'dist', 'engine', 'cli', 'main.js');
if (!fs.existsSync(cli)) {
  console.error('soak: dist/engine/cli/main.js is missing; run `npm run build` first');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The recorded upstream answer and stream (the same reference folder as the tests).

function referenceFile(rel) {
  const base = env.ROSETTA_REFERENCE_DIR ? path.resolve(env.ROSETTA_REFERENCE_DIR) : path.resolve(repoRoot, '..', 'shared', 'reference');
  return path.join(base, 'recordings', 'openai-responses', rel);
}
const ANSWER = JSON.stringify(JSON.parse(fs.readFileSync(referenceFile('vercel-ai/azure-text.1.json'), 'utf8')));
const EVENTS = fs.readFileSync(referenceFile('vercel-ai/azure-text.1.chunks.txt'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const FRAMES = EVENTS.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
const FIRST_DELTA = EVENTS.findIndex((e) => e.type === 'response.output_text.delta');

// ---------------------------------------------------------------------------------------------
// Fake upstream: reads the fault marker from the body; "-once" faults fail the first attempt only.

const failedOnce = new Set();
const upstream = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const marker = /soak-fault=([a-z0-9-]+);id=(\d+)/.exec(body);
    const fault = marker?.[1] ?? 'none';
    const id = marker?.[2];
    const stream = /"stream":true/.test(body);
    const once = fault.endsWith('-once') && !failedOnce.has(id);
    if (once) failedOnce.add(id);
    else if (id) failedOnce.delete(id); // the retry: forget the id, so the set stays small
    if (once && fault === 'reset-once') return req.socket.resetAndDestroy();
    if (once && fault === '503-once') return json(res, 503, '{"error":{"message":"overloaded","type":"service_unavailable_error","param":null,"code":"server_is_overloaded"}}');
    if (once && fault === '429-once') return json(res, 429, '{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}', { 'retry-after-ms': '20' });
    if (fault === '400') return json(res, 400, '{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}');
    if (!stream) return json(res, 200, ANSWER);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < FRAMES.length; i++) {
      if (fault === 'cut-stream' && i > FIRST_DELTA) return req.socket.destroy();
      if (res.destroyed) return;
      res.write(FRAMES[i]);
      if (i % 4 === 3) await sleep(2);
    }
    res.end();
  });
});
function json(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// The gateway process

async function freePort() {
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

async function startGateway(upstreamUrl) {
  const port = await freePort();
  let tail = '';
  const child = spawn(process.execPath, [...gatewayNodeFlags, cli, 'start'], {
    cwd: repoRoot,
    env: {
      PATH: env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      HOT_RELOAD: 'off',
      OPENAI_BASE_URL: upstreamUrl,
      OPENAI_API_KEY: UPSTREAM_KEY,
      GATEWAY_API_KEYS: GATEWAY_KEY,
      UPSTREAM_RETRY_BASE_DELAY_MS: '20',
      SHUTDOWN_GRACE_MS: '5000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c) => (tail = (tail + c.toString('utf8')).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${tail}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url, tail: () => tail };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the gateway did not get ready within 30 s:\n${tail}`);
}

/** The gateway's resident set and V8 heap in use, MB, from its own /metrics. */
async function memoryOf(url) {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'x-api-key': GATEWAY_KEY } })).text();
  const mb = (re) => Number(re.exec(text)?.[1] ?? NaN) / 1024 / 1024;
  return { mb: mb(/^process_resident_memory_bytes (\d+)/m), heapMb: mb(/^nodejs_heap_size_used_bytes (\d+)/m) };
}

// ---------------------------------------------------------------------------------------------
// Load

const FAULTS = ['503-once', '429-once', 'reset-once', '400', 'cut-stream'];
let nextId = 0;

function pickRequest() {
  const stream = Math.random() * 100 < settings.streamPercent;
  let fault = 'none';
  if (Math.random() * 100 < settings.faultPercent) {
    fault = FAULTS[Math.floor(Math.random() * FAULTS.length)];
    if (fault === 'cut-stream' && !stream) fault = '503-once';
  }
  return { stream, fault, id: nextId++ };
}

/** What the client must get for each injected fault. */
function expected(req) {
  if (req.fault === '400') return { status: 400, errorType: 'invalid_request_error' };
  if (req.fault === 'cut-stream') return { status: 200, streamEnd: 'error' };
  return req.stream ? { status: 200, streamEnd: 'message_stop' } : { status: 200 };
}

async function send(url, req) {
  const started = performance.now();
  const body = { model: 'claude-sonnet-4-5', max_tokens: 64, stream: req.stream, messages: [{ role: 'user', content: `soak-fault=${req.fault};id=${req.id}` }] };
  try {
    const response = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    const want = expected(req);
    let problem;
    if (response.status !== want.status) problem = `status ${response.status} (wanted ${want.status}): ${text.slice(0, 160)}`;
    else if (want.errorType && !text.includes(`"type":"${want.errorType}"`)) problem = `error type: ${text.slice(0, 160)}`;
    else if (want.streamEnd) {
      const events = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]).filter((e) => e !== 'ping');
      if (events.at(-1) !== want.streamEnd) problem = `stream ended with ${events.at(-1)} (wanted ${want.streamEnd})`;
    } else if (response.status === 200 && !text.includes('"type":"message"')) problem = `not a message: ${text.slice(0, 160)}`;
    return { ms, problem };
  } catch (err) {
    return { ms: performance.now() - started, problem: `request failed: ${err?.cause?.code ?? err?.message ?? err}` };
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${upstream.address().port}/v1`;
  const gateway = await startGateway(upstreamUrl);
  console.log(`soak: ${settings.durationS} s at ${settings.rate} req/s (${settings.streamPercent}% streams, ${settings.faultPercent}% injected faults) against ${gateway.url}`);

  const results = { json: [], stream: [] };
  const problems = new Map();
  let unexpected = 0;
  let inFlight = 0;
  let skipped = 0;
  let sent = 0;
  const rss = [];
  const pending = new Set();
  const sampleRss = async (label) => rss.push({ label, t: Math.round((performance.now() - t0) / 1000), ...(await memoryOf(gateway.url)) });

  const t0 = performance.now();
  await sampleRss('start');
  const intervalMs = 1000 / settings.rate;
  const endAt = t0 + settings.durationS * 1000;
  let nextSample = t0 + 5_000;
  let middleTaken = false;
  for (let tick = 0; ; tick++) {
    const due = t0 + tick * intervalMs;
    if (due >= endAt) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (performance.now() >= nextSample) {
      nextSample += 5_000;
      const mid = !middleTaken && performance.now() >= t0 + (settings.durationS * 1000) / 2;
      if (mid) middleTaken = true;
      void sampleRss(mid ? 'middle' : 'sample');
    }
    if (inFlight >= settings.maxInFlight) {
      skipped++;
      continue;
    }
    const req = pickRequest();
    inFlight++;
    sent++;
    const p = send(gateway.url, req).then(({ ms, problem }) => {
      inFlight--;
      pending.delete(p);
      (req.stream ? results.stream : results.json).push(ms);
      if (problem) {
        unexpected++;
        const key = `${req.fault}/${req.stream ? 'stream' : 'json'}: ${problem.slice(0, 120)}`;
        problems.set(key, (problems.get(key) ?? 0) + 1);
      }
    });
    pending.add(p);
  }
  await Promise.all(pending);
  await sampleRss('end');

  const all = [...results.json, ...results.stream].sort((a, b) => a - b);
  const js = [...results.json].sort((a, b) => a - b);
  const ss = [...results.stream].sort((a, b) => a - b);
  const rate = sent === 0 ? 0 : unexpected / sent;
  const first = rss.find((r) => r.label === 'start');
  const middle = rss.find((r) => r.label === 'middle') ?? rss[Math.floor(rss.length / 2)];
  const last = rss.at(-1);
  const afterWarmup = rss.filter((r) => r.t >= 10);
  const slope = linearSlope(afterWarmup.map((r) => [r.t, r.mb]));

  console.log('');
  console.log(`requests sent           ${sent} (${skipped} ticks skipped at the in-flight cap)`);
  console.log(`unexpected outcomes     ${unexpected} (${(rate * 100).toFixed(3)} %)`);
  for (const [k, n] of problems) console.log(`  ${n} × ${k}`);
  console.log(`latency, all            p50 ${percentile(all, 50).toFixed(1)} ms   p99 ${percentile(all, 99).toFixed(1)} ms   max ${all.at(-1)?.toFixed(1)} ms`);
  console.log(`latency, JSON           p50 ${percentile(js, 50).toFixed(1)} ms   p99 ${percentile(js, 99).toFixed(1)} ms   (${js.length})`);
  console.log(`latency, streams        p50 ${percentile(ss, 50).toFixed(1)} ms   p99 ${percentile(ss, 99).toFixed(1)} ms   (${ss.length}, to the last event)`);
  console.log(`gateway RSS             start ${first.mb.toFixed(1)} MB   middle ${middle.mb.toFixed(1)} MB   end ${last.mb.toFixed(1)} MB`);
  console.log(`V8 heap used            start ${first.heapMb.toFixed(1)} MB   middle ${middle.heapMb.toFixed(1)} MB   end ${last.heapMb.toFixed(1)} MB`);
  console.log(`RSS trend after 10 s    ${Number.isFinite(slope) ? `${(slope * 60).toFixed(2)} MB/min` : 'n/a (run longer)'} (least squares; a GC sawtooth needs a few minutes to average out)`);
  console.log(`samples (s:RSS/heap MB) ${rss.map((r) => `${r.t}:${r.mb.toFixed(0)}/${r.heapMb.toFixed(0)}`).join(' ')}`);

  gateway.child.kill('SIGTERM');
  const code = await Promise.race([new Promise((r) => gateway.child.once('exit', r)), sleep(10_000).then(() => 'timeout')]);
  console.log(`gateway exit on SIGTERM ${code}`);
  if (code === 'timeout') gateway.child.kill('SIGKILL');
  upstream.closeAllConnections();
  upstream.close();
  process.exitCode = rate < 0.001 && code === 0 ? 0 : 1;
}

/** Least-squares slope of [x, y] points (MB per second here). */
function linearSlope(points) {
  if (points.length < 3) return NaN;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

main().catch((err) => {
  console.error(`soak: ${err?.stack ?? err}`);
  process.exit(1);
});
