/**
 * The HTTP face of the mapped pipeline: run it, then write the answer, or relay the stream.
 * Everything about translation happens in pipeline/run-mapped.ts, which batch items share.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/logger.js';
import { runMapped, type PipelineDeps } from '../pipeline/run-mapped.js';
import { withRequestId } from '../pipeline/render-error.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { RouteSpec } from '../spec/pair-spec.js';
import { relayStream } from './stream-relay.js';
import { NO_TRACING } from '../observe/tracing.js';
import type { RequestContext } from './request-context.js';
import { sendJson } from './send-error.js';

export interface MappedRouteDeps extends PipelineDeps {
  stream: { pingIntervalMs: number; maxEventBytes: number; onEvents?: (count: number) => void };
}

/** What is being answered: the HTTP exchange, its parsed JSON body and its context. */
export interface MappedExchange {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  context: RequestContext;
}

export async function handleMappedRoute(exchange: MappedExchange, pair: CompiledPair, route: RouteSpec, deps: MappedRouteDeps, log: Logger): Promise<void> {
  const tracing = deps.tracing ?? NO_TRACING;
  if (tracing === NO_TRACING) return answer(exchange, pair, route, deps, log);
  const attributes = { 'rosetta.pair': pair.name, 'http.route': route.path, 'http.request.method': exchange.req.method ?? 'POST', 'rosetta.stream': (exchange.body as { stream?: unknown })?.stream === true };
  return tracing.span('rosetta.request', attributes, async (span) => {
    await answer(exchange, pair, route, deps, log);
    span?.setAttribute('http.response.status_code', exchange.res.statusCode);
  });
}

async function answer({ res, body, context }: MappedExchange, pair: CompiledPair, route: RouteSpec, deps: MappedRouteDeps, log: Logger): Promise<void> {
  // Abort the upstream call as soon as the client goes away. The response's close (not the
  // request's) is the signal: the request stream closes as soon as its body has been read.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const result = await runMapped(pair, route, body, deps, abort.signal, log);
    if (result.type === 'stream') {
      context.upstreamStatus = result.reply.status;
      const { pingIntervalMs, maxEventBytes, onEvents } = deps.stream;
      return await relayStream(res, result.reply, result.program, body, { pingIntervalMs, maxEventBytes, onEvents, abort, log });
    }
    context.upstreamStatus = result.upstreamStatus;
    if (res.headersSent || res.destroyed) return;
    for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
    sendJson(res, result.status, result.status >= 400 ? withRequestId(result.body, context.requestId) : result.body);
  } catch (err) {
    if (abort.signal.aborted) return; // the client left; nobody to answer
    log.error({ err, pair: pair.name }, 'unexpected failure while answering');
    if (!res.headersSent) sendJson(res, 500, { error: { message: 'internal error in the gateway' } });
    else res.destroy();
  }
}
