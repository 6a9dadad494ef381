/**
 * engine/upstream/upstream-client.ts: transport failures are classified once, here — timeouts
 * become kind "timeout" with status 504, unreachable upstreams kind "network" — and a response
 * body is never read past its size limit. Real sockets on 127.0.0.1 with a scripted node:http
 * server; every wait is bounded.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { classify, readBodyText, UpstreamClient, UpstreamTransportError, type UpstreamTimeouts } from '../../../engine/upstream/upstream-client.js';

const FAST: UpstreamTimeouts = { connectTimeoutMs: 2_000, headersTimeoutMs: 300, bodyTimeoutMs: 300 };
const BOUND_MS = 5_000;

let server: http.Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const size = Number(url.searchParams.get('size') ?? 0);
    switch (url.pathname) {
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end('{"ok":true}');
        return;
      case '/no-headers':
        return; // never answers
      case '/stalled-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        return; // never finishes
      case '/echo-url':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(req.url);
        return;
      case '/sized':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(size) });
        res.end('x'.repeat(size));
        return;
      case '/chunked':
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < size / 1024; i++) res.write('y'.repeat(1024));
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Runs `work` with a fresh client, always closing it; fails the test past BOUND_MS. */
async function withClient<T>(timeouts: UpstreamTimeouts, work: (client: UpstreamClient) => Promise<T>): Promise<T> {
  const client = new UpstreamClient(timeouts);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(client),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no outcome within ${BOUND_MS} ms`)), BOUND_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamTransportError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamTransportError);
  return err as UpstreamTransportError;
}

const get = (client: UpstreamClient, path: string, signal?: AbortSignal) => client.send({ url: base + path, method: 'GET', headers: {}, signal });

describe('classify: transport errors become the failure the error rules see', () => {
  it.each([
    { name: 'a connect timeout', err: new errors.ConnectTimeoutError(), kind: 'timeout', status: 504 },
    { name: 'a headers timeout', err: new errors.HeadersTimeoutError(), kind: 'timeout', status: 504 },
    { name: 'a body timeout', err: new errors.BodyTimeoutError(), kind: 'timeout', status: 504 },
    { name: 'a refused connection', err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), kind: 'network', status: 502 },
    { name: 'a reset connection', err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), kind: 'network', status: 502 },
    { name: 'an unknown host', err: Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' }), kind: 'network', status: 502 },
    { name: 'a socket closed by the upstream', err: new errors.SocketError('other side closed'), kind: 'network', status: 502 },
    { name: 'an aborted request', err: new errors.RequestAbortedError(), kind: 'network', status: 499 },
    { name: 'a DOM AbortError', err: new DOMException('aborted', 'AbortError'), kind: 'network', status: 499 },
    { name: 'something that is not an error', err: 'weird', kind: 'network', status: 502 },
  ])('$name → $kind $status', ({ err, kind, status }) => {
    const failure = classify(err);
    expect(failure).toMatchObject({ kind, status, headers: {} });
    expect(typeof failure.message).toBe('string');
  });
});

describe('send over real sockets', () => {
  it('an answering upstream gives status, lower-cased flattened headers and the body', async () => {
    await withClient(FAST, async (client) => {
      const reply = await get(client, '/json');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['x-multi']).toBe('a, b');
      expect(await readBodyText(reply.body, 1024)).toBe('{"ok":true}');
    });
  });

  it('an upstream slower than the headers timeout is a timeout, status 504', async () => {
    await withClient(FAST, async (client) => {
      const started = Date.now();
      const err = await failureOf(get(client, '/no-headers'));
      expect(err.failure).toMatchObject({ kind: 'timeout', status: 504 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.headersTimeoutMs - 50);
    });
  });

  it('an upstream that stalls mid-body is a timeout, status 504, when the body is read', async () => {
    await withClient(FAST, async (client) => {
      const reply = await get(client, '/stalled-body');
      const err = await failureOf(readBodyText(reply.body, 1024));
      expect(err.failure).toMatchObject({ kind: 'timeout', status: 504 });
    });
  });

  it('a refused connection is a network failure, status 502', async () => {
    // A port that was just free: listen, note it, close.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await withClient(FAST, async (client) => {
      const err = await failureOf(client.send({ url: `http://127.0.0.1:${port}/x`, method: 'POST', headers: {}, body: '{}' }));
      expect(err.failure).toMatchObject({ kind: 'network', status: 502 });
      expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
    });
  });

  it('an aborted call is a network failure with status 499 (the client left)', async () => {
    await withClient({ ...FAST, headersTimeoutMs: 10_000 }, async (client) => {
      const abort = new AbortController();
      const pending = get(client, '/no-headers', abort.signal);
      setTimeout(() => abort.abort(), 50);
      const err = await failureOf(pending);
      expect(err.failure).toMatchObject({ kind: 'network', status: 499 });
    });
  });
});

describe('send: the URL as given', () => {
  it('keeps the query of the URL', async () => {
    await withClient(FAST, async (client) => {
      const reply = await get(client, '/echo-url?api-version=2025-01-01&x=%20y');
      expect(await readBodyText(reply.body, 1024)).toBe('/echo-url?api-version=2025-01-01&x=%20y');
    });
  });

  it('a URL that is not absolute is a network failure, status 502, not a throw past the client', async () => {
    await withClient(FAST, async (client) => {
      const err = await failureOf(client.send({ url: 'not a url', method: 'POST', headers: {}, body: '{}' }));
      expect(err.failure).toMatchObject({ kind: 'network', status: 502 });
    });
  });
});

describe('readBodyText settles however the body ends', () => {
  it('a body destroyed while it is read is the abort it is, status 499', async () => {
    await withClient({ ...FAST, bodyTimeoutMs: 10_000 }, async (client) => {
      const reply = await get(client, '/stalled-body');
      const reading = readBodyText(reply.body, 1024);
      setTimeout(() => reply.body.destroy(), 20);
      const err = await failureOf(reading);
      expect(err.failure).toMatchObject({ kind: 'network', status: 499 });
    });
  });

  it('a body whose call was aborted before it is read is status 499, its error event not left unhandled', async () => {
    await withClient({ ...FAST, bodyTimeoutMs: 10_000 }, async (client) => {
      const abort = new AbortController();
      const reply = await get(client, '/stalled-body', abort.signal);
      abort.abort();
      await new Promise((resolve) => setTimeout(resolve, 20)); // the body's error and close events have fired
      const err = await failureOf(readBodyText(reply.body, 1024));
      expect(err.failure).toMatchObject({ kind: 'network', status: 499 });
    });
  });

  it('a body aborted by the caller while it is read is status 499 (the client left)', async () => {
    await withClient({ ...FAST, bodyTimeoutMs: 10_000 }, async (client) => {
      const abort = new AbortController();
      const reply = await get(client, '/stalled-body', abort.signal);
      const reading = readBodyText(reply.body, 1024);
      setTimeout(() => abort.abort(), 20);
      const err = await failureOf(reading);
      expect(err.failure).toMatchObject({ kind: 'network', status: 499 });
    });
  });
});

describe('readBodyText refuses a body over the limit', () => {
  it.each([
    { name: 'a body of exactly the limit is read', path: '/sized?size=4096', limit: 4096, refused: false },
    { name: 'a body one byte over the limit is refused', path: '/sized?size=4097', limit: 4096, refused: true },
    { name: 'a much larger body is refused', path: '/sized?size=200000', limit: 1024, refused: true },
    { name: 'a chunked body (no content-length) over the limit is refused', path: '/chunked?size=65536', limit: 8192, refused: true },
    { name: 'a chunked body under the limit is read', path: '/chunked?size=4096', limit: 8192, refused: false },
  ])('$name', async ({ path, limit, refused }) => {
    await withClient(FAST, async (client) => {
      const reply = await get(client, path);
      const reading = readBodyText(reply.body, limit);
      if (!refused) {
        expect((await reading).length).toBe(Number(new URL(path, 'http://x').searchParams.get('size')));
        return;
      }
      const err = await failureOf(reading);
      expect(err.failure).toMatchObject({ kind: 'network', status: 502 });
      expect(reply.body.destroyed).toBe(true);
    });
  });
});
