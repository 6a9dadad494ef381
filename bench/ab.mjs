/**
 * Two gateways, A and B, each in its own process as `npm run bench` runs them, under the same load
 * in alternating rounds (A B, B A, …): CPU per request or per stream of each, round by round, and
 * the ratio of the medians. Where compare.mjs runs two checkouts in one process (JSON only, the
 * process's own Node flags), this one can also differ in Node/V8 flags and measure streams:
 *
 *   node bench/ab.mjs --b-flags "--max-semi-space-size=64"            # flags: B against A
 *   node bench/ab.mjs --a-dist ../before/dist --mode json             # builds: another checkout as A
 *
 * Options: --mode stream|json (default stream: 32 workers, streams of BENCH_DELTAS (200) deltas;
 * json: 32 connections); --a-flags / --b-flags, each gateway's Node flags (default: npm start's);
 * --a-dist / --b-dist, the dist/ of another checkout, run with that checkout's mappings (default:
 * this checkout's). AB_ROUNDS (6) rounds of AB_DURATION_S (6) seconds per gateway, after a 4 s
 * warm-up of each; before each round a forced full GC, as run.mjs does (AB_FORCED_GC=0: none).
 * CPU is the server process's own (process.cpuUsage), so the load generator and the fake
 * upstream, which share the machine, do not count.
 */
import { parseArgs } from 'node:util';
import { startServer } from './lib/children.mjs';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';
import { loadGateway } from './lib/load.mjs';
import { measureRounds } from './lib/rounds.mjs';
import { median } from './lib/stats.mjs';

const { values: options } = parseArgs({
  options: {
    mode: { type: 'string', default: 'stream' },
    'a-flags': { type: 'string' },
    'b-flags': { type: 'string' },
    'a-dist': { type: 'string' },
    'b-dist': { type: 'string' },
  },
});
if (options.mode !== 'stream' && options.mode !== 'json') throw new Error(`--mode must be stream or json, not ${options.mode}`);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const DURATION_S = Number(process.env.AB_DURATION_S ?? 6);
const DELTAS = process.env.BENCH_DELTAS ?? '200';
const FORCED_GC = process.env.AB_FORCED_GC !== '0';

const flagsOf = (text) => (text === undefined ? gatewayNodeFlags : text.split(/\s+/).filter(Boolean));
const sides = [
  { name: 'A', flags: flagsOf(options['a-flags']), dist: options['a-dist'] },
  { name: 'B', flags: flagsOf(options['b-flags']), dist: options['b-dist'] },
];

const upstream = await startServer('fake-upstream', 'bench/servers/fake-upstream.mjs', { BENCH_DELTAS: DELTAS });
const servers = [];
try {
  for (const side of sides) {
    const env = { BENCH_UPSTREAM_URL: upstream.url, RULE_ENGINE: 'compiled', ...(side.dist ? { BENCH_GATEWAY_DIST: side.dist } : {}) };
    servers.push(await startServer(`gateway-${side.name}`, 'bench/servers/gateway.mjs', env, { execArgv: side.flags }));
    console.log(`${side.name}: ${side.dist ?? 'dist/'}, node flags: ${side.flags.join(' ') || 'none'}`);
  }

  const unit = options.mode === 'stream' ? 'stream' : 'request';
  const targets = sides.map((side, i) => ({ name: side.name, server: servers[i] }));
  const load = (target, durationS) => loadGateway(options.mode, target.server.url, durationS);
  const results = await measureRounds(targets, load, { rounds: ROUNDS, durationS: DURATION_S, warmupS: 4, forcedGc: FORCED_GC, unit });
  const [a, b] = sides.map((side) => median(results[side.name].map((r) => r.cpuUs)));
  const lower = results.B.filter((r, i) => r.cpuUs < results.A[i].cpuUs).length;
  console.log(`median µs CPU per ${unit}: A ${a.toFixed(0)}, B ${b.toFixed(0)}; B/A ${(b / a).toFixed(3)}; B below A in ${lower} of ${ROUNDS} rounds`);
} finally {
  await Promise.all([...servers, upstream].map((s) => s.stop()));
}
