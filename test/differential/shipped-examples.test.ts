/**
 * The compiled rules against the interpreter (the oracle) on everything the shipped pairs come with:
 * each whole example (request, response, error, event stream), each rule's and each function's own
 * examples, every recorded upstream response, error and event stream, and every captured client
 * request. Both engines must give identical JSON (key order included) or both fail the same way.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError, type ErrorCode } from '../../engine/errors/gateway-error.js';
import { createHelpers, globToRegExp, type HelperContext } from '../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../engine/rules/jsonata-rule.js';
import type { CompiledPair } from '../../engine/spec/compile-pair.js';
import type { BlockSpec } from '../../engine/spec/pair-spec.js';
import { runStream } from '../../engine/translate/stream-program.js';
import type { UpstreamFailure } from '../../engine/translate/translator.js';
import { disagreement, evaluateRule, loadBothEngines, outcomeOf, samplesOf } from './both-engines.js';

const pairs = await loadBothEngines();

/** Runs `run` on each engine's pair with its own copy of the input, and compares. */
async function compare<T>(input: T, run: (pair: CompiledPair, input: T) => unknown, both: (typeof pairs)[number]): Promise<string | undefined> {
  const interpreted = await outcomeOf(() => run(both.interpreted, structuredClone(input)));
  const compiled = await outcomeOf(() => run(both.compiled, structuredClone(input)));
  return disagreement(interpreted, compiled);
}

describe.each(pairs)('$name', (both) => {
  const samples = samplesOf(both.compiled);
  const spec = both.compiled.spec;

  it('every rule is compiled (none left to the interpreter)', () => {
    const interpreted = both.compiled.rules.filter((r) => r.mode === 'jsonata').map((r) => `${r.id}: ${r.fallbackReason}`);
    expect(interpreted).toEqual([]);
  });

  describe('whole examples', () => {
    it.each((spec.examples ?? []).map((e) => [e.id, e] as const))('%s', async (_id, example) => {
      const problems: string[] = [];
      const note = (part: string, d: string | undefined) => d && problems.push(`${part}: ${d}`);
      if (example.upstream_request !== undefined) note('request', await compare(example.request, (p, inbound) => p.translator.request(inbound), both));
      if (example.upstream_response !== undefined) {
        note('response', await compare([example.upstream_response, example.request], (p, [body, inbound]) => p.translator.response(body, inbound), both));
      }
      if (example.upstream_error !== undefined) {
        const u = example.upstream_error;
        const failure = { status: u.status, kind: u.kind ?? 'http', body: u.body, headers: Object.fromEntries(Object.entries(u.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])), message: u.message ?? `upstream answered ${u.status}` } as const;
        note('error', await compare([failure, example.request] as [UpstreamFailure, unknown], (p, [f, inbound]) => p.translator.upstreamError(f, inbound), both));
      }
      if (example.upstream_events !== undefined) {
        note('events', await compare([example.upstream_events, example.request], (p, [events, inbound]) => runStream(p.stream!, events as Array<Record<string, unknown>>, inbound), both));
      }
      expect(problems).toEqual([]);
    });
  });

  describe("each rule's own examples", () => {
    const cases: Array<[string, unknown, unknown]> = [];
    for (const [block, blockSpec] of [['request', spec.request], ['response', spec.response], ['errors.upstream', spec.errors?.upstream], ['errors.gateway', spec.errors?.gateway]] as Array<[string, BlockSpec | undefined]>) {
      for (const rule of blockSpec?.rules ?? []) {
        (rule.examples ?? []).forEach((example, i) => cases.push([`${block}.${rule.id} #${i}`, example.in, example.request ?? example.in]));
      }
    }
    it.each(cases)('%s', async (id, input, request) => {
      const index = both.compiled.rules.findIndex((r) => r.id === id.replace(/ #\d+$/, ''));
      expect(index).toBeGreaterThanOrEqual(0);
      const d = await compare([input, request], (p, [i, r]) => evaluateRule(p.rules[index], i, { request: r }), both);
      expect(d).toBeUndefined();
    });
  });

  describe("each function's own examples", () => {
    const config = (spec.config ?? {}) as { tables?: HelperContext['tables'] };
    const context: HelperContext = {
      models: Object.entries(spec.models ?? {}).map(([glob, target]) => ({ pattern: globToRegExp(glob), target })),
      tables: config.tables ?? {},
    };
    const functions = new Map(Object.entries(spec.functions ?? {}).map(([name, f]) => [name, f.body]));
    const envOf = (engine: 'compiled' | 'interpreted'): RuleEnvironment => ({ helpers: createHelpers(context), functions, config: spec.config ?? {}, engine });
    const cases = Object.entries(spec.functions ?? {}).flatMap(([name, fn]) => (fn.examples ?? []).map((example, i) => [`${name} #${i}`, name, example] as const));
    it.each(cases)('%s', async (_label, name, example) => {
      const args = Array.isArray(example.in) ? example.in : [example.in];
      const source = `($args := $state; $${name}(${args.map((_, k) => `$args[${k}]`).join(', ')}))`;
      const compiled = compileRule(`functions.${name}`, source, envOf('compiled'));
      const interpreted = compileRule(`functions.${name}`, source, envOf('interpreted'));
      expect(compiled.mode).toBe('compiled');
      const run = (rule: typeof compiled) => outcomeOf(() => evaluateRule(rule, null, { state: structuredClone(args), request: structuredClone(example.request) }));
      expect(disagreement(await run(interpreted), await run(compiled))).toBeUndefined();
    });
  });

  it('every recorded upstream response, for several client requests', async () => {
    const problems: string[] = [];
    for (const [r, body] of samples.responses.entries()) {
      for (const [q, inbound] of samples.requests.slice(0, 8).entries()) {
        const d = await compare([body, inbound], (p, [b, i]) => p.translator.response(b, i), both);
        if (d) problems.push(`response #${r} with request #${q}: ${d}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every recorded upstream error and every gateway error', async () => {
    const problems: string[] = [];
    for (const [f, failure] of samples.failures.entries()) {
      const d = await compare([failure, samples.requests[0]] as [UpstreamFailure, unknown], (p, [fl, i]) => p.translator.upstreamError(fl, i), both);
      if (d) problems.push(`failure #${f}: ${d}`);
    }
    for (const error of samples.gatewayErrors) {
      const d = await compare(error, (p, e) => p.translator.gatewayError(new GatewayError(e.code as ErrorCode, e.message)), both);
      if (d) problems.push(`gateway error ${error.code}: ${d}`);
    }
    expect(problems).toEqual([]);
  });

  it('every recorded event stream, for the example stream requests and some client requests', async () => {
    const problems: string[] = [];
    const exampleRequests = (spec.examples ?? []).filter((e) => e.upstream_events).map((e) => e.request);
    const clientRequests = samples.requests.slice(-8).filter((_, i) => i % 3 === 0);
    for (const stream of samples.streams) {
      // Long recordings run with fewer requests, to keep the interpreter's share of the time bounded.
      const requests = stream.events.length > 50 ? exampleRequests.slice(0, 3) : [...exampleRequests, ...clientRequests];
      for (const [q, inbound] of requests.entries()) {
        const d = await compare([stream.events, inbound] as [Array<Record<string, unknown>>, unknown], (p, [events, i]) => runStream(p.stream!, events, i), both);
        if (d) problems.push(`${stream.name} with request #${q}: ${d}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('every captured client request', async () => {
    const problems: string[] = [];
    for (const [q, inbound] of samples.requests.entries()) {
      const d = await compare(inbound, (p, i) => p.translator.request(i), both);
      if (d) problems.push(`request #${q}: ${d}`);
    }
    expect(problems).toEqual([]);
  });
});
