/**
 * Where a JSON request's CPU time goes, layer by layer (issue #8): the same request, one after the
 * other, through servers that each add one layer, all in this one process (client, upstream and
 * server alike), so the differences between them are what each layer costs.
 *
 *   floor      the JSON floor proxy's handler (lib/json-floor.mjs): parse, re-serialise, forward
 *   pipeline   node:http + the gateway's body reader + the mapped pipeline (runMapped: validation,
 *              rules, upstream client) + JSON.stringify — no framework, no bookkeeping
 *   express    the same pipeline behind Express with one middleware: what the gateway's mapped
 *              lane (plain node:http) saves by not going through Express
 *   gateway    the whole gateway (startGateway: request id, access log, metrics, auth, limits,
 *              route choice, file scan, resilient upstream), on top of the pipeline
 *
 *   npm run build && node bench/layers.mjs        # LAYERS_ROUNDS (7) × LAYERS_REQUESTS (1000) per layer
 *
 * Prints the median CPU µs per request of each layer (process.cpuUsage over a round), rounds
 * rotating through the layers so drift hits all alike. Uses the bench body (bodies.mjs) and the
 * recorded upstream answer the fake upstream sends.
 */
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { Agent, Pool, request } from 'undici';
import { anthropicHeaders, anthropicRequestBody } from './bodies.mjs';
import { jsonFloorHandler } from './lib/json-floor.mjs';
import { loadJsonRecording, repoRoot } from './lib/reference.mjs';
import { median } from './lib/stats.mjs';

const ROUNDS = Number(process.env.LAYERS_ROUNDS ?? 7);
const REQUESTS = Number(process.env.LAYERS_REQUESTS ?? 1000);
const dist = (file) => import(path.join(repoRoot, 'dist', file));
const { startGateway } = await dist('engine/server/gateway.js');
const { readConfig } = await dist('engine/config/env-config.js');
const { loadMappingSet } = await dist('engine/spec/load-mapping-set.js');
const { runMapped } = await dist('engine/pipeline/run-mapped.js');
const { UpstreamClient } = await dist('engine/upstream/upstream-client.js');
const { readJsonBody } = await dist('engine/server/limits/read-json-body.js');

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));

// The upstream: the recorded Responses answer (a weather tool call), to every POST.
const answer = Buffer.from(JSON.stringify(loadJsonRecording(process.env.BENCH_RESPONSE_RECORDING || 'vercel-ai/azure-tool-call.1.json')));
const upstream = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer));
});
const upstreamUrl = await listen(upstream);

const floor = http.createServer(jsonFloorHandler({ pool: new Pool(upstreamUrl, { connections: 16 }), upstreamPath: '/v1/responses', upstreamKey: 'bench-key' }));

// The mapped pipeline on its own, as run-mapped.ts gives it to every caller.
const { set, problems } = await loadMappingSet({ mappingsDir: path.join(repoRoot, 'mappings'), schemasDir: path.join(repoRoot, 'schemas'), env: { OPENAI_BASE_URL: `${upstreamUrl}/v1`, RULE_ENGINE: 'compiled' } });
if (!set) throw new Error(`the mappings do not load: ${problems.map((p) => p.message).join('; ')}`);
const pair = set.pairs.find((p) => p.name === 'anthropic-to-openai-responses');
const route = pair.routes.find((r) => r.path === '/v1/messages');
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const deps = { upstream: new UpstreamClient({ connectTimeoutMs: 5_000, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000 }), upstreamValidation: 'strict', maxUpstreamResponseBytes: 64 << 20 };
const readJson = (req) => readJsonBody(req, 32 << 20);
const answerWith = async (res, inbound) => {
  const result = await runMapped(pair, route, inbound, deps, new AbortController().signal, silent);
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};
const pipeline = http.createServer(async (req, res) => answerWith(res, await readJson(req)));

const withExpress = express();
withExpress.use(async (req, res) => answerWith(res, await readJson(req)));

const env = { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HOT_RELOAD: 'off', OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_API_KEY: 'bench-key', GATEWAY_API_KEYS: 'bench-client-key', RULE_ENGINE: 'compiled' };
const gateway = await startGateway(readConfig(env, repoRoot), env);

const layers = {
  floor: `${await listen(floor)}/v1/responses`,
  pipeline: `${await listen(pipeline)}/v1/messages`,
  express: `${await listen(http.createServer(withExpress))}/v1/messages`,
  gateway: `${gateway.url}/v1/messages`,
};

const body = anthropicRequestBody();
const agent = new Agent({ connections: 1 });
async function send(url, n) {
  for (let i = 0; i < n; i++) {
    const res = await request(url, { method: 'POST', headers: anthropicHeaders, body, dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }
}

for (const url of Object.values(layers)) await send(url, Math.max(200, REQUESTS)); // warm-up
const names = Object.keys(layers);
const cpu = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    const start = process.cpuUsage();
    await send(layers[name], REQUESTS);
    const used = process.cpuUsage(start);
    cpu[name].push((used.user + used.system) / REQUESTS);
  }
}

console.log(`CPU µs per request (client, upstream and server in this process), median of ${ROUNDS} rounds of ${REQUESTS} sequential requests:`);
// Each layer against the one it builds on.
const base = { pipeline: 'floor', express: 'pipeline', gateway: 'pipeline' };
for (const name of names) {
  const us = median(cpu[name]);
  const over = base[name] && us - median(cpu[base[name]]);
  console.log(`  ${name.padEnd(11)} ${us.toFixed(0).padStart(6)}${over === undefined ? '' : `  (${over >= 0 ? '+' : ''}${over.toFixed(0)} over ${base[name]})`}`);
}
await gateway.close();
process.exit(0);
