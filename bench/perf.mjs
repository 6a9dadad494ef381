/**
 * Where the gateway's CPU goes under load, from Linux `perf` rather than V8's profiler: perf also
 * sees the kernel, the GC and compiler threads, and V8's runtime (IC misses, map transitions,
 * Error stacks), which the V8 profiler folds away. It found the costliest mistake of session 5
 * (an Error built after every upstream body) within minutes.
 *
 *   npm run build && node bench/perf.mjs                 # JSON load, 32 connections
 *   npm run build && node bench/perf.mjs --mode stream   # 32 concurrent streams of 200 deltas
 *
 * The gateway runs as run.mjs runs it (its own process, npm start's Node flags) plus
 * --perf-basic-prof, so perf can name JIT code. After PERF_WARMUP_S (12) of load, `perf record -e
 * cpu-clock -g` samples it during PERF_SECONDS (8) more of load. Every sample is then put in
 * one bucket: by what its leaf frame does (kernel, GC, JSON, UTF-8, V8 runtime, compiler, malloc),
 * else by the file of the first JavaScript frame from the leaf (`generated (rules)` for the
 * compiled rules, which have no file). Each bucket is printed as a share and as µs per request (or
 * stream), from the server's own CPU time over the sampled seconds.
 *
 * Needs `perf` (Debian: linux-perf) and permission to profile another process (root, or
 * kernel.perf_event_paranoid ≤ 1). JIT code addresses are reused, so a function that only ran at
 * start-up can lend its name to later code: read a start-up function's name in the table as noise.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { startServer } from './lib/children.mjs';
import { gatewayNodeFlags } from './lib/gateway-node-flags.mjs';
import { loadGateway } from './lib/load.mjs';

const { values: options } = parseArgs({ options: { mode: { type: 'string', default: 'json' } } });
if (options.mode !== 'json' && options.mode !== 'stream') throw new Error(`--mode must be json or stream, not ${options.mode}`);
const WARMUP_S = Number(process.env.PERF_WARMUP_S ?? 12);
const SECONDS = Number(process.env.PERF_SECONDS ?? 8);

try {
  execFileSync('perf', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench/perf.mjs needs Linux perf on the PATH (Debian: apt install linux-perf)');
  process.exit(2);
}

/** What a leaf frame does, for the leaves that say more than the JavaScript above them. */
const LEAF_BUCKETS = [
  ['kernel', /\[kernel\.kallsyms\]/],
  ['GC', /Scavenge|MarkCompact|ConcurrentMarking|Sweeper|Heap::|MarkingVisitor|MinorMark/],
  ['compiler (TurboFan, Maglev, baseline)', /compiler::|Compiler::|OptimizingCompile|Maglev|baseline::/],
  ['JSON.stringify', /JsonStringif/],
  ['JSON.parse', /JsonParse/],
  ['UTF-8 conversions', /Utf8Length|WriteUtf8|Utf8Decoder|NewStringFromUtf8|StringBytes|WriteToFlat/],
  ['Error stacks', /ErrorUtils|CaptureStackTrace|OptimizedFrame::Summarize/],
  ['V8 runtime: IC misses, map transitions', /Runtime_|LookupIterator|TransitionArray|Map::|MigrateToMap|ComputeHandler/],
  ['malloc', /malloc|_int_free|unlink_chunk|cfree/],
];

/** The bucket of one sample's stack (leaf first). */
function bucketOf(stack) {
  const leaf = LEAF_BUCKETS.find(([, pattern]) => pattern.test(stack[0]));
  if (leaf) return leaf[0];
  const js = stack.find((frame) => / JS:/.test(frame));
  if (!js) return 'native, no JavaScript frame';
  const file = /((?:dist\/engine\/[^/]+\/[^:]+|node_modules\/[^/]+|node:[a-z_/]+|bench\/[^:]+))/.exec(js);
  return file ? file[1].replace(/^node_modules\/(.*)$/, 'node_modules/$1') : 'generated (rules)';
}

async function buckets(perfData) {
  const script = spawn('perf', ['script', '-i', perfData], { stdio: ['ignore', 'pipe', 'ignore'] });
  const counts = new Map();
  let stack = [];
  let total = 0;
  const flush = () => {
    if (stack.length === 0) return;
    const bucket = bucketOf(stack);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    total++;
    stack = [];
  };
  for await (const line of readline.createInterface({ input: script.stdout })) {
    if (line.trim() === '') flush();
    else if (/^\s/.test(line)) stack.push(line.trim());
  }
  flush();
  return { counts, total };
}

const upstream = await startServer('fake-upstream', 'bench/servers/fake-upstream.mjs', {});
const gateway = await startServer('gateway', 'bench/servers/gateway.mjs', { BENCH_UPSTREAM_URL: upstream.url, RULE_ENGINE: 'compiled' }, { execArgv: [...gatewayNodeFlags, '--perf-basic-prof'] });
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-perf-'));
try {
  const perfData = path.join(workDir, 'perf.data');
  const load = (durationS) => loadGateway(options.mode, gateway.url, durationS);

  await load(WARMUP_S);
  await gateway.call('mark', { gc: false });
  const recording = new Promise((resolve, reject) => {
    const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(gateway.pid), '-o', perfData, '--', 'sleep', String(SECONDS)], { stdio: 'ignore' });
    perf.on('error', reject);
    perf.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`perf record exited with ${code}`))));
  });
  const [count] = await Promise.all([load(SECONDS), recording]);
  const { cpuMs } = await gateway.call('peak');
  const unit = options.mode === 'json' ? 'request' : 'stream';
  const perUnitUs = (cpuMs * 1000) / count;

  const { counts, total } = await buckets(perfData);
  console.log(`${options.mode}: ${count} ${unit}s in the ${SECONDS} s sampled (after ${WARMUP_S} s of warm-up); the gateway used ${(cpuMs / 1000).toFixed(2)} s of CPU, ${perUnitUs.toFixed(0)} µs per ${unit}; ${total} samples`);
  for (const [bucket, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${((perUnitUs * n) / total).toFixed(1).padStart(7)} µs  ${bucket}`);
  }
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
  await Promise.all([gateway.stop(), upstream.stop()]);
  try {
    fs.rmSync(path.join(os.tmpdir(), `perf-${gateway.pid}.map`), { force: true });
  } catch {
    // the map file is V8's; leaving it behind is harmless
  }
}
