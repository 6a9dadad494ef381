/**
 * How far the rules are from being the limit: the gateway with its compiled rules against the same
 * gateway with the rules' answers replayed (BENCH_RULES=replay, servers/replay-rules.mjs — rules
 * that cost nothing), with the raw and JSON floor proxies as baselines, all under the same load in
 * rotating rounds:
 *
 *   npm run build && node bench/ceiling.mjs                 # JSON, 32 connections
 *   npm run build && node bench/ceiling.mjs --mode stream   # 32 workers, streams of BENCH_DELTAS (200) deltas
 *
 * The replayed gateway is the ceiling of any rule engine in this gateway: the difference between
 * the two gateways is what the rules cost in situ, and the replayed one's ratio to the raw proxy is
 * the most a faster rule engine could bring. CEILING_ROUNDS (3) rounds of CEILING_DURATION_S (6)
 * seconds per target after a 3 s warm-up of each, no forced GC (the servers' own rhythm).
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { anthropicHeaders, anthropicRequestBody } from './bodies.mjs';
import { startServer } from './lib/children.mjs';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';
import { loadGateway } from './lib/load.mjs';
import { measureRounds } from './lib/rounds.mjs';
import { median } from './lib/stats.mjs';

const { values: options } = parseArgs({ options: { mode: { type: 'string', default: 'json' } } });
if (options.mode !== 'stream' && options.mode !== 'json') throw new Error(`--mode must be json or stream, not ${options.mode}`);
const ROUNDS = Number(process.env.CEILING_ROUNDS ?? 3);
const DURATION_S = Number(process.env.CEILING_DURATION_S ?? 6);
const unit = options.mode === 'stream' ? 'stream' : 'request';

const upstream = await startServer('fake-upstream', 'bench/servers/fake-upstream.mjs', { BENCH_DELTAS: process.env.BENCH_DELTAS ?? '200' });
const base = { BENCH_UPSTREAM_URL: upstream.url };
const asNpmStart = { execArgv: gatewayNodeFlags };
const targets = [];
try {
  targets.push({ name: 'raw proxy', server: await startServer('raw-proxy', 'bench/servers/raw-proxy.mjs', base) });
  targets.push({ name: 'JSON floor proxy', server: await startServer('json-floor-proxy', 'bench/servers/json-floor-proxy.mjs', base) });
  targets.push({ name: 'gateway, compiled', server: await startServer('gateway-compiled', 'bench/servers/gateway.mjs', { ...base, RULE_ENGINE: 'compiled' }, asNpmStart) });
  targets.push({ name: 'gateway, rules replayed', server: await startServer('gateway-replayed', 'bench/servers/gateway.mjs', { ...base, RULE_ENGINE: 'compiled', BENCH_RULES: 'replay' }, asNpmStart) });

  // The replay must answer what the rules answer, byte for byte, or it measures something else.
  const [compiled, replayed] = targets.slice(2).map((t) => t.server.url);
  await answerText(replayed); // recorded
  const [expected, actual] = await Promise.all([answerText(compiled), answerText(replayed)]);
  if (actual !== expected) throw new Error(`the replayed gateway answers otherwise than the compiled one:\n${expected.slice(0, 600)}\n---\n${actual.slice(0, 600)}`);

  const load = (target, durationS) => loadGateway(options.mode, target.server.url, durationS);
  const results = await measureRounds(targets, load, { rounds: ROUNDS, durationS: DURATION_S, warmupS: 3, forcedGc: false, unit });

  const raw = results['raw proxy'];
  console.log(`\n${options.mode}, median of ${ROUNDS} rounds of ${DURATION_S} s (ratio: to the raw proxy in the same round, median over rounds)`);
  for (const { name } of targets) {
    const rounds = results[name];
    const ratio = median(rounds.map((r, i) => r.perSecond / raw[i].perSecond));
    console.log(`  ${name.padEnd(24)} ${median(rounds.map((r) => r.perSecond)).toFixed(0).padStart(6)} ${unit}s/s  ${ratio.toFixed(3)}× raw  ${median(rounds.map((r) => r.cpuUs)).toFixed(0).padStart(5)} µs CPU per ${unit}`);
  }
  const cpu = (name) => median(results[name].map((r) => r.cpuUs));
  console.log(`  the rules in situ: ${(cpu('gateway, compiled') - cpu('gateway, rules replayed')).toFixed(0)} µs CPU per ${unit}; everything else of the gateway over the floor proxy: ${(cpu('gateway, rules replayed') - cpu('JSON floor proxy')).toFixed(0)} µs`);
} finally {
  await Promise.all([...targets.map((t) => t.server), upstream].map((s) => s.stop()));
}

/** One answer of a gateway to the bench body, whole (JSON, or the event stream's text). */
async function answerText(gatewayUrl) {
  const res = await request(`${gatewayUrl}/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: anthropicRequestBody({ stream: options.mode === 'stream' }), signal: AbortSignal.timeout(30_000) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${gatewayUrl}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  return text;
}
