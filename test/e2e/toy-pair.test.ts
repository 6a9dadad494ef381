/**
 * The gateway end to end with the toy pair (test/fixtures/mini): real HTTP on 127.0.0.1 from an
 * undici client, through startGateway, to a small scripted node:http upstream. Covers the whole
 * request path — auth, body limits, validation, both translations, every upstream failure kind,
 * client disconnects — and checks after every case that the process still serves a good request.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import { readConfig } from '../../engine/config/env-config.js';
import { startGateway, type RunningGateway } from '../../engine/server/gateway.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/mini/', import.meta.url));
const TOY_PAIR = 'toy-chat-to-toy-llm';
const UPSTREAM_KEY = 'toy-upstream-secret';
const CLIENT_KEYS = ['client-key-1', 'client-key-2'];
const MAX_BODY_BYTES = 2048;
const HEADERS_TIMEOUT_MS = 400;
/** Upper bound for any single wait in this file. */
const WAIT_MS = 5_000;

const GOOD_REQUEST = { model: 'small-1', prompt: 'hello', tags: ['a', 'b'], limit: 5 };
const MAPPED_REQUEST = { engine: 'tiny', input: 'HELLO!', max: 5, labels: 'a,b' };
const UPSTREAM_ANSWER = { output: { text: 'hi there' } };
const CLIENT_ANSWER = { answer: 'hi there', model: 'small-1' };

// ---------------------------------------------------------------------------------------------
// A scripted upstream

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** Resolves when the upstream's response closes without having been finished (the caller left). */
  abandoned: Promise<void>;
}

type Reply = (seen: SeenRequest, res: http.ServerResponse) => void;

const answerJson: Reply = (_seen, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(UPSTREAM_ANSWER));
};

class ToyUpstream {
  readonly seen: SeenRequest[] = [];
  reply: Reply = answerJson;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        const abandoned = new Promise<void>((resolve) => res.on('close', () => !res.writableFinished && resolve()));
        const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, abandoned };
        this.seen.push(seen);
        for (const wake of this.waiters.splice(0)) wake();
        this.reply(seen, res);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits (bounded) until the upstream has received `count` requests in all. */
  async received(count: number): Promise<SeenRequest> {
    await within(
      new Promise<void>((resolve) => {
        const check = () => (this.seen.length >= count ? resolve() : this.waiters.push(check));
        check();
      }),
      'the upstream to receive the request',
    );
    return this.seen[count - 1];
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Rejects when `promise` takes longer than WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Gateways and a client

const upstream = new ToyUpstream();
const client = new Agent({ keepAliveTimeout: 1_000 });
let open: RunningGateway; // no gateway keys
let keyed: RunningGateway; // GATEWAY_API_KEYS set, default (long) upstream timeouts
let unreachable: RunningGateway; // upstream base URL on a closed port

async function startToyGateway(extra: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    HOST: '127.0.0.1',
    MAPPINGS_DIR: path.join(FIXTURE, 'mappings'),
    SCHEMAS_DIR: path.join(FIXTURE, 'schemas'),
    LOG_LEVEL: 'silent',
    HOT_RELOAD: 'off',
    TOY_KEY: UPSTREAM_KEY,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    ...extra,
  };
  return startGateway(readConfig(env), env);
}

async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const upstreamUrl = await upstream.listen();
  open = await startToyGateway({ TOY_BASE_URL: `${upstreamUrl}/v1`, UPSTREAM_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) });
  keyed = await startToyGateway({ TOY_BASE_URL: `${upstreamUrl}/v1`, GATEWAY_API_KEYS: CLIENT_KEYS.join(',') });
  unreachable = await startToyGateway({ TOY_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1` });
});

afterAll(async () => {
  await Promise.allSettled([open?.close(), keyed?.close(), unreachable?.close()].map((p) => p && within(p, 'a gateway to close')));
  await within(upstream.close(), 'the upstream to close');
  await client.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(gateway: RunningGateway, options: { path?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Answer> {
  const { path: p = '/chat', method = 'POST', body, raw, headers = {}, signal } = options;
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(gateway.url + p, {
    method,
    headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: payload,
    dispatcher: client,
    signal: signal ?? AbortSignal.timeout(WAIT_MS),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The toy inbound API's error shape (schemas/toy-chat/error.json). */
const toyError = (kind: string) => ({ problem: { kind, text: expect.any(String) } });

afterEach(async () => {
  // Whatever the case did, the gateway keeps serving: a good request right after succeeds.
  upstream.reply = answerJson;
  const after = await call(open, { body: GOOD_REQUEST });
  expect(after.status).toBe(200);
  expect(after.body).toEqual(CLIENT_ANSWER);
});

// ---------------------------------------------------------------------------------------------

describe('a good request', () => {
  it('is translated to the upstream API and the answer back to the client API', async () => {
    const before = upstream.seen.length;
    const answer = await call(open, { body: GOOD_REQUEST });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(CLIENT_ANSWER);
    const seen = await upstream.received(before + 1);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v1/generate');
    expect(seen.body).toEqual(MAPPED_REQUEST);
  });

  it('reaches the upstream with the pair\'s authorization and without the client\'s x-api-key', async () => {
    const before = upstream.seen.length;
    const answer = await call(keyed, { body: GOOD_REQUEST, headers: { 'x-api-key': CLIENT_KEYS[0] } });
    expect(answer.status).toBe(200);
    const seen = await upstream.received(before + 1);
    expect(seen.body).toEqual(MAPPED_REQUEST);
    expect(seen.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(CLIENT_KEYS[0]);
  });

  it('reaches the upstream with the pair\'s authorization, not the client\'s Bearer token', async () => {
    const before = upstream.seen.length;
    const answer = await call(keyed, { body: GOOD_REQUEST, headers: { authorization: `Bearer ${CLIENT_KEYS[1]}` } });
    expect(answer.status).toBe(200);
    const seen = await upstream.received(before + 1);
    expect(seen.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen.headers)).not.toContain(CLIENT_KEYS[1]);
  });

  it('with a query string (?beta=true) is served by the same route', async () => {
    const before = upstream.seen.length;
    const answer = await call(open, { path: '/chat?beta=true', body: GOOD_REQUEST });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(CLIENT_ANSWER);
    expect((await upstream.received(before + 1)).url).toBe('/v1/generate');
  });

  it('without optional fields leaves them out of the upstream request', async () => {
    const before = upstream.seen.length;
    const answer = await call(open, { body: { model: 'echo-9', prompt: 'yo' } });
    expect(answer.status).toBe(200);
    expect((await upstream.received(before + 1)).body).toEqual({ engine: 'echo-9', input: 'YO!' });
  });
});

describe('requests the gateway refuses itself (the upstream is never called)', () => {
  const cases: Array<{ name: string; options: Parameters<typeof call>[1]; status: number; kind: string }> = [
    { name: 'a body that is not JSON is 400', options: { raw: '{"model": "small-1", ' }, status: 400, kind: 'bad_input' },
    { name: 'a body that breaks the inbound schema (a missing field) is 400', options: { body: { model: 'small-1' } }, status: 400, kind: 'bad_input' },
    { name: 'a body that breaks the inbound schema (a bad value) is 400', options: { body: { ...GOOD_REQUEST, limit: 0 } }, status: 400, kind: 'bad_input' },
    { name: 'a model no glob maps ($fail not_found) is 404', options: { body: { ...GOOD_REQUEST, model: 'huge-1' } }, status: 404, kind: 'missing' },
    { name: `a body over MAX_BODY_BYTES (${MAX_BODY_BYTES}) is 413`, options: { body: { ...GOOD_REQUEST, prompt: 'x'.repeat(MAX_BODY_BYTES) } }, status: 413, kind: 'broken' },
    { name: 'an unknown route is 404', options: { path: '/nowhere', body: GOOD_REQUEST }, status: 404, kind: 'missing' },
    { name: 'an unknown path below a known one is 404', options: { path: '/chat/extra', body: GOOD_REQUEST }, status: 404, kind: 'missing' },
    { name: 'a wrong method on a known path (GET) is 405', options: { method: 'GET' }, status: 405, kind: 'bad_input' },
    { name: 'a wrong method on a known path (PUT) is 405', options: { method: 'PUT', body: GOOD_REQUEST }, status: 405, kind: 'bad_input' },
  ];

  it.each(cases)('$name, in the toy error shape', async ({ options, status, kind }) => {
    const before = upstream.seen.length;
    const answer = await call(open, options);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(toyError(kind));
    expect(upstream.seen.length).toBe(before);
  });

  it('a schema violation names the path of the bad field', async () => {
    const answer = await call(open, { body: { ...GOOD_REQUEST, limit: 0 } });
    expect(answer.status).toBe(400);
    expect(answer.body.problem.text).toContain('/limit');
  });
});

describe('gateway keys (GATEWAY_API_KEYS set)', () => {
  it.each<{ name: string; headers: Record<string, string>; status: number }>([
    { name: 'no key is 401', headers: {}, status: 401 },
    { name: 'a wrong x-api-key is 401', headers: { 'x-api-key': 'not-a-key' }, status: 401 },
    { name: 'a wrong Bearer token is 401', headers: { authorization: 'Bearer not-a-key' }, status: 401 },
    { name: 'a valid x-api-key is served', headers: { 'x-api-key': CLIENT_KEYS[0] }, status: 200 },
    { name: 'the second valid key as x-api-key is served', headers: { 'x-api-key': CLIENT_KEYS[1] }, status: 200 },
    { name: 'a valid Authorization: Bearer token is served', headers: { authorization: `Bearer ${CLIENT_KEYS[0]}` }, status: 200 },
  ])('$name', async ({ headers, status }) => {
    const before = upstream.seen.length;
    const answer = await call(keyed, { body: GOOD_REQUEST, headers });
    expect(answer.status).toBe(status);
    if (status === 401) {
      expect(answer.body).toEqual(toyError('broken'));
      expect(upstream.seen.length).toBe(before);
    } else {
      expect(answer.body).toEqual(CLIENT_ANSWER);
    }
  });

  it('an unknown route without a key is 401, not 404 (nothing is revealed before auth)', async () => {
    expect((await call(keyed, { path: '/nowhere', body: {} })).status).toBe(401);
  });
});

describe('upstream failures are mapped by errors.upstream', () => {
  it('a 429 with retry-after becomes the pair\'s 429, with the header passed on', async () => {
    upstream.reply = (_seen, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ error: 'slow down' }));
    };
    const answer = await call(open, { body: GOOD_REQUEST });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.body).toEqual(toyError('upstream'));
  });

  it('a 500 becomes the pair\'s 502', async () => {
    upstream.reply = (_seen, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"boom"}');
    };
    const answer = await call(open, { body: GOOD_REQUEST });
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual(toyError('upstream'));
  });

  it('a refused connection becomes the pair\'s network failure (502), promptly', async () => {
    const started = Date.now();
    const answer = await call(unreachable, { body: GOOD_REQUEST });
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual(toyError('upstream'));
    expect(Date.now() - started).toBeLessThan(WAIT_MS);
  });

  it('a 200 whose body is not JSON is an error (502), not a crash', async () => {
    upstream.reply = (_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>gateway of the upstream is down</html>');
    };
    const answer = await call(open, { body: GOOD_REQUEST });
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual(toyError('upstream'));
  });

  it(`an upstream slower than UPSTREAM_HEADERS_TIMEOUT_MS (${HEADERS_TIMEOUT_MS}) is a timeout error, and the upstream call is closed`, async () => {
    const before = upstream.seen.length;
    upstream.reply = () => {
      // never answers
    };
    const started = Date.now();
    const answer = await call(open, { body: GOOD_REQUEST });
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(502); // the toy pair maps every non-429 upstream failure to 502
    expect(answer.body).toEqual(toyError('upstream'));
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(WAIT_MS);
    const seen = await upstream.received(before + 1);
    await within(seen.abandoned, 'the gateway to close the timed-out upstream call');
  });
});

describe('the client disconnecting', () => {
  it('mid-request aborts the upstream request (the upstream sees its call closed)', async () => {
    // On the gateway with the default 10-minute headers timeout: only the client leaving can
    // close this upstream call within the wait.
    const before = upstream.seen.length;
    upstream.reply = () => {
      // holds the call open until the gateway gives up on it
    };
    const abort = new AbortController();
    const pending = call(keyed, { body: GOOD_REQUEST, headers: { 'x-api-key': CLIENT_KEYS[0] }, signal: abort.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    const seen = await upstream.received(before + 1);
    abort.abort();
    expect(await within(pending, 'the client call to end')).toBe('aborted');
    await within(seen.abandoned, 'the upstream call to be aborted');
  });
});

describe('health', () => {
  it('/healthz answers 200 with the served pairs', async () => {
    const answer = await call(open, { path: '/healthz', method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', pairs: [TOY_PAIR] });
  });

  it('/healthz needs no gateway key', async () => {
    expect((await call(keyed, { path: '/healthz', method: 'GET' })).status).toBe(200);
  });
});

describe('after everything above', () => {
  it('a final good request succeeds on every gateway that has a reachable upstream', async () => {
    for (const [gateway, headers] of [
      [open, {}],
      [keyed, { 'x-api-key': CLIENT_KEYS[0] }],
    ] as const) {
      const answer = await call(gateway, { body: GOOD_REQUEST, headers });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(CLIENT_ANSWER);
    }
  });
});
