/**
 * Every error a client receives goes through here: gateway errors are rendered by the serving
 * pair's `errors.gateway` rules, upstream failures by its `errors.upstream` rules, so the client
 * always gets its own API's error shape. If the rules themselves fail, a minimal JSON error is
 * sent and the failure logged — an error path must never take the process down.
 */
import type { Response } from 'express';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { ClientError, UpstreamFailure } from '../translate/translator.js';

export async function sendGatewayError(res: Response, pair: CompiledPair | undefined, error: GatewayError, log: Logger): Promise<void> {
  let rendered: ClientError;
  try {
    rendered = pair ? await pair.translator.gatewayError(error) : plain(error.status, error.message, error.headers);
  } catch (err) {
    log.error({ err, code: error.code, pair: pair?.name }, 'errors.gateway rules failed; sending a plain error');
    rendered = plain(error.status, error.message, error.headers);
  }
  writeError(res, rendered, requestIdOf(res));
}

export async function sendUpstreamError(
  res: Response,
  pair: CompiledPair,
  failure: UpstreamFailure,
  inbound: unknown,
  log: Logger,
): Promise<void> {
  let rendered: ClientError;
  try {
    rendered = await pair.translator.upstreamError(failure, inbound);
  } catch (err) {
    log.error({ err, pair: pair.name, upstreamStatus: failure.status }, 'errors.upstream rules failed; sending a plain error');
    rendered = plain(502, failure.message, {});
  }
  writeError(res, rendered, requestIdOf(res));
}

function writeError(res: Response, error: ClientError, requestId: string | undefined): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = fillRequestId(error.body, requestId);
  res.status(error.status);
  for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
  res.json(body);
}

/** An error body template may leave `request_id: null`; the engine knows the id, so it fills it. */
function fillRequestId(body: unknown, requestId: string | undefined): unknown {
  if (requestId && body && typeof body === 'object' && 'request_id' in body && (body as { request_id: unknown }).request_id == null) {
    return { ...(body as object), request_id: requestId };
  }
  return body;
}

function plain(status: number, message: string, headers: Record<string, string>): ClientError {
  return { status, body: { error: { message } }, headers };
}

export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}
