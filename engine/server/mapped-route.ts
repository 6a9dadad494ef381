/**
 * The HTTP face of the mapped pipeline: run it, then write the answer, or relay the stream.
 * Everything about translation happens in pipeline/run-mapped.ts, which batch items share.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../observe/logger.js';
import { runMapped, type PipelineDeps } from '../pipeline/run-mapped.js';
import { withRequestId } from '../pipeline/render-error.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { RouteSpec } from '../spec/pair-spec.js';
import { relayStream } from './stream-relay.js';
import { NO_TRACING } from '../observe/tracing.js';

export interface MappedRouteDeps extends PipelineDeps {
  stream: { pingIntervalMs: number; maxEventBytes: number; onEvents?: (count: number) => void };
}

export async function handleMappedRoute(req: Request, res: Response, pair: CompiledPair, route: RouteSpec, deps: MappedRouteDeps, log: Logger): Promise<void> {
  const tracing = deps.tracing ?? NO_TRACING;
  if (tracing === NO_TRACING) return answer(req, res, pair, route, deps, log);
  const attributes = { 'rosetta.pair': pair.name, 'http.route': route.path, 'http.request.method': req.method, 'rosetta.stream': (req.body as { stream?: unknown })?.stream === true };
  return tracing.span('rosetta.request', attributes, async (span) => {
    await answer(req, res, pair, route, deps, log);
    span?.setAttribute('http.response.status_code', res.statusCode);
  });
}

async function answer(req: Request, res: Response, pair: CompiledPair, route: RouteSpec, deps: MappedRouteDeps, log: Logger): Promise<void> {
  // Abort the upstream call as soon as the client goes away. The response's close (not the
  // request's) is the signal: the request stream closes as soon as its body has been read.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const result = await runMapped(pair, route, req.body as unknown, deps, abort.signal, log);
    if (result.type === 'stream') {
      res.locals.upstreamStatus = result.reply.status;
      return await relayStream(res, result.reply, result.program, req.body, { ...deps.stream, abort, log });
    }
    res.locals.upstreamStatus = result.upstreamStatus;
    if (res.headersSent || res.destroyed) return;
    for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
    sendJson(res, result.status, result.status >= 400 ? withRequestId(result.body, res.locals.requestId as string) : result.body);
  } catch (err) {
    if (abort.signal.aborted) return; // the client left; nobody to answer
    log.error({ err, pair: pair.name }, 'unexpected failure while answering');
    if (!res.headersSent) res.status(500).json({ error: { message: 'internal error in the gateway' } });
    else res.destroy();
  }
}

/**
 * The answer as JSON, written directly: Express's res.json would stringify it the same way and
 * then look up a charset, consider an ETag (off here) and freshness — work an API answer to a
 * POST never needs, on the hottest path of the gateway.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
