/**
 * Writes a gateway error (auth, routing, body parsing) to an HTTP response, in the serving pair's
 * API shape (pipeline/render-error.ts), with the request id in the body where the shape has one.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import { renderGatewayError, withRequestId } from '../pipeline/render-error.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import { contextOf } from './request-context.js';

export async function sendGatewayError(res: ServerResponse, pair: CompiledPair | undefined, error: GatewayError, log: Logger): Promise<void> {
  const rendered = await renderGatewayError(pair, error, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(rendered.headers)) res.setHeader(k, v);
  sendJson(res, rendered.status, withRequestId(rendered.body, contextOf(res)?.requestId));
}

/**
 * An answer as JSON, written directly: Express's res.json would stringify it the same way and
 * then look up a charset, consider an ETag (off here) and freshness — work an API answer to a
 * POST never needs, on the hottest path of the gateway.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
