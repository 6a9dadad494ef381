/**
 * What the JSON floor proxy does with a request (servers/json-floor-proxy.mjs, and in process in
 * layers.mjs): the least any gateway that reads the bodies must do — parse and re-serialise the
 * request, a JSON answer, and every event of a stream (one write per upstream chunk).
 */
import { createParser } from 'eventsource-parser';
import { acceptPost } from './child-ipc.mjs';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

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

/**
 * The floor proxy's request handler: `pool` is an undici Pool (or Client) on the upstream origin,
 * every POST is forwarded to `upstreamPath` with `upstreamKey` as a bearer token.
 */
export function jsonFloorHandler({ pool, upstreamPath, upstreamKey }) {
  return async (req, res) => {
    const abort = acceptPost(req, res);
    if (!abort) return;
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
  };
}
