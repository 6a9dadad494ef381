/**
 * The compiled rules against the interpreter on inputs generated from the APIs' JSON Schemas
 * (schema-arbitrary.ts). Where fuzz-rules.ts mutates real traffic, this reaches the schemas' other
 * corners: every content block, tool, item and event type, nullable and optional members, extra
 * properties. For each rule of each shipped pair, a seeded, bounded fast-check run, each input
 * evaluated by the interpreter and by the compiled rule (fuzz-rules.ts's checkRule); a
 * disagreement fails the test with the pair, the rule id, the shrunk input and both outcomes.
 *
 *   request and stream init rules     a generated inbound body that the pair's inbound schema
 *                                     accepts (the gateway validates before any rule runs)
 *   routes' when                      { body: that inbound body, headers: {} }
 *   count_tokens upstream_request, local   a generated upstream request body (their payload)
 *   response rules                    a generated upstream response body
 *   errors.upstream rules             a failure whose body is a generated upstream error body
 *   stream event rules                a generated upstream event of the rule's type, with a stream
 *                                     state met while the recorded streams ran (fuzz-rules.ts)
 * Every rule but the first kind also gets a generated inbound body as $request. The gateway's own
 * errors and states (errors.gateway, stream.end, stream.on_error) have no schema: fuzz-rules.ts
 * covers them.
 *
 * FUZZ_SCHEMA_RUNS (default 200) and FUZZ_SCHEMA_MS (default 300, per rule) bound it; FUZZ_SEED
 * changes the seed, as for fuzz-rules.ts. One file, not one per kind of rule: loading both
 * engines and replaying the recorded streams costs more than the runs themselves.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Rule } from '../../engine/rules/rule.js';
import { loadApiSchemas, type ApiSchemas, type SchemaKind } from '../../engine/spec/api-schemas.js';
import type { UpstreamFailure } from '../../engine/translate/translator.js';
import { eventTypeOf, kindOf, loadBothEngines, type BothEngines } from './both-engines.js';
import { SEED, checkRule, pick, poolsOf, type Pools, type Sample } from './fuzz-rules.js';
import { AdmitsNothing, schemaArbitrary } from './schema-arbitrary.js';
import type { SchemaObject } from './schema-subset.js';

const RUNS = Number(process.env.FUZZ_SCHEMA_RUNS ?? 200);
const TIME_MS = Number(process.env.FUZZ_SCHEMA_MS ?? 300);

/** Where a rule's input comes from. */
type Source = 'inbound' | 'route' | 'upstream-request' | 'upstream-response' | 'upstream-failure' | 'upstream-event';

function sourceOf(rule: Rule): Source | undefined {
  switch (kindOf(rule)) {
    case 'request':
    case 'stream.init':
      return 'inbound';
    case 'response':
      return 'upstream-response';
    case 'errors.upstream':
      return 'upstream-failure';
    case 'stream.event':
      return 'upstream-event';
    case 'other':
      if (/^routes\.\d+\.when$/.test(rule.id)) return 'route';
      if (rule.id.startsWith('count_tokens.upstream_request.') || rule.id === 'count_tokens.local.from') return 'upstream-request';
      return undefined;
    default:
      return undefined;
  }
}

/** Statuses an upstream fails with (the rules map several of them one by one). */
const STATUSES = [400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504, 529];

/** Model names the `models:` globs match: each `*` left out, or made "4o" (gpt-* → gpt-, gpt-4o). */
function modelNames(models: Record<string, string>): string[] {
  return [...new Set(Object.keys(models).flatMap((glob) => [glob.replaceAll('*', ''), glob.replaceAll('*', '4o')]))];
}

const generatedBySchema = new Map<string, fc.Arbitrary<unknown>>();

class PairCorpus {
  private readonly inbound: fc.Arbitrary<unknown>;

  constructor(private readonly pair: BothEngines, private readonly schemas: ApiSchemas, private readonly pools: Pools) {
    const validate = pair.compiled.validateInbound;
    if (!validate) throw new Error(`${pair.name} has no inbound validator`);
    // Half the bodies name a model the pair's models table matches, so the rules that depend on
    // the upstream model (its kind, its limits) see more than unknown names.
    const api = pair.compiled.inboundApi;
    const named = [{ properties: { model: { enum: modelNames(pair.compiled.spec.models ?? {}) } } }];
    this.inbound = fc.oneof(this.generated(api, 'request'), this.generated(api, 'request', named)).filter((body) => validate(body));
  }

  /** The inputs a rule of `source` is run on. */
  samples(source: Source, rule: Rule): fc.Arbitrary<Sample> {
    const api = this.pair.compiled.upstreamApi;
    switch (source) {
      case 'inbound':
        return this.inbound.map((body) => ({ input: body, request: body }));
      case 'route':
        return this.inbound.map((body) => ({ input: { body, headers: {} }, request: body }));
      case 'upstream-request':
        return this.withRequest(this.generated(api, 'request'));
      case 'upstream-response':
        return this.withRequest(this.generated(api, 'response'));
      case 'upstream-failure': {
        const failures = this.pools.samples.failures;
        const failure = fc.record({ status: fc.constantFrom(...STATUSES), headers: fc.nat(), body: this.generated(api, 'error') }).map(
          ({ status, headers, body }): UpstreamFailure => ({ status, kind: 'http', body, headers: failures.length > 0 ? { ...pick(failures, headers).headers } : {}, message: `upstream answered ${status}` }),
        );
        return this.withRequest(failure);
      }
      case 'upstream-event':
        return fc
          .record({ input: this.events(eventTypeOf(rule)), request: this.inbound, state: fc.nat() })
          .map(({ input, request, state }) => ({ input, request, state: this.pools.states.length > 0 ? pick(this.pools.states, state) : {} }));
    }
  }

  private withRequest(input: fc.Arbitrary<unknown>): fc.Arbitrary<Sample> {
    return fc.record({ input, request: this.inbound });
  }

  private schema(api: string, kind: SchemaKind): SchemaObject {
    const schema = this.schemas.schema(api, kind);
    if (!schema) throw new Error(`${this.pair.name}: no schemas/${api}/${kind}.json`);
    return schema as SchemaObject;
  }

  /** One arbitrary per schema and constraint, shared by the rules and pairs (its lazy parts are built once). */
  private generated(api: string, kind: SchemaKind, also: SchemaObject[] = []): fc.Arbitrary<unknown> {
    const key = `${api}/${kind} ${JSON.stringify(also)}`;
    let found = generatedBySchema.get(key);
    if (!found) generatedBySchema.set(key, (found = schemaArbitrary(this.schema(api, kind), { also })));
    return found;
  }

  /**
   * Upstream events of one type: the stream-event schema's, with the type field fixed. The
   * program's untyped event (the type of an event without that field) is a mid-stream error in
   * the one pair that has it (Chat Completions servers send {"error": …} or a flat
   * {"object": "error", …}): for it, the error schema's values too, and without the field.
   */
  private events(type: string): fc.Arbitrary<unknown> {
    const program = this.pair.compiled.stream!;
    const field = program.eventTypeFrom;
    const api = this.pair.compiled.upstreamApi;
    const typed: SchemaObject = { properties: { [field]: { const: type } }, required: [field] };
    const untyped: SchemaObject = { properties: { [field]: false } };
    const sources: Array<[SchemaKind, SchemaObject]> =
      type === program.untypedEvent
        ? [['stream-event', typed], ['error', typed], ['stream-event', untyped], ['error', untyped]]
        : [['stream-event', typed]];
    const found: Array<fc.Arbitrary<unknown>> = [];
    for (const [kind, also] of sources) {
      try {
        found.push(this.generated(api, kind, [also]));
      } catch (error) {
        if (!(error instanceof AdmitsNothing)) throw error;
      }
    }
    if (found.length === 0) throw new Error(`${this.pair.name}: the ${api} schemas admit no event of type ${type}`);
    return fc.oneof(...found).filter((event) => program.typeOf(event) === type);
  }
}

const pairs = await loadBothEngines();
const schemas = await loadApiSchemas(fileURLToPath(new URL('../../schemas', import.meta.url)));
for (const pair of pairs) {
  const corpus = new PairCorpus(pair, schemas, await poolsOf(pair));
  describe(`${pair.name} (inputs generated from the schemas)`, () => {
    pair.compiled.rules.forEach((compiled, index) => {
      const source = sourceOf(compiled);
      if (source === undefined) return;
      const interpreted = pair.interpreted.rules[index];
      it(`${compiled.id} (${compiled.mode})`, async () => {
        await checkRule(interpreted, compiled, corpus.samples(source, compiled), { seed: SEED + index, runs: RUNS, timeMs: TIME_MS, pair: pair.name });
      }, TIME_MS * 8 + 10_000);
    });
  });
}
