/**
 * `npm run bench`: the gateway — once with its rules interpreted by JSONata, once compiled to
 * JavaScript (RULE_ENGINE) — against a raw pass-through proxy, all in front of the same fake
 * upstream, each server in its own process, measured in the same run, round by round, in rotating
 * order; plus the rules alone (rules.mjs). Prints a table of medians and ratios and writes
 * bench/results/latest.json. See bench/README.md for the scenarios and the settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicHeaders, anthropicRequestBody, toyHeaders, toyRequestBody } from './bodies.mjs';
import { startServer } from './lib/children.mjs';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';
import { oneJson, oneStream, runAutocannon, runStreams } from './lib/load.mjs';
import { repoRoot } from './lib/reference.mjs';
import { median, ratio } from './lib/stats.mjs';
import { runRulesBench } from './rules.mjs';

// ---------------------------------------------------------------------------------------------
// Settings

const env = process.env;
const problems = [];
function num(name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    problems.push(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return n;
}
const int = (name, fallback, min, max) => {
  const n = num(name, fallback, min, max);
  if (!Number.isInteger(n)) problems.push(`${name} must be an integer (got "${env[name]}")`);
  return Math.round(n);
};

const SCENARIO_NAMES = ['json', 'json-c1', 'stream', 'stream-long', 'rules'];
const ENGINE_NAMES = ['interpreted', 'compiled'];
const settings = {
  durationS: num('BENCH_DURATION_S', 10, 0.5, 600),
  rounds: int('BENCH_ROUNDS', 3, 1, 21),
  warmupS: num('BENCH_WARMUP_S', 2, 0, 60),
  only: (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  engines: (env.BENCH_ENGINES || ENGINE_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean),
  pair: env.BENCH_PAIR || 'anthropic',
  connections: int('BENCH_CONNECTIONS', 32, 1, 1024),
  streams: int('BENCH_STREAMS', 32, 1, 1024),
  deltas: int('BENCH_DELTAS', 200, 1, 1_000_000),
  longDeltas: int('BENCH_LONG_DELTAS', 100_000, 1, 10_000_000),
  longTimeoutS: num('BENCH_LONG_TIMEOUT_S', 180, 1, 3600),
  longBudgetS: num('BENCH_LONG_BUDGET_S', 75, 1, 3600),
  flatMb: num('BENCH_LONG_FLAT_MB', 16, 0, 100_000),
  maxTotalS: num('BENCH_MAX_TOTAL_S', 1800, 10, 86_400),
  cpuProfile: env.BENCH_GATEWAY_CPU_PROF === '1',
  results: path.resolve(repoRoot, env.BENCH_RESULTS || 'bench/results/latest.json'),
};
for (const name of settings.only) if (!SCENARIO_NAMES.includes(name)) problems.push(`BENCH_ONLY: unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
for (const name of settings.engines) if (!ENGINE_NAMES.includes(name)) problems.push(`BENCH_ENGINES: unknown rule engine "${name}" (known: ${ENGINE_NAMES.join(', ')})`);
if (settings.engines.length === 0 || new Set(settings.engines).size !== settings.engines.length) problems.push('BENCH_ENGINES must name each engine once');
if (!['anthropic', 'toy'].includes(settings.pair)) problems.push(`BENCH_PAIR must be anthropic or toy (got "${settings.pair}")`);
if (problems.length > 0) {
  console.error(`bench: invalid settings:\n  ${problems.join('\n  ')}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// What is sent, and what counts as a valid answer, per pair

const PAIRS = {
  anthropic: {
    description: 'anthropic-to-openai-responses (mappings/)',
    gatewayPath: '/v1/messages',
    upstreamPath: '/v1/responses',
    headers: anthropicHeaders,
    body: { json: anthropicRequestBody(), stream: anthropicRequestBody({ stream: true }) },
    gatewayEnv: {},
    json: {
      gateway: (b) => (b?.type === 'message' && b?.role === 'assistant' && Array.isArray(b?.content) && b.content.length > 0 ? undefined : 'not an Anthropic message'),
      raw: (b) => (b?.object === 'response' && Array.isArray(b?.output) ? undefined : 'not a Responses object'),
    },
    stream: {
      gateway: (n) => streamCheck({ errorNames: ['error'], first: 'message_start', last: 'message_stop', delta: 'content_block_delta', n }),
      raw: (n) => streamCheck({ errorNames: ['error', 'response.failed'], first: 'response.created', last: 'response.completed', delta: 'response.output_text.delta', n }),
    },
  },
  toy: {
    description: 'toy-chat-to-toy-llm (test/fixtures/mini)',
    gatewayPath: '/chat',
    upstreamPath: '/v1/generate',
    headers: toyHeaders,
    body: { json: toyRequestBody(), stream: toyRequestBody({ stream: true }) },
    gatewayEnv: {
      MAPPINGS_DIR: env.MAPPINGS_DIR || 'test/fixtures/mini/mappings',
      SCHEMAS_DIR: env.SCHEMAS_DIR || 'test/fixtures/mini/schemas',
    },
    json: {
      gateway: (b) => (typeof b?.answer === 'string' ? undefined : 'not a toy-chat answer'),
      raw: (b) => (typeof b?.output?.text === 'string' ? undefined : 'not a toy-llm output'),
    },
    stream: {
      gateway: (n) => streamCheck({ errorNames: ['problem'], first: 'start', last: 'stop', delta: 'text', n }),
      raw: (n) => streamCheck({ errorNames: [], first: 'delta', last: 'done', delta: 'delta', n }),
    },
  },
};
const pair = PAIRS[settings.pair];

/** A stream is valid when it opens and closes with the right events, carries no error event and all N deltas. */
function streamCheck({ errorNames, first, last, delta, n }) {
  return {
    errorNames,
    validate(c) {
      if (c.errorPreview) return `error event in the stream: ${c.errorPreview}`;
      if (c.events === 0) return 'the stream carried no events';
      if (c.firstName !== first) return `the stream began with "${c.firstName}", not "${first}"`;
      if (c.lastName !== last) return `the stream ended with "${c.lastName}", not "${last}" (${c.events} events)`;
      if (c.count(delta) !== n) return `${c.count(delta)} "${delta}" events for ${n} upstream deltas`;
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Output helpers

const MB = 1024 * 1024;
const fmtNum = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const fmtMs = (v) => (typeof v === 'number' && Number.isFinite(v) ? (v < 10 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(1)) : '—');
const fmtMb = (v) => (typeof v === 'number' && Number.isFinite(v) ? `${(v / MB).toFixed(1)} MB` : '—');
const fmtSignedMb = (v) => (typeof v === 'number' && Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v / MB).toFixed(1)} MB` : '—');
const fmtRatio = (v) => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(v < 10 ? 3 : 1)}×` : '—');
const log = (line = '') => process.stdout.write(`${line}\n`);

function table(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Servers

const servers = {};
let shuttingDown = false;
async function stopAll() {
  shuttingDown = true;
  await Promise.all(Object.values(servers).map((s) => s?.stop().catch(() => {})));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping the servers`);
    stopAll().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench: still running after BENCH_MAX_TOTAL_S=${settings.maxTotalS} s; giving up`);
  stopAll().finally(() => process.exit(3));
}, settings.maxTotalS * 1000);
watchdog.unref();

const profileDir = path.join(path.dirname(settings.results), 'profiles');

/** Starts the fake upstream, the raw proxy and one gateway per rule engine; gives each gateway's start problem. */
async function startServers() {
  const base = { ...env, PORT: '0', BENCH_DELTAS: String(settings.deltas) };
  servers.upstream = await startServer('fake-upstream', path.join(repoRoot, 'bench/servers/fake-upstream.mjs'), base);
  servers.raw = await startServer('raw-proxy', path.join(repoRoot, 'bench/servers/raw-proxy.mjs'), { ...base, BENCH_UPSTREAM_URL: servers.upstream.url, BENCH_UPSTREAM_PATH: pair.upstreamPath });
  servers.floor = await startServer('json-floor-proxy', path.join(repoRoot, 'bench/servers/json-floor-proxy.mjs'), { ...base, BENCH_UPSTREAM_URL: servers.upstream.url, BENCH_UPSTREAM_PATH: pair.upstreamPath });
  const problems = {};
  for (const engine of settings.engines) {
    const problem = await startGatewayServer(engine);
    if (problem) problems[engine] = problem;
  }
  return problems;
}

/** Starts (or restarts) the gateway of one rule engine (RULE_ENGINE); gives the reason when it cannot start. */
async function startGatewayServer(engine) {
  const gatewayEnv = { ...env, ...pair.gatewayEnv, BENCH_UPSTREAM_URL: servers.upstream.url, RULE_ENGINE: engine };
  const execArgv = [...gatewayNodeFlags, ...(settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  try {
    servers[engine] = await startServer(`gateway-${engine}`, path.join(repoRoot, 'bench/servers/gateway.mjs'), gatewayEnv, { execArgv });
    return undefined;
  } catch (err) {
    servers[engine] = undefined;
    return `the ${engine} gateway did not start: ${err.message}`;
  }
}

async function mark(list) {
  return Object.fromEntries(await Promise.all(list.map(async (s) => [s.name, await s.call('mark', { gc: true })])));
}
async function peaks(list, options = {}) {
  return Object.fromEntries(await Promise.all(list.map(async (s) => [s.name, await s.call('peak', options)])));
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const DESCRIPTIONS = {
  json: () => `POST ${pair.gatewayPath} (gateway) vs POST ${pair.upstreamPath} (raw), JSON, ${settings.connections} connections`,
  'json-c1': () => `POST ${pair.gatewayPath} (gateway) vs POST ${pair.upstreamPath} (raw), JSON, 1 connection`,
  stream: () => `${settings.streams} concurrent streams of ${settings.deltas} deltas, back to back`,
  'stream-long': () => `one stream of ${settings.longDeltas.toLocaleString('en-US')} deltas`,
  rules: () => 'the rules alone, in process: one request mapping, one stream event (interpreted vs compiled)',
};

/**
 * The targets of a scenario: the raw proxy, the JSON floor proxy (servers/json-floor-proxy.mjs:
 * parses and re-serialises what passes, nothing more), then one gateway per rule engine.
 */
const GATEWAYS = settings.engines;
const BASELINES = ['raw', 'floor'];
const TARGETS = [...BASELINES, ...GATEWAYS];
const LABEL = { raw: 'raw proxy', floor: 'JSON floor proxy', interpreted: 'gateway, interpreted', compiled: 'gateway, compiled' };
const LABEL_WIDTH = Math.max(...TARGETS.map((t) => LABEL[t].length));
/** Which answer check a target gets. */
const kindOf = (target) => (BASELINES.includes(target) ? 'raw' : 'gateway');
/** Round r starts with target r (mod n): each target goes first, last and in between as often. */
const orderOf = (round) => TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]);
const urlOf = (target) => (BASELINES.includes(target) ? servers[target].url + pair.upstreamPath : servers[target].url + pair.gatewayPath);
const running = () => TARGETS.every((t) => servers[t]);

function progress(scenario, round, target, text) {
  log(`  ${scenario} ${round === undefined ? 'warm-up' : `round ${round + 1}/${settings.rounds}`} ${LABEL[target].padEnd(LABEL_WIDTH)} ${text}`);
}

/** Checks both targets answer one request properly; gives a skip reason otherwise. */
async function probe(kind, n) {
  const results = {};
  for (const target of TARGETS) {
    const url = urlOf(target);
    const r = kind === 'json'
      ? await oneJson({ url, body: pair.body.json, headers: pair.headers, check: pair.json[kindOf(target)] })
      : await oneStream({ url, body: pair.body.stream, headers: pair.headers, check: pair.stream[kindOf(target)](n), timeoutMs: 60_000 });
    results[target] = { kind: r.kind, status: r.status, problem: r.problem, ms: r.ms ?? r.totalMs, bytes: r.bytes ?? r.chars, events: r.events, byName: r.byName, shape: r.body ? shapeOf(r.body) : undefined };
    if (r.kind === 'ok') {
      const what = kind === 'json'
        ? `${r.bytes.toLocaleString('en-US')} bytes, ${results[target].shape}`
        : `${r.events} events (${Object.entries(r.byName).map(([k, v]) => `${k}×${v}`).join(', ')})`;
      log(`  probe ${LABEL[target].padEnd(LABEL_WIDTH)} HTTP ${r.status}, ${what.length > 220 ? `${what.slice(0, 217)}…` : what}`);
    }
    if (r.kind !== 'ok') {
      const who = BASELINES.includes(target) ? `the ${LABEL[target]} (a harness problem)` : `the ${LABEL[target]}`;
      return { results, skip: `${who} did not answer a valid ${kind === 'json' ? 'JSON response' : 'stream'}: ${r.problem}` };
    }
  }
  return { results };
}

/** A one-line description of a JSON answer, to show the probe saw something plausible. */
function shapeOf(b) {
  if (b?.type === 'message') return `Anthropic message: content [${(b.content ?? []).map((c) => (c.type === 'tool_use' ? `tool_use ${c.name}` : c.type)).join(', ')}], stop_reason ${b.stop_reason}`;
  if (b?.object === 'response') return `Responses object: output [${(b.output ?? []).map((o) => (o.type === 'function_call' ? `function_call ${o.name}` : o.type)).join(', ')}], status ${b.status}`;
  return `keys ${Object.keys(b ?? {}).join(', ')}`;
}

function countsOf(m) {
  return { non2xx: m.non2xx ?? 0, errors: (m.errors ?? 0) + (m.invalid ?? 0) };
}

/**
 * Warm-up of every target, then the measured rounds, alternating the order round by round so
 * drift hits raw and gateway alike. `complete` derives per-scenario figures from a measurement
 * (given the server's CPU time) and returns its progress line.
 */
async function measureRounds(name, load, { warmup, complete, after = () => {} }) {
  if (settings.warmupS > 0) {
    for (const target of TARGETS) progress(name, undefined, target, warmup(await load(target, settings.warmupS)));
  }
  const rounds = Object.fromEntries(TARGETS.map((t) => [t, []]));
  for (let round = 0; round < settings.rounds && !shuttingDown; round++) {
    for (const target of orderOf(round)) {
      const watched = [servers[target], servers.upstream];
      await mark(watched);
      const m = await load(target, settings.durationS);
      const p = await peaks(watched);
      m.peakRss = { server: p[servers[target].name].peak, upstream: p['fake-upstream'].peak };
      const line = complete(m, p[servers[target].name].cpuMs);
      rounds[target].push(m);
      progress(name, round, target, line);
      after(m);
      await sleep(250);
    }
  }
  return rounds;
}

async function runJson(name, connections) {
  const out = { name, description: DESCRIPTIONS[name](), connections };
  const { results, skip } = await probe('json');
  out.probe = results;
  if (skip) return { ...out, status: 'skipped', reason: skip };
  const load = (target, durationS) => runAutocannon({ url: urlOf(target), body: pair.body.json, headers: pair.headers, connections, durationS });
  out.rounds = await measureRounds(name, load, {
    warmup: (w) => `${fmtNum(w.reqPerSec)} req/s, non-2xx ${w.non2xx}, errors ${w.errors}`,
    complete(m, cpuMs) {
      m.cpuMsPerRequest = m.requests ? cpuMs / m.requests : undefined;
      m.valid = m.requests > 0 && m.non2xx === 0 && m.errors === 0 && m.timeouts === 0;
      return `${fmtNum(m.reqPerSec)} req/s  p50 ${fmtMs(m.latency.p50)} ms  p99 ${fmtMs(m.latency.p99)} ms  RSS ${fmtMb(m.peakRss.server)}  non-2xx ${m.non2xx}  errors ${m.errors}${m.valid ? '' : '  INVALID'}`;
    },
  });
  return summarize(out, {
    reqPerSec: (m) => m.reqPerSec,
    p50: (m) => m.latency.p50,
    p99: (m) => m.latency.p99,
    cpuMsPerRequest: (m) => m.cpuMsPerRequest,
    peakRss: (m) => m.peakRss.server,
    upstreamPeakRss: (m) => m.peakRss.upstream,
  });
}

async function runStream(name) {
  const n = settings.deltas;
  const workers = settings.streams;
  const out = { name, description: DESCRIPTIONS[name](), workers, deltas: n };
  await servers.upstream.call('set', { deltas: n });
  const { results, skip } = await probe('stream', n);
  out.probe = results;
  if (skip) return { ...out, status: 'skipped', reason: skip };
  const load = (target, durationS) => runStreams({ url: urlOf(target), body: pair.body.stream, headers: pair.headers, check: pair.stream[kindOf(target)](n), workers, durationS });
  out.rounds = await measureRounds(name, load, {
    warmup: (w) => `${fmtNum(w.streamsPerSec)} streams/s, non-2xx ${w.non2xx}, invalid ${w.invalid}, errors ${w.errors}`,
    complete(m, cpuMs) {
      m.cpuMsPerStream = m.streams ? cpuMs / m.streams : undefined;
      m.valid = m.streams > 0 && m.non2xx === 0 && m.invalid === 0 && m.errors === 0;
      return `${fmtNum(m.streamsPerSec)} streams/s  ${fmtNum(m.eventsPerSec, 0)} events/s  TTFB p50 ${fmtMs(m.ttfb.p50)} ms  p99 ${fmtMs(m.ttfb.p99)} ms  RSS ${fmtMb(m.peakRss.server)}  non-2xx ${m.non2xx}  invalid ${m.invalid}  errors ${m.errors}${m.valid ? '' : '  INVALID'}`;
    },
    after: (m) => {
      for (const { count, problem } of m.problems) log(`      ${count}× ${problem}`);
    },
  });
  return summarize(out, {
    streamsPerSec: (m) => m.streamsPerSec,
    eventsPerSec: (m) => m.eventsPerSec,
    ttfbP50: (m) => m.ttfb.p50,
    ttfbP99: (m) => m.ttfb.p99,
    streamP50: (m) => m.streamMs.p50,
    cpuMsPerStream: (m) => m.cpuMsPerStream,
    peakRss: (m) => m.peakRss.server,
    upstreamPeakRss: (m) => m.peakRss.upstream,
  });
}

/**
 * Memory over one long stream. RSS: at its start (after a forced GC), its peak, its growth.
 * The heap saw-tooths between collections, so whether the stream holds memory per event is read
 * from the live heap: a forced GC in the server when the client has received 25 %, 50 % and 75 %
 * of the events (the same for both servers), and once more after the stream.
 */
function memoryOf(markReply, peakReply, gcProbes) {
  const samples = peakReply.samples ?? [];
  const every = Math.max(1, Math.ceil(samples.length / 60));
  const live = gcProbes.map((p) => p.heapUsed);
  return {
    start: markReply.rss,
    peak: Math.max(peakReply.peak, markReply.rss),
    end: peakReply.rss,
    growth: Math.max(peakReply.peak, markReply.rss) - markReply.rss,
    heapStart: markReply.heapUsed,
    liveHeap: gcProbes.map((p) => ({ atEvent: p.atEvent, ms: Math.round(p.ms), heapUsed: p.heapUsed, rss: p.rss })),
    // Live heap added between 25 % and 75 % of the stream: memory held per event.
    liveGrowth: live.length >= 2 ? live[live.length - 1] - live[0] : undefined,
    heapAfterGc: peakReply.heapAfterGc,
    retainedAfterGc: peakReply.heapAfterGc !== undefined ? peakReply.heapAfterGc - markReply.heapUsed : undefined,
    samples: samples.length,
    // A coarse timeline for the JSON: at most 60 points, [ms since start, RSS MB, heap MB].
    timeline: samples.filter((_, i) => i % every === 0).map(([t, rss, heap]) => [t, Math.round((rss / MB) * 10) / 10, Math.round((heap / MB) * 10) / 10]),
  };
}

async function runLong(name) {
  const n = settings.longDeltas;
  const out = { name, description: DESCRIPTIONS[name](), deltas: n };
  // Check the stream's shape on a short one first: a failing gateway should not cost a long run.
  await servers.upstream.call('set', { deltas: settings.deltas });
  const { results, skip } = await probe('stream', settings.deltas);
  out.probe = results;
  if (skip) return { ...out, status: 'skipped', reason: skip };
  await servers.upstream.call('set', { deltas: n });
  out.rounds = Object.fromEntries(TARGETS.map((t) => [t, []]));
  const began = performance.now();
  try {
    for (let round = 0; round < settings.rounds && !shuttingDown; round++) {
      if (round > 0 && performance.now() - began > settings.longBudgetS * 1000) {
        out.note = `ran ${round} of ${settings.rounds} rounds: BENCH_LONG_BUDGET_S=${settings.longBudgetS} s was spent`;
        log(`  ${name}: ${out.note}`);
        break;
      }
      for (const target of orderOf(round)) {
        const watched = [servers[target], servers.upstream];
        const marks = await mark(watched);
        const gcCalls = [];
        const r = await oneStream({
          url: urlOf(target),
          body: pair.body.stream,
          headers: pair.headers,
          check: pair.stream[kindOf(target)](n),
          timeoutMs: settings.longTimeoutS * 1000,
          milestones: [0.25, 0.5, 0.75].map((f) => Math.round(f * n)),
          onMilestone: (atEvent, ms) => gcCalls.push(servers[target].call('gc').then((reply) => ({ ...reply, atEvent, ms }), () => undefined)),
        });
        const gcProbes = (await Promise.all(gcCalls)).filter(Boolean);
        const p = await peaks(watched, { samples: true, gcAfter: true });
        const m = {
          valid: r.kind === 'ok',
          problem: r.problem,
          status: r.status,
          totalS: r.totalMs / 1000,
          events: r.events,
          eventsPerSec: r.events / (r.totalMs / 1000),
          ttfbMs: r.ttfbMs,
          memory: memoryOf(marks[servers[target].name], p[servers[target].name], gcProbes),
          upstreamPeakRss: p['fake-upstream'].peak,
          cpuMs: p[servers[target].name].cpuMs,
        };
        out.rounds[target].push(m);
        if (!m.valid) {
          progress(name, round, target, `FAILED: ${r.problem}`);
          if (!BASELINES.includes(target)) return { ...out, status: 'skipped', reason: `the ${LABEL[target]}'s long stream failed: ${r.problem}` };
          return { ...out, status: 'skipped', reason: `the ${LABEL[target]}'s long stream failed (a harness problem): ${r.problem}` };
        }
        progress(name, round, target, `${fmtNum(m.totalS, 2)} s  ${fmtNum(m.eventsPerSec, 0)} events/s  RSS start ${fmtMb(m.memory.start)} peak ${fmtMb(m.memory.peak)} (${fmtSignedMb(m.memory.growth)})  live heap at 25/50/75 %: ${m.memory.liveHeap.map((h) => fmtMb(h.heapUsed)).join(' / ') || '—'}  retained after the stream ${fmtSignedMb(m.memory.retainedAfterGc)}`);
        await sleep(250);
      }
    }
  } finally {
    await servers.upstream.call('set', { deltas: settings.deltas });
  }
  const result = summarize(out, {
    totalS: (m) => m.totalS,
    eventsPerSec: (m) => m.eventsPerSec,
    ttfbMs: (m) => m.ttfbMs,
    rssStart: (m) => m.memory.start,
    peakRss: (m) => m.memory.peak,
    growth: (m) => m.memory.growth,
    liveGrowth: (m) => m.memory.liveGrowth,
    retainedAfterGc: (m) => m.memory.retainedAfterGc,
    cpuMs: (m) => m.cpuMs,
  });
  if (result.status !== 'ok') return result;
  for (const target of TARGETS) {
    const rounds = out.rounds[target];
    const maxOf = (f) => (rounds.some((m) => f(m) !== undefined) ? Math.max(...rounds.map((m) => f(m) ?? -Infinity)) : undefined);
    result.median[target].maxGrowth = maxOf((m) => m.memory.growth);
    result.median[target].maxLiveGrowth = maxOf((m) => m.memory.liveGrowth);
    result.median[target].maxRetainedAfterGc = maxOf((m) => m.memory.retainedAfterGc);
  }
  result.flat = Object.fromEntries(GATEWAYS.map((t) => {
    const g = result.median[t];
    return [t, (g.maxLiveGrowth ?? 0) <= settings.flatMb * MB && (g.maxRetainedAfterGc ?? 0) <= settings.flatMb * MB];
  }));
  return result;
}

/**
 * Medians of rounds per target, and each gateway's ratios to the raw proxy (and compiled to
 * interpreted); a target with an invalid round gets no figures.
 */
function summarize(out, metrics) {
  const med = {};
  const invalid = {};
  for (const target of TARGETS) {
    const rounds = out.rounds[target];
    const bad = rounds.filter((m) => !m.valid);
    if (bad.length > 0 || rounds.length === 0) {
      invalid[target] = bad.reduce((acc, m) => {
        const c = countsOf(m);
        return { rounds: acc.rounds + 1, non2xx: acc.non2xx + c.non2xx, errors: acc.errors + c.errors };
      }, { rounds: 0, non2xx: 0, errors: 0 });
      continue;
    }
    med[target] = Object.fromEntries(Object.entries(metrics).map(([k, f]) => [k, median(rounds.map(f))]));
  }
  if (Object.keys(invalid).length > 0) {
    const which = Object.entries(invalid).map(([t, c]) => `${LABEL[t]}: ${c.rounds} round(s) with ${c.non2xx} non-2xx and ${c.errors} failed/invalid responses`).join('; ');
    return { ...out, status: 'invalid', reason: `failed requests during the load (${which}); figures withheld`, invalid };
  }
  const ratiosOf = (a, b) => Object.fromEntries(Object.keys(metrics).map((k) => [k, ratio(med[a][k], med[b][k])]));
  // Paired per round (the rounds ran back to back), then the median: less sensitive to drift.
  const pairedOf = (a, b) => Object.fromEntries(Object.entries(metrics).map(([k, f]) => [k, median(out.rounds[a].map((m, i) => ratio(f(m), f(out.rounds[b][i]))))]));
  const ratios = Object.fromEntries(GATEWAYS.map((t) => [t, ratiosOf(t, 'raw')]));
  const paired = Object.fromEntries(GATEWAYS.map((t) => [t, pairedOf(t, 'raw')]));
  // The floor against raw (what reading JSON costs) and each gateway against the floor.
  ratios['floor/raw'] = ratiosOf('floor', 'raw');
  paired['floor/raw'] = pairedOf('floor', 'raw');
  for (const t of GATEWAYS) {
    ratios[`${t}/floor`] = ratiosOf(t, 'floor');
    paired[`${t}/floor`] = pairedOf(t, 'floor');
  }
  if (GATEWAYS.includes('compiled') && GATEWAYS.includes('interpreted')) {
    ratios['compiled/interpreted'] = ratiosOf('compiled', 'interpreted');
    paired['compiled/interpreted'] = pairedOf('compiled', 'interpreted');
  }
  return { ...out, status: 'ok', median: med, ratio: ratios, pairedRatio: paired };
}

/** The gist of a crashed process's output: the thrown error's first line and where it was thrown. */
function lastError(output) {
  const lines = output.trim().split('\n');
  const i = lines.findLastIndex((l) => /^\S*(Error|Exception)\b.*:|^\S+Error \[/.test(l));
  if (i === -1) return lines.slice(-3).join(' | ');
  const frames = lines.slice(i + 1).filter((l) => /^\s+at /.test(l));
  const at = frames.find((l) => l.includes('/dist/engine/')) ?? frames.find((l) => !l.includes('node:'));
  return `${lines[i].trim()}${at ? ` (${at.trim()})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Report

/** The ratio rows of a table: each gateway against the raw proxy, then compiled against interpreted. */
function ratioRows(s, cells) {
  const rows = GATEWAYS.map((t) => [`${t}/raw`, ...cells(s.ratio[t])]);
  if (s.ratio['floor/raw']) rows.push(['floor/raw', ...cells(s.ratio['floor/raw'])]);
  for (const t of GATEWAYS) if (s.ratio[`${t}/floor`]) rows.push([`${t}/floor`, ...cells(s.ratio[`${t}/floor`])]);
  if (s.ratio['compiled/interpreted']) rows.push(['compiled/interpreted', ...cells(s.ratio['compiled/interpreted'])]);
  return rows;
}

function printScenario(s) {
  log();
  const how = s.name === 'stream-long' ? `${s.rounds?.[GATEWAYS[0]]?.length ?? settings.rounds} round(s)` : `${settings.durationS} s × ${settings.rounds} round(s)`;
  if (s.name === 'rules') {
    log(`== rules: ${s.description} ==`);
    if (s.status !== 'ok') log(`   skipped: ${s.reason}`);
    return; // rules.mjs printed its own table
  }
  log(`== ${s.name}: ${s.description} — ${how}, medians of rounds ==`);
  if (s.status !== 'ok') {
    log(`   ${s.status === 'skipped' ? 'skipped' : 'INVALID'}: ${s.reason}`);
    return;
  }
  const m = s.median;
  if (s.name === 'json' || s.name === 'json-c1') {
    log(table(['', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'server peak RSS', 'upstream peak RSS'], [
      ...TARGETS.map((t) => [LABEL[t], fmtNum(m[t].reqPerSec), fmtMs(m[t].p50), fmtMs(m[t].p99), fmtMs(m[t].cpuMsPerRequest), fmtMb(m[t].peakRss), fmtMb(m[t].upstreamPeakRss)]),
      ...ratioRows(s, (r) => [fmtRatio(r.reqPerSec), fmtRatio(r.p50), fmtRatio(r.p99), fmtRatio(r.cpuMsPerRequest), fmtRatio(r.peakRss), '']),
    ]));
    for (const t of GATEWAYS) {
      log(`   ${LABEL[t]}: added latency p50 +${fmtMs(m[t].p50 - m.raw.p50)} ms, p99 +${fmtMs(m[t].p99 - m.raw.p99)} ms; req/s ratio paired by round: ${fmtRatio(s.pairedRatio[t].reqPerSec)}`);
    }
  } else if (s.name === 'stream') {
    log(table(['', 'streams/s', 'events/s', 'TTFB p50 ms', 'TTFB p99 ms', 'stream p50 ms', 'CPU ms/stream', 'server peak RSS'], [
      ...TARGETS.map((t) => [LABEL[t], fmtNum(m[t].streamsPerSec), fmtNum(m[t].eventsPerSec, 0), fmtMs(m[t].ttfbP50), fmtMs(m[t].ttfbP99), fmtMs(m[t].streamP50), fmtMs(m[t].cpuMsPerStream), fmtMb(m[t].peakRss)]),
      ...ratioRows(s, (r) => [fmtRatio(r.streamsPerSec), fmtRatio(r.eventsPerSec), fmtRatio(r.ttfbP50), fmtRatio(r.ttfbP99), fmtRatio(r.streamP50), fmtRatio(r.cpuMsPerStream), fmtRatio(r.peakRss)]),
    ]));
    log(`   events per stream: ${TARGETS.map((t) => `${LABEL[t]} ${fmtNum(s.rounds[t][0].eventsPerStream, 0)}`).join(', ')}; streams/s ratio paired by round: ${GATEWAYS.map((t) => `${t} ${fmtRatio(s.pairedRatio[t].streamsPerSec)}`).join(', ')}`);
  } else if (s.name === 'stream-long') {
    log(table(['', 'total s', 'events/s', 'TTFB ms', 'CPU s', 'RSS at start', 'peak RSS', 'RSS growth', 'live heap growth', 'retained after'], [
      ...TARGETS.map((t) => [LABEL[t], fmtNum(m[t].totalS, 2), fmtNum(m[t].eventsPerSec, 0), fmtMs(m[t].ttfbMs), fmtNum(m[t].cpuMs / 1000, 2), fmtMb(m[t].rssStart), fmtMb(m[t].peakRss), fmtSignedMb(m[t].growth), fmtSignedMb(m[t].liveGrowth), fmtSignedMb(m[t].retainedAfterGc)]),
      ...ratioRows(s, (r) => [fmtRatio(r.totalS), fmtRatio(r.eventsPerSec), fmtRatio(r.ttfbMs), fmtRatio(r.cpuMs), '', fmtRatio(r.peakRss), '', '', '']),
    ]));
    if (s.note) log(`   note: ${s.note}`);
    for (const t of GATEWAYS) {
      const g = m[t];
      log(`   ${LABEL[t]} memory over the stream: ${s.flat[t] ? 'flat' : 'GROWING'} — peak RSS ${fmtSignedMb(g.maxGrowth)} over its start; live heap (after a forced GC) grew ${fmtSignedMb(g.maxLiveGrowth)} from 25 % to 75 % of the stream; ${fmtSignedMb(g.maxRetainedAfterGc)} still held after it (worst round; limit BENCH_LONG_FLAT_MB=${settings.flatMb})`);
    }
    log('   (live heap growth = memory held per event while streaming; retained after = memory the stream left behind)');
  }
}

function printSummary(results) {
  log();
  log('== summary (medians of rounds; ratio = gateway / raw proxy) ==');
  const rows = [];
  const notes = [];
  for (const s of results) {
    if (s.name === 'rules') {
      if (s.status !== 'ok') {
        rows.push([s.name, s.status, '—', '—', ...GATEWAYS.map(() => '—'), '']);
        notes.push(`${s.name}: ${s.status}: ${s.reason}`);
        continue;
      }
      const e = s.figures.engines;
      rows.push(['rules', 'µs per request mapping', '', '', ...GATEWAYS.map((t) => fmtMs(e[t]?.requestMappingUs)), GATEWAYS.length === 2 ? `${fmtRatio(s.figures.speedUp.requestMapping)} faster` : '']);
      rows.push(['', 'µs per stream event', '', '', ...GATEWAYS.map((t) => fmtMs(e[t]?.streamEventUs)), GATEWAYS.length === 2 ? `${fmtRatio(s.figures.speedUp.streamEvent)} faster` : '']);
      continue;
    }
    if (s.status !== 'ok') {
      rows.push([s.name, s.status, '—', '—', ...GATEWAYS.map(() => '—'), '']);
      notes.push(`${s.name}: ${s.status}: ${s.reason.length > 300 ? `${s.reason.slice(0, 297)}…` : s.reason}`);
      continue;
    }
    const m = s.median;
    const ratios = (k) => GATEWAYS.map((t) => `${t} ${fmtRatio(s.ratio[t][k])}`).join(', ');
    if (s.name === 'json') rows.push([s.name, 'req/s', fmtNum(m.raw.reqPerSec), fmtNum(m.floor.reqPerSec), ...GATEWAYS.map((t) => fmtNum(m[t].reqPerSec)), ratios('reqPerSec')]);
    if (s.name === 'json-c1') rows.push([s.name, 'p50 ms (added)', fmtMs(m.raw.p50), `${fmtMs(m.floor.p50)} (+${fmtMs(m.floor.p50 - m.raw.p50)})`, ...GATEWAYS.map((t) => `${fmtMs(m[t].p50)} (+${fmtMs(m[t].p50 - m.raw.p50)})`), ratios('p50')]);
    if (s.name === 'stream') rows.push([s.name, 'streams/s', fmtNum(m.raw.streamsPerSec), fmtNum(m.floor.streamsPerSec), ...GATEWAYS.map((t) => fmtNum(m[t].streamsPerSec)), ratios('streamsPerSec')]);
    if (s.name === 'stream-long') {
      rows.push([s.name, 'events/s', fmtNum(m.raw.eventsPerSec, 0), fmtNum(m.floor.eventsPerSec, 0), ...GATEWAYS.map((t) => fmtNum(m[t].eventsPerSec, 0)), ratios('eventsPerSec')]);
      rows.push(['', 'peak RSS growth', fmtSignedMb(m.raw.growth), fmtSignedMb(m.floor.growth), ...GATEWAYS.map((t) => fmtSignedMb(m[t].growth)), '']);
      rows.push(['', 'live heap growth', fmtSignedMb(m.raw.liveGrowth), fmtSignedMb(m.floor.liveGrowth), ...GATEWAYS.map((t) => fmtSignedMb(m[t].liveGrowth)), GATEWAYS.map((t) => `${t} ${s.flat[t] ? 'flat' : 'GROWING'}`).join(', ')]);
    }
  }
  log(table(['scenario', 'metric', 'raw proxy', 'JSON floor', ...GATEWAYS.map((t) => LABEL[t]), 'gateway/raw'], rows));
  for (const note of notes) log(`  ${note}`);
}

// ---------------------------------------------------------------------------------------------
// Main

async function runRules() {
  const name = 'rules';
  try {
    const figures = await runRulesBench({ ms: Math.max(500, settings.durationS * 300), deltas: settings.deltas, log: (line = '') => log(`  ${line}`) });
    return { name, description: DESCRIPTIONS[name](), status: 'ok', figures };
  } catch (err) {
    return { name, description: DESCRIPTIONS[name](), status: 'skipped', reason: `the rules benchmark failed: ${err.stack ?? err}` };
  }
}

async function main() {
  const startedAt = new Date();
  const selected = SCENARIO_NAMES.filter((n) => settings.only.length === 0 || settings.only.includes(n));
  const needsServers = selected.some((n) => n !== 'rules');
  log(`rosetta bench — pair ${pair.description}; ${selected.join(', ')}; gateways: ${GATEWAYS.map((t) => `RULE_ENGINE=${t}`).join(', ')}; ${settings.durationS} s × ${settings.rounds} round(s), warm-up ${settings.warmupS} s; ${os.cpus().length} CPUs, node ${process.version}; gateway node flags (as npm start): ${gatewayNodeFlags.join(' ') || 'none'}`);
  if (!fs.existsSync(path.join(repoRoot, 'dist/engine/server/gateway.js'))) log('bench: dist/ is missing — run through `npm run bench`, which builds first');

  const gatewayProblems = needsServers ? await startServers() : {};
  if (needsServers) {
    log(`servers: fake upstream ${servers.upstream.url} (pid ${servers.upstream.pid}), raw proxy ${servers.raw.url} (pid ${servers.raw.pid}), ${GATEWAYS.map((t) => `${LABEL[t]} ${servers[t] ? `${servers[t].url} (pid ${servers[t].pid})` : 'NOT RUNNING'}`).join(', ')}`);
    for (const problem of Object.values(gatewayProblems)) log(`   ${problem.split('\n').join('\n   ')}`);
  }

  const results = [];
  for (const name of selected) {
    if (shuttingDown) break;
    let result;
    if (name === 'rules') {
      log();
      log(`-- ${name}`);
      result = await runRules();
    } else if (!running()) {
      const reason = Object.values(gatewayProblems).join('; ') || 'a gateway is not running';
      result = { name, description: DESCRIPTIONS[name](), status: 'skipped', reason: reason.split('\n').slice(0, 4).join(' ') };
    } else {
      log();
      log(`-- ${name}`);
      try {
        if (name === 'json') result = await runJson(name, settings.connections);
        else if (name === 'json-c1') result = await runJson(name, 1);
        else if (name === 'stream') result = await runStream(name);
        else result = await runLong(name);
      } catch (err) {
        result = { name, description: DESCRIPTIONS[name](), status: 'skipped', reason: `the harness failed: ${err.stack ?? err}` };
      }
      // A gateway that crashed (possibly just after its last answer) invalidates the scenario;
      // it is restarted so the next scenarios still run.
      await sleep(300);
      for (const engine of GATEWAYS) {
        const server = servers[engine];
        if (!server || server.alive) continue;
        const crash = lastError(server.output());
        log(`   the ${LABEL[engine]} process DIED during ${name}: ${crash}`);
        result = { ...result, status: result.status === 'ok' ? 'invalid' : result.status, reason: `${result.reason ? `${result.reason}; ` : ''}the ${LABEL[engine]} process died: ${crash}`, gatewayCrash: server.output().trim().slice(-4000) };
        const problem = await startGatewayServer(engine);
        if (problem) log(`   could not restart it: ${problem}`);
        else log(`   ${LABEL[engine]} restarted: ${servers[engine].url} (pid ${servers[engine].pid})`);
      }
    }
    results.push(result);
    printScenario(result);
  }

  // The servers' whole-life peaks (VmHWM), for the record.
  const lifetime = {};
  for (const s of Object.values(servers)) {
    if (s?.alive) lifetime[s.name] = (await s.call('peak').catch(() => ({}))).hwm;
  }
  printSummary(results);
  log();
  if (needsServers) log(`lifetime peak RSS (VmHWM): ${Object.entries(lifetime).map(([n, v]) => `${n} ${fmtMb(v)}`).join(', ')}`);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: { ...settings, results: path.relative(repoRoot, settings.results), gatewayNodeFlags },
    pair: { name: settings.pair, description: pair.description, gatewayPath: pair.gatewayPath, upstreamPath: pair.upstreamPath, requestBytes: { json: pair.body.json.length, stream: pair.body.stream.length } },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg() },
    gateways: Object.fromEntries(GATEWAYS.map((t) => [t, gatewayProblems[t] ? { started: false, problem: gatewayProblems[t] } : { started: needsServers }])),
    lifetimePeakRss: lifetime,
    scenarios: Object.fromEntries(results.map((r) => [r.name, r])),
  };
  fs.mkdirSync(path.dirname(settings.results), { recursive: true });
  fs.writeFileSync(settings.results, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${path.relative(process.cwd(), settings.results) || settings.results}`);
  await stopAll();
  return results;
}

main().then(
  (results) => process.exit(results.some((r) => r.status === 'invalid') ? 1 : 0),
  async (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);
