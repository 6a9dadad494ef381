/**
 * The gateway of this checkout against the gateway of another (a commit before a change, say), in
 * one process: CPU per JSON request of each, rounds alternating. Two `npm run bench` runs minutes
 * apart differ by more than most changes do on this kind of machine (the same commit measured 0.58
 * and 0.71 CPU ms per request); in one process, with the rounds interleaved, drift hits both alike.
 *
 *   git worktree add ../before <commit> && (cd ../before && npm ci && npm run build)
 *   npm run build && node bench/compare.mjs ../before
 *
 * Each gateway is the whole gateway (startGateway from its checkout's dist/, its own mappings and
 * schemas, a client key required, logging off), both in front of one in-process upstream answering
 * the recorded Responses body; one client sends the bench body (bodies.mjs) over one connection,
 * request after request. Prints each gateway's median CPU µs per request (client, upstream and
 * gateway together, so only the difference matters) and the median of the per-round differences.
 * COMPARE_ROUNDS (10) × COMPARE_REQUESTS (2000) per gateway.
 */
import http from 'node:http';
import path from 'node:path';
import { Agent, request } from 'undici';
import { anthropicHeaders, anthropicRequestBody } from './bodies.mjs';
import { loadJsonRecording, repoRoot } from './lib/reference.mjs';
import { median } from './lib/stats.mjs';

const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 10);
const REQUESTS = Number(process.env.COMPARE_REQUESTS ?? 2000);
const other = process.argv[2];
if (!other) {
  console.error('usage: node bench/compare.mjs <other checkout, built> — see the comment at the top');
  process.exit(2);
}
const checkouts = [path.resolve(other), repoRoot];

const answer = Buffer.from(JSON.stringify(loadJsonRecording(process.env.BENCH_RESPONSE_RECORDING || 'vercel-ai/azure-tool-call.1.json')));
const upstream = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer));
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const gateways = [];
for (const root of checkouts) {
  const load = (file) => import(path.join(root, 'dist', file)).catch((err) => {
    throw new Error(`${root}: cannot load dist/${file} (npm ci && npm run build there): ${err.message}`);
  });
  const { startGateway } = await load('engine/server/gateway.js');
  const { readConfig } = await load('engine/config/env-config.js');
  const env = { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HOT_RELOAD: 'off', OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_API_KEY: 'bench-key', GATEWAY_API_KEYS: 'bench-client-key', RULE_ENGINE: 'compiled' };
  gateways.push(await startGateway(readConfig(env, root), env));
}

const body = anthropicRequestBody();
const agent = new Agent({ connections: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
async function send(url, n) {
  for (let i = 0; i < n; i++) {
    const res = await request(url, { method: 'POST', headers: anthropicHeaders, body, dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }
}

const urls = gateways.map((g) => `${g.url}/v1/messages`);
for (const url of urls) await send(url, Math.max(500, REQUESTS)); // warm-up
const cpu = urls.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < urls.length; k++) {
    const i = (k + round) % urls.length;
    const start = process.cpuUsage();
    await send(urls[i], REQUESTS);
    const used = process.cpuUsage(start);
    cpu[i].push((used.user + used.system) / REQUESTS);
  }
}

console.log(`CPU µs per JSON request (client, upstream and gateway in this process), median of ${ROUNDS} rounds of ${REQUESTS}:`);
checkouts.forEach((root, i) => console.log(`  ${i === 0 ? 'other' : 'this '}  ${median(cpu[i]).toFixed(0).padStart(6)}  ${root}`));
const differences = cpu[1].map((us, round) => us - cpu[0][round]);
const diff = median(differences);
console.log(`  this − other, median of the per-round differences: ${diff >= 0 ? '+' : ''}${diff.toFixed(0)} µs (${((diff / median(cpu[0])) * 100).toFixed(1)} %)`);
await Promise.all(gateways.map((g) => g.close()));
process.exit(0);
