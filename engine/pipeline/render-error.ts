/**
 * Renders errors into the client's API shape: gateway errors through the pair's `errors.gateway`
 * rules, upstream failures through its `errors.upstream` rules. If the rules themselves fail, a
 * minimal JSON error is returned and the failure logged — an error path must never throw.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { ClientError, UpstreamFailure } from '../translate/translator.js';

export async function renderGatewayError(pair: CompiledPair | undefined, error: GatewayError, log: Logger): Promise<ClientError> {
  try {
    if (pair) return await pair.translator.gatewayError(error);
  } catch (err) {
    log.error({ err, code: error.code, pair: pair?.name }, 'errors.gateway rules failed; sending a plain error');
  }
  return plainError(error.status, error.message, error.headers);
}

export async function renderUpstreamError(pair: CompiledPair, failure: UpstreamFailure, inbound: unknown, log: Logger): Promise<ClientError> {
  try {
    return await pair.translator.upstreamError(failure, inbound);
  } catch (err) {
    log.error({ err, pair: pair.name, upstreamStatus: failure.status }, 'errors.upstream rules failed; sending a plain error');
    return plainError(502, failure.message, {});
  }
}

/** An error body template may leave `request_id: null`; the engine knows the id, so it fills it. */
export function withRequestId(body: unknown, requestId: string | undefined): unknown {
  if (requestId && body && typeof body === 'object' && 'request_id' in body && (body as { request_id: unknown }).request_id == null) {
    return { ...(body as object), request_id: requestId };
  }
  return body;
}

function plainError(status: number, message: string, headers: Record<string, string>): ClientError {
  return { status, body: { error: { message } }, headers };
}
