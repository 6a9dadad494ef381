/**
 * A second baseline: the least any gateway that understands the bodies must do. Like the raw
 * proxy it forwards any POST to BENCH_UPSTREAM_URL + BENCH_UPSTREAM_PATH through one keep-alive
 * undici Pool, but it reads what passes: the request body is parsed and serialised again, a JSON
 * answer likewise, and an event stream is parsed event by event (eventsource-parser), each
 * event's data parsed and serialised again and written back in SSE framing, one write per
 * upstream chunk. No translation, no validation, no framework, no logging.
 *
 * Between the raw proxy and this one lies the price of reading JSON at all; between this one and
 * the gateway, the price of everything the gateway does on top (routing, validation, the rules,
 * errors, metrics). The gateway cannot be faster than this floor.
 */
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { failStart, listenProxy } from '../lib/child-ipc.mjs';

const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
const upstreamPath = process.env.BENCH_UPSTREAM_PATH || '/v1/responses';
const upstreamKey = process.env.OPENAI_API_KEY || 'bench-key';
if (!upstreamUrl) failStart('json-floor-proxy', new Error('BENCH_UPSTREAM_URL is not set'));

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const pool = new Pool(upstreamUrl, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 600_000, bodyTimeout: 300_000 });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function relayEvents(body, res) {
  let out = '';
  const parser = createParser({
    onEvent: (event) => {
      const data = JSON.stringify(JSON.parse(event.data));
      out += event.event ? `event: ${event.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (out !== '') {
      const ok = res.write(out);
      out = '';
      if (!ok) await new Promise((resolve) => res.once('drain', resolve));
    }
  }
  res.end();
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"POST only"}');
    return;
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const payload = JSON.stringify(JSON.parse(await readBody(req)));
    const { statusCode, headers, body } = await pool.request({
      path: upstreamPath,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${upstreamKey}` },
      body: payload,
      signal: abort.signal,
    });
    const type = String(headers['content-type'] ?? '');
    if (type.startsWith('text/event-stream')) {
      res.writeHead(statusCode, { 'content-type': type, 'cache-control': 'no-cache' });
      await relayEvents(body, res);
      return;
    }
    const text = JSON.stringify(JSON.parse(await body.text()));
    res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } catch (err) {
    if (abort.signal.aborted) return;
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `json floor proxy: ${err.code || err.message}` } }));
  }
});
listenProxy(server, 'json-floor-proxy');
