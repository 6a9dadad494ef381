/**
 * A scriptable fake OpenAI-style upstream for tests, on 127.0.0.1 with a random port.
 *
 *   const up = await startFakeUpstream();
 *   up.enqueue({ sse: events }, { error: { status: 429, headers: { 'retry-after': '1' } } });
 *   ... point the gateway at up.url (http://127.0.0.1:PORT/v1) ...
 *   expect(up.requests[0].body).toMatchObject({ stream: true });
 *   await up.close();
 *
 * Each incoming request takes the next queued reply, else the default reply, else gets a 500
 * with an OpenAI-shaped error body saying that nothing was scripted.
 *
 * Times reported by the fake (`receivedAt`, `aborted`, `closed`, `firstEventSent`) are
 * `performance.now()` values of this process, so they compare directly with
 * `performance.now()` taken in the test.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Recording, SseFrame } from './reference.js';

// ---------------------------------------------------------------------------
// SSE encoding

/** An SSE frame written exactly as given (raw data string, optional event name). */
export class RawSseFrame implements SseFrame {
  constructor(
    readonly data: string,
    readonly event?: string,
  ) {}
}

/** Wrap recorded frames so they are replayed byte-for-byte. */
export function rawSse(frames: readonly SseFrame[]): RawSseFrame[] {
  return frames.map((f) => new RawSseFrame(f.data, f.event));
}

/**
 * An item of an `sse` reply:
 *  - a `RawSseFrame`: written as is;
 *  - a string: written as a bare data payload (`data: [DONE]`);
 *  - an object with a string `type`: `event: <type>\ndata: <JSON>` (OpenAI Responses / Anthropic framing);
 *  - any other object: `data: <JSON>` (Chat Completions framing).
 */
export type SseItem = RawSseFrame | string | object;

export function encodeSseItem(item: SseItem): string {
  let event: string | undefined;
  let data: string;
  if (item instanceof RawSseFrame) {
    event = item.event;
    data = item.data;
  } else if (typeof item === 'string') {
    data = item;
  } else {
    const t = (item as { type?: unknown }).type;
    if (typeof t === 'string') event = t;
    data = JSON.stringify(item);
  }
  let out = event !== undefined ? `event: ${event}\n` : '';
  for (const line of data.split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}

export function encodeSse(items: readonly SseItem[]): string {
  return items.map(encodeSseItem).join('');
}

// ---------------------------------------------------------------------------
// Replies

type Headers = Record<string, string>;

export interface JsonReply {
  json: unknown;
  status?: number;
  headers?: Headers;
}
export interface SseReply {
  sse: readonly SseItem[];
  status?: number;
  /** Delay before each event after the first. */
  delayMs?: number;
  headers?: Headers;
  /** Send the first event, then hold the rest until `upstream.release()`. */
  gate?: boolean;
}
export interface ErrorReply {
  error: { status: number; body?: unknown; headers?: Headers };
}
export interface ResetBeforeHeaders {
  fault: 'reset-before-headers';
}
export interface CutAfter {
  fault: 'cut-after';
  events: readonly SseItem[];
  after: number;
  delayMs?: number;
  headers?: Headers;
}
export interface SilenceAfter {
  fault: 'silence-after';
  events: readonly SseItem[];
  after: number;
  delayMs?: number;
  headers?: Headers;
}
export interface SlowHeaders {
  fault: 'slow-headers';
  delayMs: number;
  reply: Reply;
}
export interface MalformedSse {
  fault: 'malformed-sse';
  raw: string;
  status?: number;
  headers?: Headers;
}
export interface MalformedJson {
  fault: 'malformed-json';
  raw: string;
  status?: number;
  headers?: Headers;
}
export type FaultReply = ResetBeforeHeaders | CutAfter | SilenceAfter | SlowHeaders | MalformedSse | MalformedJson;
/** A reply, or a function computing one from the received request. */
export type Reply =
  | JsonReply
  | SseReply
  | ErrorReply
  | FaultReply
  | ((req: ReceivedRequest) => Reply | Promise<Reply>);

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json';

// ---------------------------------------------------------------------------
// Requests

export interface CloseInfo {
  /** performance.now() when the response/connection closed. */
  at: number;
  /** `complete`: the reply was fully sent; `client`: the client went away first; `fake`: the fake cut it (fault or close()). */
  by: 'complete' | 'client' | 'fake';
}

export interface ReceivedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  /** Path and query as sent, e.g. `/v1/responses?x=1`. */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: string;
  /** The JSON-parsed body, or undefined if it was empty or not JSON. */
  body: unknown;
  /** performance.now() when the request (with its body) had arrived. */
  receivedAt: number;
  /** Resolves when this exchange ends, however it ends. */
  closed: Promise<CloseInfo>;
  /**
   * Resolves with performance.now() when the client (the gateway) closed the connection before the
   * reply was complete. Never resolves otherwise: wrap it in `withTimeout`.
   */
  aborted: Promise<number>;
}

export interface FakeUpstream {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  enqueue(...replies: Reply[]): void;
  /** Reply used when the queue is empty (`undefined` clears it). */
  setDefault(reply: Reply | undefined): void;
  /** Replies still queued. */
  pending(): number;
  /** Resolves (with performance.now()) when the next gated reply to be released has sent its first event. */
  readonly firstEventSent: Promise<number>;
  /** Release the oldest gated reply that has not been released yet (may be called before it starts). */
  release(): void;
  /** Wait until request `index` (default: the next one) has arrived. */
  waitForRequest(index?: number, timeoutMs?: number): Promise<ReceivedRequest>;
  /** Clear queue, default and recorded requests. */
  reset(): void;
  /** Close the server and every open connection (held streams are cut). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Utilities

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Bound a wait: rejects with a TimeoutError naming `what` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function newRequestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

/** An OpenAI-shaped error body for a status. */
export function openAiErrorBody(status: number, message?: string): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const table: Record<number, [string, string | null, string]> = {
    400: ['invalid_request_error', null, 'Invalid request.'],
    401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
    403: ['invalid_request_error', 'unsupported_country_region_territory', 'Country, region, or territory not supported.'],
    404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
    429: ['rate_limit_error', 'rate_limit_exceeded', 'Rate limit reached. Please try again later.'],
    500: ['server_error', null, 'The server had an error while processing your request.'],
    503: ['service_unavailable_error', 'server_is_overloaded', 'The server is overloaded. Please try again later.'],
  };
  const [type, code, text] = table[status] ?? (status >= 500 ? table[500] : table[400]);
  return { error: { message: message ?? text, type, param: null, code } };
}

/** Recorded headers that a replay may carry (content framing headers are the fake's own business). */
const PASSTHROUGH_HEADER = /^(x-request-id|request-id|openai-organization|openai-processing-ms|openai-version|openai-project|retry-after|retry-after-ms|x-ratelimit-.*|anthropic-ratelimit-.*|x-should-retry)$/;

/** Turn a `listRecordings` entry into a reply that replays it unchanged. */
export function replyFromRecording(rec: Recording, opts: { delayMs?: number; gate?: boolean } = {}): Reply {
  const headers: Headers = {};
  for (const [k, v] of Object.entries(rec.headers ?? {})) if (PASSTHROUGH_HEADER.test(k)) headers[k] = v;
  switch (rec.kind) {
    case 'json':
      return { json: rec.body, status: rec.status, headers };
    case 'error':
      return { error: { status: rec.status, body: rec.body, headers } };
    case 'stream': {
      if (!rec.frames) throw new Error(`recording ${rec.name} has no frames`);
      return { sse: rawSse(rec.frames), status: rec.status, headers, delayMs: opts.delayMs, gate: opts.gate };
    }
  }
}

function isFunctionReply(r: Reply): r is (req: ReceivedRequest) => Reply | Promise<Reply> {
  return typeof r === 'function';
}

class Gate {
  resolveFirst!: (t: number) => void;
  readonly firstEventSent = new Promise<number>((r) => (this.resolveFirst = r));
  private resolveRelease!: () => void;
  readonly released = new Promise<void>((r) => (this.resolveRelease = r));
  release(): void {
    this.resolveRelease();
  }
}

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  socket: Socket;
  rec?: ReceivedRequest;
  startedAt: number;
  cutByFake: boolean;
  /** Resolves when the response closes. */
  gone: Promise<void>;
  isGone: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------
// Server

class FakeUpstreamImpl implements FakeUpstream {
  url = '';
  origin = '';
  port = 0;
  readonly requests: ReceivedRequest[] = [];
  private queue: Reply[] = [];
  private defaultReply: Reply | undefined;
  private gates: Gate[] = [];
  private claimCursor = 0;
  private releaseCursor = 0;
  private waiters: Array<{ index: number; resolve: (r: ReceivedRequest) => void }> = [];
  private exchanges = new Set<Exchange>();
  private closing = false;
  readonly server: http.Server;

  constructor() {
    this.server = http.createServer({ noDelay: true }, (req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        // A bug in a scripted reply: surface it to the client as a 500 if still possible.
        if (!res.headersSent && !res.destroyed) {
          const body = JSON.stringify(openAiErrorBody(500, `fake upstream: reply failed: ${String(err)}`));
          res.writeHead(500, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } else res.destroy();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('fake upstream: no TCP address');
    this.port = addr.port;
    this.origin = `http://127.0.0.1:${addr.port}`;
    this.url = `${this.origin}/v1`;
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }
  setDefault(reply: Reply | undefined): void {
    this.defaultReply = reply;
  }
  pending(): number {
    return this.queue.length;
  }
  private gateAt(i: number): Gate {
    while (this.gates.length <= i) this.gates.push(new Gate());
    return this.gates[i];
  }
  get firstEventSent(): Promise<number> {
    return this.gateAt(this.releaseCursor).firstEventSent;
  }
  release(): void {
    this.gateAt(this.releaseCursor++).release();
  }
  waitForRequest(index = this.requests.length, timeoutMs = 5000): Promise<ReceivedRequest> {
    const have = this.requests[index];
    if (have) return Promise.resolve(have);
    const p = new Promise<ReceivedRequest>((resolve) => this.waiters.push({ index, resolve }));
    return withTimeout(p, timeoutMs, `request #${index} at the fake upstream (${this.requests.length} received so far)`);
  }
  reset(): void {
    this.queue = [];
    this.defaultReply = undefined;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const g of this.gates) g.release();
    for (const ex of this.exchanges) {
      ex.cutByFake = true;
      ex.socket.destroy();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -- one exchange --------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const socket = req.socket;
    let markGone!: () => void;
    const ex: Exchange = {
      req,
      res,
      socket,
      startedAt: performance.now(),
      cutByFake: false,
      gone: new Promise<void>((r) => (markGone = r)),
      isGone: false,
    };
    this.exchanges.add(ex);

    let resolveClosed!: (c: CloseInfo) => void;
    let resolveAborted!: (t: number) => void;
    const closed = new Promise<CloseInfo>((r) => (resolveClosed = r));
    const aborted = new Promise<number>((r) => (resolveAborted = r));
    res.on('close', () => {
      const at = performance.now();
      ex.isGone = true;
      this.exchanges.delete(ex);
      const by: CloseInfo['by'] = res.writableFinished ? 'complete' : ex.cutByFake ? 'fake' : 'client';
      resolveClosed({ at, by });
      if (by === 'client') resolveAborted(at);
      markGone();
    });

    // Read the whole body.
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      /* client went away while sending; record what arrived */
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string> = {};
    u.searchParams.forEach((v, k) => (query[k] = v));
    const rec: ReceivedRequest = {
      index: this.requests.length,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: u.pathname,
      query,
      headers,
      rawBody,
      body,
      receivedAt: performance.now(),
      closed,
      aborted,
    };
    ex.rec = rec;
    this.requests.push(rec);
    this.waiters = this.waiters.filter((w) => {
      if (w.index === rec.index) {
        w.resolve(rec);
        return false;
      }
      return true;
    });

    const reply = this.queue.length > 0 ? this.queue.shift() : this.defaultReply;
    if (ex.isGone) return;
    if (reply === undefined) {
      this.sendJson(
        ex,
        500,
        openAiErrorBody(
          500,
          `fake upstream: no reply scripted for ${rec.method} ${rec.url} (request #${rec.index}); call enqueue() or setDefault() in the test`,
        ),
        { 'x-fake-upstream': 'unscripted' },
      );
      return;
    }
    await this.play(ex, reply);
  }

  private baseHeaders(ex: Exchange, contentType: string, extra?: Headers): Headers {
    const h: Headers = {
      'content-type': contentType,
      'x-request-id': newRequestId(),
      'openai-processing-ms': String(Math.max(1, Math.round(performance.now() - ex.startedAt))),
      'openai-version': '2020-10-01',
    };
    for (const [k, v] of Object.entries(extra ?? {})) h[k.toLowerCase()] = v;
    return h;
  }

  private sendJson(ex: Exchange, status: number, value: unknown, headers?: Headers): void {
    this.sendText(ex, status, JSON_CONTENT_TYPE, JSON.stringify(value), headers);
  }

  private sendText(ex: Exchange, status: number, contentType: string, text: string, headers?: Headers): void {
    if (ex.isGone) return;
    const h = this.baseHeaders(ex, contentType, headers);
    h['content-length'] = String(Buffer.byteLength(text));
    ex.res.writeHead(status, h);
    ex.res.end(text);
  }

  /** Wait `ms`, or less if the exchange ends meanwhile. Returns false if it ended. */
  private async pause(ex: Exchange, ms: number): Promise<boolean> {
    if (ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ex.gone, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    }
    return !ex.isGone && !this.closing;
  }

  private startStream(ex: Exchange, status: number, headers?: Headers): boolean {
    if (ex.isGone) return false;
    ex.res.writeHead(status, this.baseHeaders(ex, SSE_CONTENT_TYPE, headers));
    ex.res.flushHeaders();
    return true;
  }

  /** Write one chunk and wait until it is handed to the socket. Returns false if the exchange ended. */
  private async write(ex: Exchange, chunk: string): Promise<boolean> {
    if (ex.isGone || ex.res.destroyed) return false;
    await Promise.race([new Promise<void>((r) => ex.res.write(chunk, () => r())), ex.gone]);
    return !ex.isGone;
  }

  /** Write events[0..count) with `delayMs` between them; optional gate after the first. */
  private async writeEvents(ex: Exchange, events: readonly SseItem[], count: number, delayMs = 0, gate?: Gate): Promise<boolean> {
    for (let i = 0; i < count; i++) {
      if (i > 0 && delayMs > 0 && !(await this.pause(ex, delayMs))) return false;
      if (!(await this.write(ex, encodeSseItem(events[i])))) return false;
      if (i === 0 && gate) {
        gate.resolveFirst(performance.now());
        await Promise.race([gate.released, ex.gone]);
        if (ex.isGone) return false;
      }
    }
    if (count === 0 && gate) {
      gate.resolveFirst(performance.now());
      await Promise.race([gate.released, ex.gone]);
    }
    return !ex.isGone;
  }

  private cut(ex: Exchange, reset: boolean): void {
    ex.cutByFake = true;
    if (reset && typeof ex.socket.resetAndDestroy === 'function') ex.socket.resetAndDestroy();
    else ex.socket.destroy();
  }

  private async play(ex: Exchange, reply: Reply): Promise<void> {
    if (isFunctionReply(reply)) {
      if (!ex.rec) throw new Error('function reply without request');
      return this.play(ex, await reply(ex.rec));
    }
    if ('json' in reply) {
      this.sendJson(ex, reply.status ?? 200, reply.json, reply.headers);
      return;
    }
    if ('error' in reply) {
      const { status, body, headers } = reply.error;
      this.sendJson(ex, status, body ?? openAiErrorBody(status), headers);
      return;
    }
    if ('sse' in reply) {
      const gate = reply.gate ? this.gateAt(this.claimCursor++) : undefined;
      if (!this.startStream(ex, reply.status ?? 200, reply.headers)) return;
      if (await this.writeEvents(ex, reply.sse, reply.sse.length, reply.delayMs, gate)) ex.res.end();
      return;
    }
    switch (reply.fault) {
      case 'reset-before-headers':
        this.cut(ex, true);
        return;
      case 'cut-after': {
        if (!this.startStream(ex, 200, reply.headers)) return;
        const n = Math.min(reply.after, reply.events.length);
        if (await this.writeEvents(ex, reply.events, n, reply.delayMs)) this.cut(ex, false);
        return;
      }
      case 'silence-after': {
        if (!this.startStream(ex, 200, reply.headers)) return;
        const n = Math.min(reply.after, reply.events.length);
        if (await this.writeEvents(ex, reply.events, n, reply.delayMs)) await ex.gone; // until the client or close() ends it
        return;
      }
      case 'slow-headers':
        if (await this.pause(ex, reply.delayMs)) await this.play(ex, reply.reply);
        return;
      case 'malformed-sse':
        if (!this.startStream(ex, reply.status ?? 200, reply.headers)) return;
        if (await this.write(ex, reply.raw)) ex.res.end();
        return;
      case 'malformed-json':
        this.sendText(ex, reply.status ?? 200, JSON_CONTENT_TYPE, reply.raw, reply.headers);
        return;
      default: {
        const never: never = reply;
        throw new Error(`fake upstream: unknown reply ${JSON.stringify(never)}`);
      }
    }
  }
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const up = new FakeUpstreamImpl();
  await up.listen();
  return up;
}
