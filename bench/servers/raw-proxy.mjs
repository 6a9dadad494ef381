/**
 * The baseline: a raw pass-through proxy. Any POST is forwarded, body unchanged (streamed, not
 * parsed), to BENCH_UPSTREAM_URL + BENCH_UPSTREAM_PATH (default /v1/responses) through one
 * keep-alive undici Pool, with the upstream key as a bearer token; the upstream's status,
 * content-type, content-length (when it sends one) and x-request-id come back, and its body is
 * piped through with back-pressure. No translation, no validation, no logging: what any
 * proxy in front of the upstream costs, which is what the gateway is compared with.
 */
import http from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { acceptPost, failStart, listenProxy } from '../lib/child-ipc.mjs';

const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
const upstreamPath = process.env.BENCH_UPSTREAM_PATH || '/v1/responses';
const upstreamKey = process.env.OPENAI_API_KEY || 'bench-key';
if (!upstreamUrl) failStart('raw-proxy', new Error('BENCH_UPSTREAM_URL is not set'));

const pool = new Pool(upstreamUrl, {
  connections: 256,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 600_000,
  bodyTimeout: 300_000,
});

const server = http.createServer((req, res) => {
  const abort = acceptPost(req, res);
  if (!abort) return;
  const headers = { 'content-type': req.headers['content-type'] || 'application/json', authorization: `Bearer ${upstreamKey}` };
  if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
  pool.request({ path: upstreamPath, method: 'POST', headers, body: req, signal: abort.signal }).then(
    ({ statusCode, headers: up, body }) => {
      const out = {};
      if (up['content-type']) out['content-type'] = up['content-type'];
      if (up['content-length']) out['content-length'] = up['content-length'];
      if (up['x-request-id']) out['x-request-id'] = up['x-request-id'];
      if (up['cache-control']) out['cache-control'] = up['cache-control'];
      res.writeHead(statusCode, out);
      pipeline(body, res, () => {});
    },
    (err) => {
      if (abort.signal.aborted) return;
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `raw proxy: upstream failed: ${err.code || err.message}` } }));
    },
  );
});
listenProxy(server, 'raw-proxy');
