/**
 * Runs the examples of a spec: each rule's own `examples` and the whole-direction `examples:`.
 * They run at load (a pair whose examples fail is not served), in `rosetta check`, in the tests,
 * and the review page shows their results. Produced payloads are also validated against the API
 * schemas, so an example cannot pass with output the real API would reject.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { normalise, type MappingBlock } from '../translate/mapping-block.js';
import type { ApiSchemas } from './api-schemas.js';
import { describeSchemaErrors } from './api-schemas.js';
import type { CompiledPair } from './compile-pair.js';
import { sameJson, short } from './compile-pair.js';
import type { BlockSpec, ExampleSpec } from './pair-spec.js';
import { runStream } from '../translate/stream-program.js';

export interface ExamplePartResult {
  part: 'upstream_request' | 'response' | 'error' | 'events';
  ok: boolean;
  got?: unknown;
  expected?: unknown;
  message?: string;
}

export interface ExampleResult {
  id: string;
  describe: string;
  parts: ExamplePartResult[];
  failures: Array<{ part: string; message: string }>;
}

export async function runRuleExamples(
  block: BlockSpec | undefined,
  compiled: MappingBlock | undefined,
): Promise<Array<{ ruleIndex: number; exampleIndex: number; message: string }>> {
  const failures: Array<{ ruleIndex: number; exampleIndex: number; message: string }> = [];
  if (!block || !compiled) return failures;
  for (const [ruleIndex, rule] of (block.rules ?? []).entries()) {
    const entry = compiled.entries.find((e) => e.id === rule.id);
    if (!entry) continue;
    for (const [exampleIndex, example] of (rule.examples ?? []).entries()) {
      try {
        const got = normalise(await entry.rule.evaluate(example.in, { request: example.request ?? example.in }));
        if (!sameJson(got, example.out)) failures.push({ ruleIndex, exampleIndex, message: `rule "${rule.id}" gives ${short(got)}, expected ${short(example.out)}` });
      } catch (err) {
        failures.push({ ruleIndex, exampleIndex, message: `rule "${rule.id}" failed: ${(err as Error).message}` });
      }
    }
  }
  return failures;
}

export async function runExamples(pair: CompiledPair, schemas: ApiSchemas): Promise<ExampleResult[]> {
  const results: ExampleResult[] = [];
  for (const example of pair.spec.examples ?? []) {
    const parts: ExamplePartResult[] = [];
    if (example.upstream_request !== undefined) parts.push(await checkRequest(pair, example));
    if (example.upstream_response !== undefined) parts.push(await checkResponse(pair, schemas, example));
    if (example.upstream_error !== undefined) parts.push(await checkError(pair, schemas, example));
    if (example.upstream_events !== undefined) parts.push(await checkEvents(pair, schemas, example));
    const failures = parts.filter((p) => !p.ok).map((p) => ({ part: p.part, message: p.message ?? 'failed' }));
    results.push({ id: example.id, describe: example.describe, parts, failures });
  }
  return results;
}

async function checkRequest(pair: CompiledPair, example: ExampleSpec): Promise<ExamplePartResult> {
  const expected = example.upstream_request;
  try {
    const got = await pair.translator.request(example.request);
    if (!sameJson(got, expected)) return { part: 'upstream_request', ok: false, got, expected, message: difference(got, expected) };
    const validate = pair.validateUpstreamRequest;
    if (validate && !validate(got)) {
      return { part: 'upstream_request', ok: false, got, expected, message: `the upstream would reject it: ${describeSchemaErrors(validate.errors)}` };
    }
    return { part: 'upstream_request', ok: true, got, expected };
  } catch (err) {
    return failed('upstream_request', err, expected);
  }
}

async function checkResponse(pair: CompiledPair, schemas: ApiSchemas, example: ExampleSpec): Promise<ExamplePartResult> {
  const expected = example.response;
  try {
    const got = await pair.translator.response(example.upstream_response, example.request);
    if (expected !== undefined && !sameJson(got, expected)) return { part: 'response', ok: false, got, expected, message: difference(got, expected) };
    const validate = schemas.validator(pair.inboundApi, 'response');
    if (validate && !validate(got)) {
      return { part: 'response', ok: false, got, expected, message: `not a valid ${pair.inboundApi} response: ${describeSchemaErrors(validate.errors)}` };
    }
    return { part: 'response', ok: true, got, expected };
  } catch (err) {
    return failed('response', err, expected);
  }
}

async function checkError(pair: CompiledPair, schemas: ApiSchemas, example: ExampleSpec): Promise<ExamplePartResult> {
  const expected = example.error as { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;
  const u = example.upstream_error!;
  try {
    const got = await pair.translator.upstreamError(
      { status: u.status, kind: u.kind ?? 'http', body: u.body, headers: lowerKeys(u.headers ?? {}), message: u.message ?? `upstream answered ${u.status}` },
      example.request,
    );
    if (expected !== undefined) {
      const sameHeaders = Object.entries(expected.headers ?? {}).every(([k, v]) => got.headers[k.toLowerCase()] === String(v));
      if (got.status !== expected.status || !sameJson(got.body, expected.body) || !sameHeaders) {
        return { part: 'error', ok: false, got, expected, message: difference(got, expected) };
      }
    }
    const validate = schemas.validator(pair.inboundApi, 'error');
    if (validate && !validate(got.body)) {
      return { part: 'error', ok: false, got, expected, message: `not a valid ${pair.inboundApi} error: ${describeSchemaErrors(validate.errors)}` };
    }
    return { part: 'error', ok: true, got, expected };
  } catch (err) {
    return failed('error', err, expected);
  }
}

async function checkEvents(pair: CompiledPair, schemas: ApiSchemas, example: ExampleSpec): Promise<ExamplePartResult> {
  const expected = example.events;
  if (!pair.stream) return { part: 'events', ok: false, expected, message: 'the pair has no stream rules' };
  try {
    const { emitted: got } = await runStream(pair.stream, example.upstream_events as Array<Record<string, unknown>>, example.request);
    if (expected !== undefined && !sameJson(got, expected)) return { part: 'events', ok: false, got, expected, message: difference(got, expected) };
    const validate = schemas.validator(pair.inboundApi, 'stream-event');
    const bad = validate ? got.findIndex((event) => !validate(event)) : -1;
    if (validate && bad >= 0) {
      return { part: 'events', ok: false, got, expected, message: `event ${bad} is not a valid ${pair.inboundApi} stream event: ${describeSchemaErrors(validate.errors)}` };
    }
    return { part: 'events', ok: true, got, expected };
  } catch (err) {
    return failed('events', err, expected);
  }
}

function failed(part: ExamplePartResult['part'], err: unknown, expected: unknown): ExamplePartResult {
  const message = err instanceof GatewayError ? `raised ${err.code} (${err.category}): ${err.message}` : (err as Error).message;
  return { part, ok: false, expected, message };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Names the first place where two JSON values differ, so a failing example says where to look. */
export function difference(got: unknown, expected: unknown, at = ''): string {
  if (sameJson(got, expected)) return 'equal';
  if (got && expected && typeof got === 'object' && typeof expected === 'object' && Array.isArray(got) === Array.isArray(expected)) {
    const keys = new Set([...Object.keys(got as object), ...Object.keys(expected as object)]);
    for (const key of keys) {
      const a = (got as Record<string, unknown>)[key];
      const b = (expected as Record<string, unknown>)[key];
      if (!sameJson(a, b)) return difference(a, b, `${at}/${key}`);
    }
  }
  return `at ${at || '(root)'}: got ${short(got, 200)}, expected ${short(expected, 200)}`;
}
