/**
 * The rules alone, in this process, no HTTP: what one whole request mapping and one stream event
 * cost with the rules interpreted by JSONata and compiled to JavaScript (RULE_ENGINE), on the built
 * gateway (dist/). `node bench/rules.mjs`, or `BENCH_ONLY=rules npm run bench`.
 *
 *   request mapping: the bench body (bodies.mjs) through translator.request, then the recorded
 *                    response (BENCH_RESPONSE_RECORDING) through translator.response — median µs
 *   stream event:    the recorded stream (BENCH_STREAM_RECORDING) stretched to BENCH_DELTAS text
 *                    deltas, as the fake upstream sends it, through runStream — median µs per event
 *                    (over whole streams), and the median per event type
 *
 * Each figure is the median over batches (each batch long enough to swamp the clock's resolution)
 * of wall-clock time per iteration, and, beside it, of the process's CPU time per iteration, which
 * other processes on the machine disturb much less.
 *
 * BENCH_RULES_MS (default 3000) is the time spent measuring each engine and each part.
 * Figures go to bench/results/rules.json (BENCH_RULES_RESULTS moves it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { anthropicRequestBody } from './bodies.mjs';
import { loadJsonRecording, loadStreamRecording, repoRoot } from './lib/reference.mjs';
import { median } from './lib/stats.mjs';

const ENGINES = ['interpreted', 'compiled'];

async function loadPair(engine) {
  const { loadMappingSet } = await import('../dist/engine/spec/load-mapping-set.js');
  const previous = process.env.RULE_ENGINE;
  process.env.RULE_ENGINE = engine;
  try {
    const { set, problems } = await loadMappingSet({ mappingsDir: path.join(repoRoot, 'mappings'), schemasDir: path.join(repoRoot, 'schemas'), env: {} });
    if (!set) throw new Error(`the mappings do not load: ${problems.map((p) => p.message).join('; ')}`);
    return set.pairs.find((p) => p.name === 'anthropic-to-openai-responses') ?? set.pairs[0];
  } finally {
    if (previous === undefined) delete process.env.RULE_ENGINE;
    else process.env.RULE_ENGINE = previous;
  }
}

/** The recorded stream with its one text delta repeated to `n` deltas (as fake-upstream.mjs does). */
function stretchedStream(recorded, n) {
  const isDelta = (e) => e.type === 'response.output_text.delta';
  const first = recorded.findIndex(isDelta);
  let last = first;
  for (let i = recorded.length - 1; i > first; i--) if (isDelta(recorded[i])) { last = i; break; }
  const deltas = Array.from({ length: n }, (_, i) => ({ ...recorded[first], delta: `w${i} `, sequence_number: first + i }));
  return [...recorded.slice(0, first), ...deltas, ...recorded.slice(last + 1)];
}

/**
 * Runs `once` for about `ms` (after a warm-up of a fifth of it), in batches of about 2 ms, and
 * gives the median wall-clock and CPU time per iteration (µs) and the number of iterations.
 */
async function sample(once, ms) {
  const warmUntil = performance.now() + ms / 5;
  let warm = 0;
  const w0 = performance.now();
  while (performance.now() < warmUntil || warm < 3) {
    await once();
    warm++;
  }
  const batch = Math.max(1, Math.round(2 / ((performance.now() - w0) / warm)));
  const wall = [];
  const cpu = [];
  const until = performance.now() + ms;
  while (performance.now() < until && wall.length < 100_000) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await once();
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push((t * 1000) / batch);
    cpu.push((c.user + c.system) / batch);
  }
  return { wallUs: median(wall), cpuUs: median(cpu), iterations: wall.length * batch };
}

export async function runRulesBench({ ms = Number(process.env.BENCH_RULES_MS ?? 3000), deltas = Number(process.env.BENCH_DELTAS ?? 200), log = (l = '') => process.stdout.write(`${l}\n`) } = {}) {
  const { runStream } = await import('../dist/engine/translate/stream-program.js');
  const inbound = JSON.parse(anthropicRequestBody());
  const streamInbound = JSON.parse(anthropicRequestBody({ stream: true }));
  const upstreamBody = loadJsonRecording(process.env.BENCH_RESPONSE_RECORDING || 'vercel-ai/azure-tool-call.1.json');
  const events = stretchedStream(loadStreamRecording(process.env.BENCH_STREAM_RECORDING || 'vercel-ai/azure-text.1.chunks.txt'), deltas);

  const result = { settings: { ms, deltas, events: events.length }, engines: {} };
  for (const engine of ENGINES) {
    const pair = await loadPair(engine);
    const modes = {};
    for (const rule of pair.rules) modes[rule.mode] = (modes[rule.mode] ?? 0) + 1;

    const mapping = await sample(async () => {
      await pair.translator.request(inbound);
      await pair.translator.response(upstreamBody, inbound);
    }, ms);

    const stream = await sample(() => runStream(pair.stream, events, streamInbound), ms);
    const byType = new Map();
    const program = pair.stream;
    const typeUntil = performance.now() + ms / 2;
    while (performance.now() < typeUntil) {
      let state = await program.init(streamInbound);
      for (const event of events) {
        const t0 = performance.now();
        const step = await program.step(event.type, event, state, streamInbound);
        const us = (performance.now() - t0) * 1000;
        if (!byType.has(event.type)) byType.set(event.type, []);
        byType.get(event.type).push(us);
        if (!step) continue;
        state = step.state;
        if (step.finish) break;
      }
    }
    result.engines[engine] = {
      rules: modes,
      requestMappingUs: mapping.wallUs,
      requestMappingCpuUs: mapping.cpuUs,
      requestMappings: mapping.iterations,
      streamEventUs: stream.wallUs / events.length,
      streamEventCpuUs: stream.cpuUs / events.length,
      streams: stream.iterations,
      eventTypeUs: Object.fromEntries([...byType].map(([type, xs]) => [type, median(xs)])),
      // The median single event of a stream (a text delta, in a stream of deltas).
      streamEventMedianUs: median([...byType.values()].flat()),
    };
  }

  const [i, c] = [result.engines.interpreted, result.engines.compiled];
  const fmt = (v) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
  log(`== rules: median µs, ${events.length}-event stream (${deltas} deltas), ${ms} ms per measurement ==`);
  log(`rules: interpreted ${JSON.stringify(i.rules)}, compiled ${JSON.stringify(c.rules)}`);
  const rows = [
    ['request mapping (request + response)', i.requestMappingUs, c.requestMappingUs],
    ['  the same, CPU time', i.requestMappingCpuUs, c.requestMappingCpuUs],
    ['stream event (whole stream / events)', i.streamEventUs, c.streamEventUs],
    ['  the same, CPU time', i.streamEventCpuUs, c.streamEventCpuUs],
    ['stream event, median single step', i.streamEventMedianUs, c.streamEventMedianUs],
    ['per event type (median single step):', NaN, NaN],
    ...Object.keys(c.eventTypeUs).map((t) => [`  ${t}`, i.eventTypeUs[t], c.eventTypeUs[t]]),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  log(`${''.padEnd(width)}  ${'interpreted'.padStart(12)}  ${'compiled'.padStart(10)}  ${'speed-up'.padStart(9)}`);
  for (const [name, a, b] of rows) {
    if (Number.isNaN(a)) log(name);
    else log(`${name.padEnd(width)}  ${fmt(a).padStart(12)}  ${fmt(b).padStart(10)}  ${`${(a / b).toFixed(1)}×`.padStart(9)}`);
  }
  result.speedUp = { requestMapping: i.requestMappingUs / c.requestMappingUs, streamEvent: i.streamEventUs / c.streamEventUs };
  result.targets = {
    'request mapping ≤ 20 µs (compiled, CPU time)': c.requestMappingCpuUs <= 20,
    'stream rule ≤ 2 µs per event, median (compiled)': c.streamEventMedianUs <= 2,
  };
  for (const [target, met] of Object.entries(result.targets)) log(`target ${target}: ${met ? 'met' : 'NOT met'}`);

  const file = path.resolve(repoRoot, process.env.BENCH_RULES_RESULTS || 'bench/results/rules.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`figures written to ${path.relative(process.cwd(), file)}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runRulesBench().catch((err) => {
    console.error(`bench rules failed: ${err.stack ?? err}`);
    process.exit(1);
  });
}
