/**
 * The mapped route: validate inbound → request rules → validate the upstream payload → upstream
 * → response rules (JSON), stream rules (SSE) or error rules. Provider-neutral: everything it
 * knows about the APIs comes from the pair it is handed.
 */
import type { Request, Response } from 'express';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import { describeSchemaErrors } from '../spec/api-schemas.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { RouteSpec } from '../spec/pair-spec.js';
import { RuleEvaluationError } from '../rules/rule.js';
import type { UpstreamFailure } from '../translate/translator.js';
import { readBodyText, UpstreamTransportError, type UpstreamClient, type UpstreamReply } from '../upstream/upstream-client.js';
import { sendGatewayError, sendUpstreamError } from './send-error.js';
import { relayStream } from './stream-relay.js';

export interface MappedRouteDeps {
  upstream: UpstreamClient;
  upstreamValidation: 'strict' | 'warn' | 'off';
  maxUpstreamResponseBytes: number;
  stream: { pingIntervalMs: number; maxEventBytes: number };
}

export async function handleMappedRoute(req: Request, res: Response, pair: CompiledPair, route: RouteSpec, deps: MappedRouteDeps, log: Logger): Promise<void> {
  const inbound = req.body as unknown;
  // Abort the upstream call as soon as the client goes away. The response's close (not the
  // request's) is the signal: the request stream closes as soon as its body has been read.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  try {
    validateInbound(pair, inbound);
    const payload = await translate(() => pair.translator.request(inbound));
    validateUpstreamPayload(pair, payload, deps.upstreamValidation, log);

    const reply = await deps.upstream.send({
      url: pair.upstream.baseUrl + route.upstream.path,
      method: route.upstream.method,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...pair.upstream.headers },
      body: JSON.stringify(payload),
      signal: abort.signal,
    });
    res.locals.upstreamStatus = reply.status;

    if (reply.status >= 400) return await relayUpstreamError(res, pair, reply, inbound, deps, log);
    if (isEventStream(reply)) {
      if (!pair.stream) {
        discard(reply);
        throw new GatewayError('GW_ERR_UPSTREAM_RESPONSE', 'the upstream answered with an event stream, and this pair has no stream rules');
      }
      return await relayStream(res, reply, pair.stream, inbound, { ...deps.stream, abort, log });
    }
    const text = await readBodyText(reply.body, deps.maxUpstreamResponseBytes);
    const upstreamBody = parseJson(text);
    if (upstreamBody === undefined) {
      return await sendUpstreamError(res, pair, { status: 502, kind: 'http', headers: reply.headers, body: text.slice(0, 2000), message: 'the upstream sent a response that is not JSON' }, inbound, log);
    }
    const clientBody = await translate(() => pair.translator.response(upstreamBody, inbound));
    res.status(200).json(clientBody);
  } catch (err) {
    if (abort.signal.aborted) return; // the client left; nobody to answer
    if (err instanceof UpstreamTransportError) return sendUpstreamError(res, pair, err.failure, inbound, log);
    if (err instanceof GatewayError) return sendGatewayError(res, pair, err, log);
    log.error({ err, pair: pair.name }, 'unexpected failure in a mapped route');
    return sendGatewayError(res, pair, new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway'), log);
  }
}

function validateInbound(pair: CompiledPair, inbound: unknown): void {
  const validate = pair.validateInbound;
  if (validate && !validate(inbound)) {
    throw new GatewayError('GW_ERR_SCHEMA', `invalid request: ${describeSchemaErrors(validate.errors)}`);
  }
}

function validateUpstreamPayload(pair: CompiledPair, payload: unknown, mode: MappedRouteDeps['upstreamValidation'], log: Logger): void {
  const validate = pair.validateUpstreamRequest;
  if (mode === 'off' || !validate || validate(payload)) return;
  const detail = describeSchemaErrors(validate.errors);
  if (mode === 'warn') {
    log.warn({ pair: pair.name, detail }, 'mapped payload does not match the upstream schema; sending it anyway');
    return;
  }
  throw new GatewayError('GW_ERR_UPSTREAM_PAYLOAD', `the gateway could not build a valid upstream request (a mapping problem): ${detail}`);
}

/** Runs rules, turning a rule failure into a gateway error that names the rule. */
async function translate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RuleEvaluationError) {
      throw new GatewayError('GW_ERR_INTERNAL', `mapping rule ${err.ruleId} failed: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function relayUpstreamError(res: Response, pair: CompiledPair, reply: UpstreamReply, inbound: unknown, deps: MappedRouteDeps, log: Logger): Promise<void> {
  const text = await readBodyText(reply.body, Math.min(deps.maxUpstreamResponseBytes, 1024 * 1024));
  const failure: UpstreamFailure = {
    status: reply.status,
    kind: 'http',
    body: parseJson(text) ?? text,
    headers: reply.headers,
    message: `upstream answered ${reply.status}`,
  };
  log.info({ pair: pair.name, upstreamStatus: reply.status }, 'upstream returned an error');
  await sendUpstreamError(res, pair, failure, inbound, log);
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
