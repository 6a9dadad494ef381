/**
 * The differential harness: every shipped pair loaded twice, once with its rules interpreted by
 * JSONata (the oracle) and once compiled to JavaScript, plus the inputs both are run on — the
 * pairs' own examples, recorded upstream traffic and captured client requests — and the one
 * comparison every differential test uses: identical JSON (key order included), or both throw.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError, ERROR_CATALOGUE } from '../../engine/errors/gateway-error.js';
import { RuleEvaluationError, type Rule } from '../../engine/rules/rule.js';
import type { CompiledPair } from '../../engine/spec/compile-pair.js';
import { loadMappingSet } from '../../engine/spec/load-mapping-set.js';
import { normalise } from '../../engine/translate/mapping-block.js';
import type { UpstreamFailure } from '../../engine/translate/translator.js';
import { listClientCaptures, listRecordings, loadClientCapture } from '../helpers/reference.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BothEngines {
  name: string;
  interpreted: CompiledPair;
  compiled: CompiledPair;
}

async function loadWith(engine: 'interpreted' | 'compiled'): Promise<CompiledPair[]> {
  const previous = process.env.RULE_ENGINE;
  process.env.RULE_ENGINE = engine;
  try {
    const { set, problems } = await loadMappingSet({ mappingsDir: path.join(ROOT, 'mappings'), schemasDir: path.join(ROOT, 'schemas'), env: {} });
    if (!set) throw new Error(`the shipped mappings do not load (${engine}):\n${problems.map((p) => `${p.file}:${p.line ?? ''} ${p.message}`).join('\n')}`);
    return set.pairs;
  } finally {
    if (previous === undefined) delete process.env.RULE_ENGINE;
    else process.env.RULE_ENGINE = previous;
  }
}

/** Every shipped pair, in both engines; rules are in the same order in both. */
export async function loadBothEngines(): Promise<BothEngines[]> {
  const interpreted = await loadWith('interpreted');
  const compiled = await loadWith('compiled');
  return interpreted.map((pair, i) => {
    const other = compiled[i];
    if (other.name !== pair.name || other.rules.length !== pair.rules.length) throw new Error(`pair ${pair.name} differs between the engines`);
    pair.rules.forEach((rule, k) => {
      if (other.rules[k].id !== rule.id) throw new Error(`rule ${k} of ${pair.name}: ${rule.id} vs ${other.rules[k].id}`);
    });
    return { name: pair.name, interpreted: pair, compiled: other };
  });
}

// ---------------------------------------------------------------------------------------------
// Comparing outcomes

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export async function outcomeOf(run: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What kind of failure an error is, as far as a client can tell: the gateway error's category, or a rule failure. */
export function failureKind(error: unknown): string {
  if (error instanceof GatewayError) return `GatewayError ${error.code}/${error.category}`;
  if (error instanceof RuleEvaluationError) return 'RuleEvaluationError';
  return `${(error as Error)?.name ?? typeof error}`;
}

/** The JSONata code of a rule failure, when it has one. */
export function failureCode(error: unknown): string | undefined {
  return error instanceof RuleEvaluationError ? error.jsonataCode : undefined;
}

/** Same JSON value, keys in the same order; undefined is not null, a value is not a one-item array. */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameJsonValue(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => sameJsonValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * undefined when the two outcomes agree: equal values, or both failed the same way (the same
 * gateway error, or both a rule failure). The JSONata codes of two rule failures are not compared:
 * the interpreter evaluates the members of an object or array constructor concurrently (its
 * Promise.all), so when two members fail, which error surfaces depends on how many awaits each
 * took — compiled code reports the first member's error.
 */
export function disagreement(interpreted: Outcome, compiled: Outcome): string | undefined {
  if (compiled.ok) {
    const extra = extraKeys(compiled.value);
    if (extra) return `the compiled value carries a key no JSON has: ${extra}`;
  }
  if (interpreted.ok && compiled.ok) {
    return sameJsonValue(interpreted.value, compiled.value) ? undefined : `values differ:\n  interpreted ${show(interpreted.value)}\n  compiled    ${show(compiled.value)}`;
  }
  if (!interpreted.ok && !compiled.ok) {
    const [ki, kc] = [failureKind(interpreted.error), failureKind(compiled.error)];
    if (ki !== kc) return `both fail, differently: interpreted ${ki} (${message(interpreted.error)}), compiled ${kc} (${message(compiled.error)})`;
    return undefined;
  }
  return interpreted.ok
    ? `only the compiled rule fails: ${failureKind((compiled as { error: unknown }).error)} ${message((compiled as { error: unknown }).error)}; interpreted gives ${show(interpreted.value)}`
    : `only the interpreted rule fails: ${failureKind(interpreted.error)} ${message(interpreted.error)}; compiled gives ${show((compiled as { value: unknown }).value)}`;
}

/** A key that is not JSON (a symbol, or a non-index key on an array) anywhere in a value, as a path. */
export function extraKeys(value: unknown, at = '$'): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const k of Reflect.ownKeys(value)) {
    if (typeof k === 'symbol') return `${at}[${String(k)}]`;
    if (Array.isArray(value) && k !== 'length' && !/^\d+$/.test(k)) return `${at}.${k}`;
  }
  for (const [k, v] of Object.entries(value)) {
    const found = extraKeys(v, `${at}.${k}`);
    if (found) return found;
  }
  return undefined;
}

function message(error: unknown): string {
  return String((error as Error)?.message ?? error).slice(0, 300);
}

export function show(value: unknown, max = 600): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface StreamSample {
  name: string;
  events: Array<Record<string, unknown>>;
}

export interface Samples {
  /** Inbound request bodies: the examples' requests and captured client requests. */
  requests: unknown[];
  /** Upstream response bodies: the examples' and the recorded ones. */
  responses: unknown[];
  /** Upstream failures as the errors.upstream rules see them. */
  failures: UpstreamFailure[];
  /** Gateway errors as the errors.gateway and stream on_error rules see them. */
  gatewayErrors: Array<{ status: number; category: string; code: string; message: string }>;
  /** Upstream event streams: the examples' and the recorded ones. */
  streams: StreamSample[];
  /** Requests that come with streams (the examples' stream requests first). */
  streamRequests: unknown[];
}

function lowerKeys(headers: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

export function samplesOf(pair: CompiledPair): Samples {
  const examples = pair.spec.examples ?? [];
  const requests: unknown[] = examples.map((e) => e.request).filter((r) => r !== undefined);
  const streamRequests = examples.filter((e) => e.upstream_events).map((e) => e.request);
  for (const file of listClientCaptures()) {
    const capture = loadClientCapture(file);
    if (capture.method === 'POST' && capture.path === '/v1/messages' && capture.body && typeof capture.body === 'object') requests.push(capture.body);
  }
  const responses: unknown[] = examples.map((e) => e.upstream_response).filter((r) => r !== undefined);
  const failures: UpstreamFailure[] = examples
    .map((e) => e.upstream_error)
    .filter((u) => u !== undefined)
    .map((u) => ({ status: u!.status, kind: u!.kind ?? 'http', body: u!.body, headers: lowerKeys(u!.headers), message: u!.message ?? `upstream answered ${u!.status}` }));
  const streams: StreamSample[] = examples
    .filter((e) => e.upstream_events)
    .map((e) => ({ name: `example ${e.id}`, events: e.upstream_events as Array<Record<string, unknown>> }));
  for (const recording of listRecordings(pair.upstreamApi as 'openai-responses')) {
    if (recording.kind === 'json') responses.push(recording.body);
    if (recording.kind === 'error') failures.push({ status: recording.status, kind: 'http', body: recording.body, headers: recording.headers, message: `upstream answered ${recording.status}` });
    if (recording.kind === 'stream') {
      const events = (recording.events ?? []).filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object');
      streams.push({ name: recording.name, events });
    }
  }
  const gatewayErrors = Object.entries(ERROR_CATALOGUE).map(([code, { status, category }]) => ({ status, category, code, message: `${code}: something went wrong (key sk-proj-abcdef123456)` }));
  return { requests, responses, failures, gatewayErrors, streams, streamRequests: [...streamRequests, ...requests] };
}

/** What a rule sees, by the part of the spec it comes from (its id). */
export type RuleKind = 'request' | 'response' | 'errors.upstream' | 'errors.gateway' | 'stream.init' | 'stream.event' | 'stream.end' | 'stream.on_error' | 'other';

export function kindOf(rule: Rule): RuleKind {
  const id = rule.id;
  if (id.startsWith('request.')) return 'request';
  if (id.startsWith('response.')) return 'response';
  if (id.startsWith('errors.upstream.')) return 'errors.upstream';
  if (id.startsWith('errors.gateway.')) return 'errors.gateway';
  if (id === 'stream.init') return 'stream.init';
  if (id.startsWith('stream.events.')) return 'stream.event';
  if (id.startsWith('stream.end.')) return 'stream.end';
  if (id.startsWith('stream.on_error.')) return 'stream.on_error';
  return 'other';
}

/** The upstream event type a `stream.events.<type>.emit` rule handles. */
export function eventTypeOf(rule: Rule): string {
  return rule.id.slice('stream.events.'.length, -'.emit'.length);
}

/** Evaluates a rule as the engine would use its value: normalised when interpreted, as is when compiled. */
export async function evaluateRule(rule: Rule, input: unknown, bindings: { request?: unknown; state?: unknown }): Promise<unknown> {
  const value = await rule.evaluate(input, bindings);
  return rule.plain ? value : normalise(value);
}
