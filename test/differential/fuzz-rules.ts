/**
 * The property-based differential test, shared by the fuzz-*.test.ts files: for each rule of each
 * shipped pair, a seeded, bounded run of fast-check over mutated real inputs (see mutate-json.ts),
 * each evaluated by the interpreter and by the compiled rule. A disagreement fails the test with
 * the rule id, the (shrunk) input and both outcomes.
 *
 * FUZZ_RUNS (default 200) and FUZZ_MS (default 2500, per rule) bound it; FUZZ_SEED changes the seed.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Rule } from '../../engine/rules/rule.js';
import { runStream } from '../../engine/translate/stream-program.js';
import { disagreement, evaluateRule, eventTypeOf, kindOf, loadBothEngines, outcomeOf, samplesOf, show, type RuleKind, type Samples } from './both-engines.js';
import { mutate, mutations, type Mutation } from './mutate-json.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const TIME_MS = Number(process.env.FUZZ_MS ?? 2500);
export const SEED = Number(process.env.FUZZ_SEED ?? 20260808);

export interface Sample {
  input: unknown;
  request: unknown;
  state?: unknown;
}

export interface Pools {
  samples: Samples;
  /** Stream states met while the recorded streams ran, with the event that came next. */
  states: unknown[];
  eventsByType: Map<string, unknown[]>;
  allEvents: unknown[];
}

export async function poolsOf(pair: Awaited<ReturnType<typeof loadBothEngines>>[number]): Promise<Pools> {
  const samples = samplesOf(pair.compiled);
  const states: unknown[] = [];
  const seen = new Set<string>();
  const eventsByType = new Map<string, unknown[]>();
  const allEvents: unknown[] = [];
  const program = pair.compiled.stream;
  for (const stream of samples.streams) {
    for (const event of stream.events) {
      allEvents.push(event);
      const type = String(event.type);
      eventsByType.set(type, [...(eventsByType.get(type) ?? []), event]);
    }
    if (!program) continue;
    for (const request of samples.streamRequests.slice(0, 6)) {
      // Replays the stream, recording each state a rule may meet (distinct ones, a bounded number).
      let state = await program.init(request);
      for (const event of stream.events) {
        const key = JSON.stringify(state);
        if (!seen.has(key) && seen.size < 400) {
          seen.add(key);
          states.push(state);
        }
        const step = await program.step(String(event.type), event, state, request);
        if (!step) continue;
        state = step.state;
        if (step.finish) break;
      }
    }
  }
  return { samples, states, eventsByType, allEvents };
}

export const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

/** Inputs for a rule of the given kind: a seed of the right kind, mutated; request and state too. */
function sampleArbitrary(kind: RuleKind, rule: Rule, pools: Pools): fc.Arbitrary<Sample> {
  const { samples } = pools;
  const requestOf = (n: number, m: Mutation[]) => mutate(pick(samples.requests, n), m);
  const stateOf = (n: number, m: Mutation[]) => (pools.states.length > 0 ? mutate(pick(pools.states, n), m) : {});
  const seeds: unknown[] = (() => {
    switch (kind) {
      case 'request':
      case 'stream.init':
        return samples.requests;
      case 'response':
        return samples.responses;
      case 'errors.upstream':
        return samples.failures;
      case 'errors.gateway':
      case 'stream.on_error':
        return samples.gatewayErrors;
      case 'stream.event': {
        const own = pools.eventsByType.get(eventTypeOf(rule)) ?? [];
        return own.length > 0 ? [...own, ...own, pick(pools.allEvents, own.length)] : pools.allEvents;
      }
      case 'stream.end':
        return [null];
      default:
        return [...samples.requests, ...samples.responses];
    }
  })();
  return fc
    .record({ seed: fc.nat(), changes: mutations(4), request: fc.nat(), requestChanges: mutations(2), state: fc.nat(), stateChanges: mutations(3) })
    .map(({ seed, changes, request, requestChanges, state, stateChanges }) => {
      const input = mutate(pick(seeds, seed), changes);
      // The request rules see the same body as input and as $request, as the translator passes it.
      const inbound = kind === 'request' || kind === 'stream.init' ? input : requestOf(request, requestChanges);
      const sample: Sample = { input, request: inbound };
      if (kind === 'stream.event' || kind === 'stream.end' || kind === 'stream.on_error') sample.state = stateOf(state, stateChanges);
      return sample;
    });
}

export interface CheckOptions {
  seed: number;
  /** At most this many inputs (default FUZZ_RUNS), for at most this long (default FUZZ_MS). */
  runs?: number;
  timeMs?: number;
  /** The pair, named in a failure with the rule id. */
  pair?: string;
}

/**
 * A seeded fast-check run of one rule in both engines over `arbitrary`; a disagreement fails it,
 * naming the pair and the rule, with the shrunk input, request and state.
 */
export async function checkRule(interpreted: Rule, compiled: Rule, arbitrary: fc.Arbitrary<Sample>, options: CheckOptions): Promise<{ runs: number }> {
  let runs = 0;
  const property = fc.asyncProperty(arbitrary, async (sample) => {
    runs++;
    const run = (rule: Rule) => outcomeOf(() => evaluateRule(rule, structuredClone(sample.input), { request: structuredClone(sample.request), state: structuredClone(sample.state) }));
    const d = disagreement(await run(interpreted), await run(compiled));
    if (d) throw new Error(`${options.pair ? `${options.pair}: ` : ''}${compiled.id}: ${d}\n  input:   ${show(sample.input, 2000)}\n  request: ${show(sample.request, 400)}\n  state:   ${show(sample.state, 1000)}`);
  });
  await fc.assert(property, { numRuns: options.runs ?? RUNS, seed: options.seed, interruptAfterTimeLimit: options.timeMs ?? TIME_MS, markInterruptAsFailure: false, verbose: 0 });
  return { runs };
}

/** One test per rule of the given kinds, for every shipped pair. */
export async function describeFuzz(kinds: readonly RuleKind[]): Promise<void> {
  const pairs = await loadBothEngines();
  for (const pair of pairs) {
    const pools = await poolsOf(pair);
    describe(pair.name, () => {
      pair.compiled.rules.forEach((compiled, index) => {
        const kind = kindOf(compiled);
        if (!kinds.includes(kind)) return;
        const interpreted = pair.interpreted.rules[index];
        it(`${compiled.id} (${compiled.mode})`, async () => {
          await checkRule(interpreted, compiled, sampleArbitrary(kind, compiled, pools), { seed: SEED + index, pair: pair.name });
        }, TIME_MS * 4 + 10_000);
      });
    });
  }
}

/** Whole streams with mutated events, through both programs (the state carried from event to event). */
export async function describeStreamFuzz(): Promise<void> {
  const pairs = await loadBothEngines();
  for (const pair of pairs) {
    if (!pair.compiled.stream) continue;
    const samples = samplesOf(pair.compiled);
    const short = samples.streams.filter((s) => s.events.length <= 40);
    describe(pair.name, () => {
      it('whole recorded streams with mutated events and requests', async () => {
        const arbitrary = fc.record({ stream: fc.nat(), request: fc.nat(), changes: fc.array(fc.tuple(fc.nat(), mutations(2)), { maxLength: 4 }), requestChanges: mutations(2) });
        const property = fc.asyncProperty(arbitrary, async ({ stream, request, changes, requestChanges }) => {
          const events = structuredClone(pick(short, stream).events);
          for (const [at, list] of changes) events[at % events.length] = mutate(events[at % events.length], list) as Record<string, unknown>;
          const inbound = mutate(pick(samples.streamRequests, request), requestChanges);
          const run = (p: typeof pair.compiled) => outcomeOf(() => runStream(p.stream!, structuredClone(events), structuredClone(inbound)));
          const d = disagreement(await run(pair.interpreted), await run(pair.compiled));
          if (d) throw new Error(`stream ${pick(short, stream).name}: ${d}\n  events: ${show(events, 3000)}\n  request: ${show(inbound, 600)}`);
        });
        await fc.assert(property, { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: TIME_MS * 4, markInterruptAsFailure: false });
      }, TIME_MS * 16 + 10_000);
    });
  }
}
