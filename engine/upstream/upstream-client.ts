/**
 * The only place that talks to an upstream. One keep-alive connection pool per process (undici
 * Agent), with connect, headers and idle-body timeouts. Failures are classified once, here, into
 * the shape the error rules see (network / timeout), so translation never looks at socket errors.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../observe/logger.js';
import type { UpstreamFailure } from '../translate/translator.js';
import { urlParts } from './url-parts.js';

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
      // The agent itself, with the URL split once per URL: undici's top-level request() would
      // parse the URL and copy the options on every call.
      const { origin, path } = urlParts(call.url);
      const reply = await this.agent.request({
        origin,
        path,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
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

/**
 * Reads a whole body, refusing more than `maxBytes` (a runaway upstream must not exhaust memory).
 * Listens for data directly: an async iterator over the body costs a generator and a promise per
 * chunk, on every JSON answer.
 */
export function readBodyText(body: UpstreamReply['body'], maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      body.off('data', onData);
      body.destroy();
      reject(new UpstreamTransportError({ status: 502, kind: 'network', headers: {}, message: `upstream response is larger than ${maxBytes} bytes` }));
    };
    const fail = (err: unknown) => reject(new UpstreamTransportError(classify(err), { cause: err }));
    if (body.closed) return fail(body.errored ?? prematureClose()); // no event left to wait for
    body.on('data', onData);
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    });
    body.once('error', fail);
    // Destroyed without an error (and without its end): settle rather than wait forever. (Only
    // then: an Error captures a stack, which costs more than the whole read.)
    body.once('close', () => {
      if (!ended && !body.errored) fail(prematureClose());
    });
  });
}

function prematureClose(): Error {
  return Object.assign(new Error('the upstream response closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
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
