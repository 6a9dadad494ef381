/**
 * The mapped pipeline, free of any transport: validate inbound → request rules → validate the
 * upstream payload → upstream → response rules or error rules. A live HTTP request, a batch item
 * and a test all go through this one function; what comes back is either a finished client
 * answer (status, body, headers — errors already in the client's API shape) or, when the
 * upstream answered with an event stream, the open stream for the caller to relay.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import { RuleEvaluationError } from '../rules/rule.js';
import { describeSchemaErrors } from '../spec/api-schemas.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { RouteSpec } from '../spec/pair-spec.js';
import type { StreamProgram } from '../translate/stream-program.js';
import type { UpstreamFailure } from '../translate/translator.js';
import { readBodyText, UpstreamTransportError, type UpstreamCall, type UpstreamReply, type UpstreamSender } from '../upstream/upstream-client.js';
import { renderGatewayError, renderUpstreamError } from './render-error.js';
import { stampReceived } from './received-at.js';
import { NO_TRACING, type Tracing } from '../observe/tracing.js';

export interface PipelineDeps {
  /** The upstream client — in the gateway, the resilient one (breaker, concurrency cap, retries). */
  upstream: UpstreamSender;
  upstreamValidation: 'strict' | 'warn' | 'off';
  maxUpstreamResponseBytes: number;
  /** Times the translation rules (a histogram per pair and hook). */
  metrics?: { rules(pair: string, hook: 'request' | 'response', seconds: number): void };
  /** LOG_BODIES: log the inbound body, the upstream payload and the answer (the logger scrubs secrets). */
  logBodies?: boolean;
  /** OpenTelemetry spans (TRACING=on); off by default. */
  tracing?: Tracing;
}

/** Longest excerpt of a body written to the log with LOG_BODIES=on. */
const LOGGED_BODY_CHARS = 64 * 1024;

export type MappedResult =
  | { type: 'answer'; status: number; body: unknown; headers: Record<string, string>; upstreamStatus?: number }
  | { type: 'stream'; reply: UpstreamReply; program: StreamProgram };

export async function runMapped(
  pair: CompiledPair,
  route: RouteSpec,
  inbound: unknown,
  deps: PipelineDeps,
  signal: AbortSignal,
  log: Logger,
): Promise<MappedResult> {
  stampReceived(inbound);
  try {
    if (deps.logBodies) log.info({ body: excerpt(inbound) }, 'inbound body');
    validateInbound(pair, inbound);
    const payload = await runRules(deps, pair, 'request', () => pair.translator.request(inbound));
    validateUpstreamPayload(pair, payload, deps.upstreamValidation, log);
    if (deps.logBodies) log.info({ body: excerpt(payload) }, 'upstream payload');

    // A retry (inside deps.upstream) re-sends this very body: the mapping is pure, so there is
    // nothing to recompute.
    const upstreamUrl = pair.upstream.baseUrl + route.upstream.path;
    const call: UpstreamCall = {
      url: upstreamUrl,
      method: route.upstream.method,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...pair.upstream.headers },
      body: JSON.stringify(payload),
      signal,
    };
    const tracing = deps.tracing ?? NO_TRACING;
    const reply = tracing === NO_TRACING
      ? await deps.upstream.send(call, log)
      : await tracing.span('rosetta.upstream', { 'server.address': new URL(upstreamUrl).host, 'rosetta.pair': pair.name }, async (span) => {
        const sent = await deps.upstream.send(call, log);
        span?.setAttribute('http.response.status_code', sent.status);
        return sent;
      });

    if (reply.status >= 400) return await upstreamErrorAnswer(pair, reply, inbound, deps, log);
    if (isEventStream(reply)) {
      if (pair.stream) return { type: 'stream', reply, program: pair.stream };
      discard(reply);
      throw new GatewayError('GW_ERR_UPSTREAM_RESPONSE', 'the upstream answered with an event stream, and this pair has no stream rules');
    }
    const text = await readBodyText(reply.body, deps.maxUpstreamResponseBytes);
    const upstreamBody = parseJson(text);
    if (upstreamBody === undefined) {
      // Unreadable like a body cut off or over the size limit: a transport-level failure (kind
      // network), not an HTTP status the upstream chose — whose 502 means "overloaded" to the rules.
      const failure: UpstreamFailure = { status: 502, kind: 'network', headers: reply.headers, body: text.slice(0, 2000), message: 'the upstream sent a response that is not JSON' };
      return { ...answer(await renderUpstreamError(pair, failure, inbound, log)), upstreamStatus: reply.status };
    }
    const body = await runRules(deps, pair, 'response', () => pair.translator.response(upstreamBody, inbound));
    if (deps.logBodies) log.info({ body: excerpt(body) }, 'answer body');
    return { type: 'answer', status: 200, body, headers: {}, upstreamStatus: reply.status };
  } catch (err) {
    if (err instanceof UpstreamTransportError) return answer(await renderUpstreamError(pair, err.failure, inbound, log));
    if (err instanceof GatewayError) return answer(await renderGatewayError(pair, err, log));
    if (signal.aborted) throw err;
    log.error({ err, pair: pair.name }, 'unexpected failure in the mapped pipeline');
    return answer(await renderGatewayError(pair, new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway'), log));
  }
}

type Answer = Extract<MappedResult, { type: 'answer' }>;

function answer(error: { status: number; body: unknown; headers: Record<string, string> }): Answer {
  return { type: 'answer', status: error.status, body: error.body, headers: error.headers };
}

function validateInbound(pair: CompiledPair, inbound: unknown): void {
  const validate = pair.validateInbound;
  if (validate && !validate(inbound)) {
    throw new GatewayError('GW_ERR_SCHEMA', `invalid request: ${describeSchemaErrors(validate.errors)}`);
  }
}

function validateUpstreamPayload(pair: CompiledPair, payload: unknown, mode: PipelineDeps['upstreamValidation'], log: Logger): void {
  const validate = pair.validateUpstreamRequest;
  if (mode === 'off' || !validate || validate(payload)) return;
  const detail = describeSchemaErrors(validate.errors);
  if (mode === 'warn') {
    log.warn({ pair: pair.name, detail }, 'mapped payload does not match the upstream schema; sending it anyway');
    return;
  }
  throw new GatewayError('GW_ERR_UPSTREAM_PAYLOAD', `the gateway could not build a valid upstream request (a mapping problem): ${detail}`);
}

/** A body as it goes to the log: whole when small, else its first LOGGED_BODY_CHARS as text. */
function excerpt(body: unknown): unknown {
  const text = JSON.stringify(body) ?? '';
  return text.length <= LOGGED_BODY_CHARS ? body : `${text.slice(0, LOGGED_BODY_CHARS)}… (${text.length} chars)`;
}

/**
 * Runs a hook's rules, timed for the metrics, turning a rule failure into a gateway error that
 * names the rule. Chained on the rules' own promise: no async wrapper per hook, on every request.
 */
function runRules<T>(deps: PipelineDeps, pair: CompiledPair, hook: 'request' | 'response', run: () => Promise<T>): Promise<T> {
  const started = deps.metrics ? performance.now() : 0;
  const timed = () => deps.metrics?.rules(pair.name, hook, (performance.now() - started) / 1000);
  let pending: Promise<T>;
  try {
    pending = run();
  } catch (err) {
    pending = Promise.reject(err);
  }
  return pending.then(
    (value) => {
      timed();
      return value;
    },
    (err: unknown) => {
      timed();
      if (err instanceof RuleEvaluationError) {
        throw new GatewayError('GW_ERR_INTERNAL', `mapping rule ${err.ruleId} failed: ${err.message}`, { cause: err });
      }
      throw err;
    },
  );
}

async function upstreamErrorAnswer(pair: CompiledPair, reply: UpstreamReply, inbound: unknown, deps: PipelineDeps, log: Logger): Promise<MappedResult> {
  const text = await readBodyText(reply.body, Math.min(deps.maxUpstreamResponseBytes, 1024 * 1024));
  const failure: UpstreamFailure = {
    status: reply.status,
    kind: 'http',
    body: parseJson(text) ?? text,
    headers: reply.headers,
    message: `upstream answered ${reply.status}`,
  };
  log.info({ pair: pair.name, upstreamStatus: reply.status }, 'upstream returned an error');
  return { ...answer(await renderUpstreamError(pair, failure, inbound, log)), upstreamStatus: reply.status };
}

/** Drops an upstream body we will not read; the abort error that follows must not go unhandled. */
function discard(reply: UpstreamReply): void {
  reply.body.on('error', () => {});
  reply.body.destroy();
}

function isEventStream(reply: UpstreamReply): boolean {
  return (reply.headers['content-type'] ?? '').includes('text/event-stream');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
