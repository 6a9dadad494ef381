/**
 * The only place that talks to an upstream. One keep-alive connection pool per process (undici
 * Agent), with connect, headers and idle-body timeouts. Failures are classified once, here, into
 * the shape the error rules see (network / timeout), so translation never looks at socket errors.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from '../observe/logger.js';
import type { UpstreamFailure } from '../translate/translator.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Most pooled connections per upstream origin (default 256). */
  connections?: number;
}

/** Anything that sends an upstream call: this client, or the resilience layer around it. */
export interface UpstreamSender {
  send(call: UpstreamCall, log?: Logger): Promise<UpstreamReply>;
}

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** false: one attempt, no retries by the resilience layer (the caller retries on its own). */
  retry?: boolean;
}

export interface UpstreamReply {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
}

/** A transport-level failure (no HTTP answer): carries the shape the error rules take. */
export class UpstreamTransportError extends Error {
  constructor(readonly failure: UpstreamFailure, options?: { cause?: unknown }) {
    super(failure.message, options);
    this.name = 'UpstreamTransportError';
  }
}

export class UpstreamClient implements UpstreamSender {
  private readonly agent: Agent;

  constructor(timeouts: UpstreamTimeouts) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectTimeoutMs },
      headersTimeout: timeouts.headersTimeoutMs,
      bodyTimeout: timeouts.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: timeouts.connections ?? 256,
    });
  }

  async send(call: UpstreamCall): Promise<UpstreamReply> {
    try {
      const reply = await request(call.url, {
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
        dispatcher: this.agent,
      });
      return { status: reply.statusCode, headers: flattenHeaders(reply.headers), body: reply.body };
    } catch (err) {
      throw new UpstreamTransportError(classify(err), { cause: err });
    }
  }

  /** Closes the pool once the requests in flight have finished. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Closes the pool now, cutting whatever is still in flight (shutdown past its grace period). */
  async destroy(): Promise<void> {
    await this.agent.destroy();
  }
}

/** Reads a whole body, refusing more than `maxBytes` (a runaway upstream must not exhaust memory). */
export async function readBodyText(body: UpstreamReply['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        body.destroy();
        throw new UpstreamTransportError({ status: 502, kind: 'network', headers: {}, message: `upstream response is larger than ${maxBytes} bytes` });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof UpstreamTransportError) throw err;
    throw new UpstreamTransportError(classify(err), { cause: err });
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function classify(err: unknown): UpstreamFailure {
  const code = (err as { code?: string })?.code ?? '';
  const name = (err as { name?: string })?.name ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for response headers' : 'waiting for more of the response';
    return { status: 504, kind: 'timeout', headers: {}, message: `upstream timed out while ${what}` };
  }
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return { status: 499, kind: 'network', headers: {}, message: 'request aborted' };
  }
  const detail = code || (err as Error)?.message || 'unknown error';
  return { status: 502, kind: 'network', headers: {}, message: `could not reach the upstream (${detail})` };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
