/**
 * The four translation hooks of a pair, built from its compiled mapping blocks: request, response,
 * upstream error, gateway error. One object serves live requests, batch items and the examples in a
 * spec — there is one way through the code, whatever the caller. What the hooks answer is
 * read-only: it may share objects with the bodies they were given (see mapping-block.ts).
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { MappingBlock } from './mapping-block.js';

/** An upstream failure as the error rules see it: HTTP error, network failure or timeout alike. */
export interface UpstreamFailure {
  status: number;
  kind: 'http' | 'network' | 'timeout';
  body?: unknown;
  headers: Record<string, string>;
  message: string;
}

/** What the client receives for an error. */
export interface ClientError {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface Translator {
  request(inbound: unknown): Promise<Record<string, unknown>>;
  response(upstreamBody: unknown, inbound: unknown): Promise<Record<string, unknown>>;
  upstreamError(failure: UpstreamFailure, inbound: unknown): Promise<ClientError>;
  gatewayError(error: GatewayError): Promise<ClientError>;
}

export interface TranslatorBlocks {
  request?: MappingBlock;
  response?: MappingBlock;
  errorsUpstream?: MappingBlock;
  errorsGateway?: MappingBlock;
}

export function createTranslator(blocks: TranslatorBlocks): Translator {
  const gatewayError = async (error: GatewayError): Promise<ClientError> => {
    if (!blocks.errorsGateway) return fallbackError(error.status, error.message, error.headers);
    const input = { status: error.status, category: error.category, code: error.code, message: error.message };
    const out = await blocks.errorsGateway.apply(input, {});
    return toClientError(out, error.status, error.headers);
  };
  // request and response hand on the block's own promise: an async function would wrap it in
  // another, which costs two more turns of the microtask queue per call.
  return {
    request(inbound) {
      if (!blocks.request) return Promise.reject(new GatewayError('GW_ERR_INTERNAL', 'this pair has no request rules'));
      return blocks.request.apply(inbound, { request: inbound });
    },
    response(upstreamBody, inbound) {
      if (!blocks.response) return Promise.reject(new GatewayError('GW_ERR_INTERNAL', 'this pair has no response rules'));
      return blocks.response.apply(upstreamBody, { request: inbound });
    },
    async upstreamError(failure, inbound) {
      if (!blocks.errorsUpstream) return fallbackError(502, failure.message, {});
      const out = await blocks.errorsUpstream.apply(failure, { request: inbound });
      return toClientError(out, 502, {});
    },
    gatewayError,
  };
}

function toClientError(out: Record<string, unknown>, defaultStatus: number, extraHeaders: Record<string, string>): ClientError {
  const status = Number.isInteger(out.status) && (out.status as number) >= 400 && (out.status as number) <= 599 ? (out.status as number) : defaultStatus;
  const headers: Record<string, string> = { ...extraHeaders };
  if (out.headers && typeof out.headers === 'object') {
    for (const [k, v] of Object.entries(out.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  }
  return { status, body: out.body, headers };
}

/** Used only when a pair has no error rules at all; keeps the client informed in plain JSON. */
function fallbackError(status: number, message: string, headers: Record<string, string>): ClientError {
  return { status, body: { error: { message } }, headers };
}
