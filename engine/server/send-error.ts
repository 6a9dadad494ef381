/**
 * Writes a gateway error (auth, routing, body parsing) to an HTTP response, in the serving pair's
 * API shape (pipeline/render-error.ts).
 */
import type { Response } from 'express';
import type { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import { renderGatewayError, withRequestId } from '../pipeline/render-error.js';
import type { CompiledPair } from '../spec/compile-pair.js';

export async function sendGatewayError(res: Response, pair: CompiledPair | undefined, error: GatewayError, log: Logger): Promise<void> {
  const rendered = await renderGatewayError(pair, error, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(rendered.status);
  for (const [k, v] of Object.entries(rendered.headers)) res.setHeader(k, v);
  res.json(withRequestId(rendered.body, res.locals.requestId as string | undefined));
}
