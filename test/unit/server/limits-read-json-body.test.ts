/**
 * engine/server/limits/read-json-body.ts: the gateway's one body reader. Bodies are sent over a
 * real loopback socket (node:http), as a client sends them, and the answer is the parsed body or
 * the catalogue code the reader failed with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../engine/errors/gateway-error.js';
import { readJsonBody } from '../../../engine/server/limits/read-json-body.js';

const LIMIT = 1000;
let url: string;
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    readJsonBody(req, LIMIT).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body })),
      (err: unknown) => {
        const code = err instanceof GatewayError ? err.code : `not a GatewayError: ${String(err)}`;
        res.writeHead(err instanceof GatewayError ? err.status : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message: (err as Error).message }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: { body?: unknown; code?: string; message?: string } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: response.status, json: (await response.json()) as { body?: unknown; code?: string; message?: string } };
}

const value = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hé ✓' }] };

describe('what is read', () => {
  it('a JSON object, UTF-8 text intact', async () => {
    expect(await post(JSON.stringify(value))).toEqual({ status: 200, json: { body: value } });
  });

  it('a top-level array', async () => {
    expect((await post('[1,2]')).json.body).toEqual([1, 2]);
  });

  it('an empty body reads as {} (schema validation then names what is missing)', async () => {
    expect((await post('')).json.body).toEqual({});
    expect((await post(' \n')).json.body).toEqual({});
  });

  it('a UTF-8 byte order mark is skipped', async () => {
    expect((await post(`\uFEFF${JSON.stringify(value)}`)).json.body).toEqual(value);
  });

  it('no content type, or another one, is read as JSON all the same', async () => {
    expect((await post(JSON.stringify(value), { 'content-type': 'text/plain' })).json.body).toEqual(value);
  });

  it('charset=utf-8 is accepted', async () => {
    expect((await post(JSON.stringify(value), { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(200);
  });

  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['br', zlib.brotliCompressSync],
  ] as const)('a %s body is decompressed', async (encoding, compress) => {
    expect(await post(compress(Buffer.from(JSON.stringify(value))), { 'content-encoding': encoding })).toEqual({ status: 200, json: { body: value } });
  });
});

describe('what is refused, with which code', () => {
  it.each<{ name: string; body: string; code: string; status: number; message: RegExp }>([
    { name: 'text that is not JSON', body: '{"model": ', code: 'GW_ERR_BAD_JSON', status: 400, message: /not valid JSON/ },
    { name: 'a JSON string at the top', body: '"hello"', code: 'GW_ERR_BAD_JSON', status: 400, message: /must be an object or an array/ },
    { name: 'a JSON number at the top', body: '42', code: 'GW_ERR_BAD_JSON', status: 400, message: /must be an object or an array/ },
  ])('$name: $code', async ({ body, code, status, message }) => {
    const answer = await post(body);
    expect(answer.status).toBe(status);
    expect(answer.json.code).toBe(code);
    expect(answer.json.message).toMatch(message);
  });

  it('a body over the limit: 413 naming the limit, from content-length alone', async () => {
    const answer = await post(JSON.stringify({ text: 'x'.repeat(LIMIT) }));
    expect(answer).toEqual({ status: 413, json: { code: 'GW_ERR_BODY_TOO_LARGE', message: `request body is larger than ${LIMIT} bytes` } });
  });

  it('a chunked body (no content-length) over the limit: 413 while reading', async () => {
    const chunks = (async function* () {
      for (let i = 0; i < 20; i++) yield Buffer.from('x'.repeat(100));
    })();
    const response = await fetch(url, { method: 'POST', body: chunks as unknown as BodyInit, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('GW_ERR_BODY_TOO_LARGE');
  });

  it('a compressed body that expands past the limit: 413 (the limit counts decompressed bytes)', async () => {
    const bomb = zlib.gzipSync(Buffer.from(JSON.stringify({ text: ' '.repeat(100 * LIMIT) })));
    expect(bomb.length).toBeLessThan(LIMIT);
    const answer = await post(bomb, { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(answer.json.code).toBe('GW_ERR_BODY_TOO_LARGE');
  });

  it('a body that says gzip but is not: 400', async () => {
    const answer = await post(JSON.stringify(value), { 'content-encoding': 'gzip' });
    expect(answer).toMatchObject({ status: 400, json: { code: 'GW_ERR_BAD_JSON', message: 'request body is not valid gzip data' } });
  });

  it('an unknown content encoding: 415', async () => {
    expect(await post(JSON.stringify(value), { 'content-encoding': 'zstd' })).toMatchObject({ status: 415, json: { code: 'GW_ERR_UNSUPPORTED_MEDIA' } });
  });

  it('a charset other than UTF-8: 415', async () => {
    const answer = await post(JSON.stringify(value), { 'content-type': 'application/json; charset=latin1' });
    expect(answer).toMatchObject({ status: 415, json: { code: 'GW_ERR_UNSUPPORTED_MEDIA', message: 'unsupported charset "latin1": send the body as UTF-8' } });
  });

  it('the server keeps serving after all of the above', async () => {
    expect((await post('{}')).json.body).toEqual({});
  });
});
