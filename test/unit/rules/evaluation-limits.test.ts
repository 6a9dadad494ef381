/**
 * engine/rules/jsonata-rule.ts: every evaluation has a time limit and a depth limit, so a rule that
 * loops forever or recurses without end stops with JSONata's own error codes (D1012, D1011)
 * instead of holding a request — or the whole process — hostage.
 *
 * A JSONata loop never yields to the event loop (every await inside it resolves at once), so an
 * evaluation whose guard failed would freeze this very test, timers included. The runaway cases
 * therefore run in a worker thread that the test can terminate: the engine's TypeScript source is
 * transpiled (typescript.transpileModule, no type check) into a temp folder for it.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpers } from '../../../engine/rules/helpers.js';
import { compileRule, DEFAULT_LIMITS, type JsonataLimits, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { RuleEvaluationError } from '../../../engine/rules/rule.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** An endless loop that JSONata runs as a tail call: the depth stays flat, only the clock stops it. */
const ENDLESS_LOOP = '($loop := function($n) { $loop($n + 1) }; $loop(0))';
/** Recursion that is not a tail call: every level deepens the evaluation. */
const DEEP_RECURSION = '($deep := function($n) { $n = 0 ? 0 : 1 + $deep($n - 1) }; $deep(1000000))';

let engineDir: string;

async function transpileEngine(): Promise<string> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'rosetta-engine-js-'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  await writeFile(path.join(out, 'package.json'), '{ "type": "module" }\n');
  const entries = await readdir(path.join(ROOT, 'engine'), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = path.join(entry.parentPath, entry.name);
    const target = path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  await writeFile(
    path.join(out, 'evaluate-worker.mjs'),
    `
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
const { compileRule } = await import(workerData.engine + '/rules/jsonata-rule.js');
const { createHelpers } = await import(workerData.engine + '/rules/helpers.js');
const env = { helpers: createHelpers({ models: [], tables: {} }), functions: new Map(), config: {}, limits: workerData.limits };
const rule = compileRule('runaway', workerData.source, env);
const started = performance.now();
try {
  const value = await rule.evaluate({}, {});
  parentPort.postMessage({ outcome: 'value', value, ms: performance.now() - started });
} catch (err) {
  parentPort.postMessage({ outcome: 'error', name: err?.name, code: err?.jsonataCode, ms: performance.now() - started });
}
`,
  );
  return out;
}

interface WorkerOutcome {
  outcome: 'value' | 'error' | 'hung';
  name?: string;
  code?: string;
  ms: number;
}

/** Evaluates `source` in a worker; a worker still busy after `boundMs` is terminated ("hung"). */
async function evaluateInWorker(source: string, limits: JsonataLimits | undefined, boundMs: number): Promise<WorkerOutcome> {
  const worker = new Worker(path.join(engineDir, 'evaluate-worker.mjs'), {
    workerData: { engine: pathToFileURL(path.join(engineDir, 'engine')).href, source, limits },
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<WorkerOutcome>((resolve, reject) => {
      timer = setTimeout(() => resolve({ outcome: 'hung', ms: boundMs }), boundMs);
      worker.once('message', (message: WorkerOutcome) => resolve(message));
      worker.once('error', reject);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

beforeAll(async () => {
  engineDir = await transpileEngine();
}, 60_000);
afterAll(async () => {
  if (engineDir) await rm(engineDir, { recursive: true, force: true });
});

describe('an evaluation that loops forever stops with JSONata timeout error D1012', () => {
  it.each([
    { name: 'with a 200 ms limit, after about 200 ms', limits: { timeoutMs: 200, maxDepth: 5000 }, min: 200, max: 3000 },
    { name: 'with the default limits, after about the default time limit', limits: undefined, min: DEFAULT_LIMITS.timeoutMs, max: DEFAULT_LIMITS.timeoutMs + 4000 },
  ])('$name', async ({ limits, min, max }) => {
    const result = await evaluateInWorker(ENDLESS_LOOP, limits, 15_000);
    expect(result).toMatchObject({ outcome: 'error', name: 'RuleEvaluationError', code: 'D1012' });
    expect(result.ms).toBeGreaterThanOrEqual(min - 5);
    expect(result.ms).toBeLessThan(max);
  });
});

describe('the worker harness', () => {
  it('reports a loop with no guard at all as hung rather than hanging the test', async () => {
    const result = await evaluateInWorker(ENDLESS_LOOP, { timeoutMs: 0, maxDepth: 0 }, 1500);
    expect(result.outcome).toBe('hung');
  });
});

describe('recursion that goes too deep stops with JSONata stack error D1011', () => {
  it.each([
    { name: 'with a depth limit of 500', limits: { timeoutMs: 10_000, maxDepth: 500 } },
    { name: 'with the default limits', limits: undefined },
  ])('$name', async ({ limits }) => {
    const result = await evaluateInWorker(DEEP_RECURSION, limits, 15_000);
    expect(result).toMatchObject({ outcome: 'error', name: 'RuleEvaluationError', code: 'D1011' });
    expect(result.ms).toBeLessThan(10_000);
  });
});

describe('limits in the test process itself (no runaway)', () => {
  const env = (limits?: JsonataLimits): RuleEnvironment => ({ helpers: createHelpers({ models: [], tables: {} }), functions: new Map(), config: {}, limits });

  it('recursion within the depth limit completes', async () => {
    const rule = compileRule('r', '($deep := function($n) { $n = 0 ? 0 : 1 + $deep($n - 1) }; $deep(20))', env());
    expect(await rule.evaluate({}, {})).toBe(20);
  });

  it('a depth error carries the rule id and the JSONata code', async () => {
    const rule = compileRule('request.rules[deep]', '($deep := function($n) { $n = 0 ? 0 : 1 + $deep($n - 1) }; $deep(100))', env({ timeoutMs: 5000, maxDepth: 50 }));
    const err = await Promise.resolve(rule.evaluate({}, {})).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RuleEvaluationError);
    expect(err).toMatchObject({ ruleId: 'request.rules[deep]', jsonataCode: 'D1011' });
  });

  it('the same rule evaluates again normally after a depth error', async () => {
    const rule = compileRule('r', '($deep := function($n) { $n = 0 ? 0 : 1 + $deep($n - 1) }; $deep(n))', env({ timeoutMs: 5000, maxDepth: 200 }));
    await expect(Promise.resolve(rule.evaluate({ n: 1000 }, {}))).rejects.toMatchObject({ jsonataCode: 'D1011' });
    expect(await rule.evaluate({ n: 3 }, {})).toBe(3);
  });
});
