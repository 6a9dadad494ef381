/**
 * engine/server/limits/body-limits.ts: the JSON body parser applies the limit its caller picks per
 * request, and leaves a body unread when told to (a route that streams its upload).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBodyParser } from '../../../engine/server/limits/body-limits.js';

let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  app.use(jsonBodyParser((req) => (req.path === '/small' ? 100 : req.path === '/streamed' ? undefined : 10_000)));
  app.post('/streamed', (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.json({ parsed: req.body !== undefined, bytes }));
  });
  app.post('/{*rest}', (req, res) => res.json({ parsed: req.body }));
  app.use((err: { type?: string; limit?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.type === 'entity.too.large' ? 413 : 400).json({ type: err.type, limit: err.limit });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => server.close(() => r()));
});
afterAll(async () => close?.());

const post = async (path: string, body: string) => {
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.json() };
};

describe('the body limit per route', () => {
  const big = JSON.stringify({ text: 'x'.repeat(500) });

  it.each<{ name: string; path: string; status: number; limit?: number }>([
    { name: 'a body over the small route\'s limit is 413, naming that limit', path: '/small', status: 413, limit: 100 },
    { name: 'the same body is within the large route\'s limit', path: '/large', status: 200 },
  ])('$name', async ({ path, status, limit }) => {
    const answer = await post(path, big);
    expect(answer.status).toBe(status);
    if (limit) expect(answer.body).toEqual({ type: 'entity.too.large', limit });
  });

  it('a route that streams its body gets it unread', async () => {
    expect((await post('/streamed', big)).body).toEqual({ parsed: false, bytes: big.length });
  });
});
