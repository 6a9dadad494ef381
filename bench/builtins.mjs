#!/usr/bin/env node
/**
 * Benchmarks of the built-ins, self-contained (run `npm run build` first):
 *
 *   node bench/builtins.mjs [--items 2000] [--upload-mb 300]
 *
 *  - batch throughput: items/s through the batch worker pool (BATCH_CONCURRENCY 4 and 16), each
 *    item through the whole mapped pipeline and the fsync'd journal, against an in-process fake
 *    Responses upstream on 127.0.0.1 (instant, then 20 ms per answer);
 *  - upload throughput: MB/s of a multipart upload generated on the fly and streamed (never in
 *    memory), and the gateway's peak RSS (VmHWM of the child process) before and after it.
 *
 * The gateway runs as a child process (`node dist/engine/cli/main.js start`) on a temporary
 * DATA_DIR; everything listens on 127.0.0.1 and is stopped at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-key';
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const ITEMS = Number(args.items ?? 2000);
const UPLOAD_MB = Number(args['upload-mb'] ?? 300);

const ANSWER = JSON.stringify({
  id: 'resp_bench', object: 'response', created_at: 1, status: 'completed', model: 'gpt-5',
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [] }] }],
  usage: { input_tokens: 10, output_tokens: 1, total_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
});

function fakeUpstream(latencyMs) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER), latencyMs));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

async function startGateway(upstreamUrl, dataDir, extraEnv = {}) {
  const child = spawn(process.execPath, [...gatewayNodeFlags, path.join(ROOT, 'dist/engine/cli/main.js'), 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', HOT_RELOAD: 'off',
      OPENAI_BASE_URL: upstreamUrl, OPENAI_API_KEY: 'sk-bench', GATEWAY_API_KEYS: KEY, DATA_DIR: dataDir,
      UPSTREAM_MAX_RETRIES: '0', ...extraEnv,
    },
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start in 20 s')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'rosetta is serving') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {}
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}`)));
  });
  child.stdout.resume();
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function api(url, method, body) {
  const res = await fetch(url, { method, headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function batchThroughput(concurrency, latencyMs) {
  const upstream = await fakeUpstream(latencyMs);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-bench-batch-'));
  const gw = await startGateway(upstream.url, dataDir, { BATCH_CONCURRENCY: String(concurrency) });
  try {
    const requests = Array.from({ length: ITEMS }, (_, i) => ({ custom_id: `b-${i}`, params: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: `Question number ${i}: say ok.` }] } }));
    const started = performance.now();
    const batch = await api(`${gw.url}/v1/messages/batches`, 'POST', { requests });
    const accepted = performance.now();
    const deadline = Date.now() + 10 * 60_000;
    let state = batch;
    while (state.processing_status !== 'ended') {
      if (Date.now() > deadline) throw new Error('batch did not end in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
      state = await api(`${gw.url}/v1/messages/batches/${batch.id}`, 'GET');
    }
    const seconds = (performance.now() - accepted) / 1000;
    if (state.request_counts.succeeded !== ITEMS) throw new Error(`unexpected counts ${JSON.stringify(state.request_counts)}`);
    return { concurrency, upstream_latency_ms: latencyMs, items: ITEMS, create_ms: Math.round(accepted - started), seconds: round(seconds), items_per_s: round(ITEMS / seconds) };
  } finally {
    await stop(gw.child);
    upstream.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return round(Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024);
  } catch {
    return null;
  }
}

async function uploadThroughput() {
  const upstream = await fakeUpstream(0);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-bench-upload-'));
  const gw = await startGateway(upstream.url, dataDir);
  try {
    await api(`${gw.url}/v1/models`, 'GET'); // warm
    const before = peakRssMb(gw.child.pid);
    const total = UPLOAD_MB * 1024 * 1024;
    const boundary = 'rosetta-bench';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    const started = performance.now();
    const answer = await new Promise((resolve, reject) => {
      const req = http.request(`${gw.url}/v1/files`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + total + tail.length } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end(tail);
      };
      req.write(head);
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    if (answer.size_bytes !== total) throw new Error(`stored ${answer.size_bytes} bytes, sent ${total}`);
    return { megabytes: UPLOAD_MB, seconds: round(seconds), mb_per_s: round(UPLOAD_MB / seconds), gateway_peak_rss_mb_before: before, gateway_peak_rss_mb_after: peakRssMb(gw.child.pid) };
  } finally {
    await stop(gw.child);
    upstream.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(n) {
  return Math.round(n * 10) / 10;
}

const report = { node: process.version, cpus: os.cpus().length, batch: [], upload: undefined };
for (const [concurrency, latency] of [[4, 0], [16, 0], [4, 20], [16, 20]]) {
  const result = await batchThroughput(concurrency, latency);
  report.batch.push(result);
  console.log(`batch  concurrency ${String(concurrency).padStart(2)}  upstream ${String(latency).padStart(2)} ms  ${result.items} items in ${result.seconds} s  → ${result.items_per_s} items/s (create ${result.create_ms} ms)`);
}
report.upload = await uploadThroughput();
const u = report.upload;
console.log(`upload ${u.megabytes} MB streamed in ${u.seconds} s → ${u.mb_per_s} MB/s; gateway peak RSS ${u.gateway_peak_rss_mb_before} MB before, ${u.gateway_peak_rss_mb_after} MB after`);
console.log(JSON.stringify(report));
