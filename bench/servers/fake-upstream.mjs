/**
 * A fake OpenAI Responses upstream for load tests, on 127.0.0.1 (PORT, default a free port).
 *
 *   POST /v1/responses               → the recorded response body (BENCH_RESPONSE_RECORDING,
 *                                      default vercel-ai/azure-tool-call.1.json), application/json
 *   POST /v1/responses, stream: true → a Responses SSE stream made from a recorded one
 *                                      (BENCH_STREAM_RECORDING, default vercel-ai/azure-text.1.chunks.txt)
 *                                      stretched to N text deltas
 *   POST /v1/generate                → the same for the engine's toy pair (test/fixtures/mini):
 *                                      { output: { text } }, or a stream of delta events then done
 *                                      when the request asks for one (stream: true, or a "stream"
 *                                      label/tag)
 *
 * N comes from the `x-bench-deltas` request header, else from the last IPC message
 * { type: 'set', deltas }, else from BENCH_DELTAS (default 200). The stream keeps the recorded
 * events before the first delta (created, in_progress, output_item.added, content_part.added)
 * and after the last one (the done events and response.completed, with usage), renumbers every
 * sequence_number, and rewrites the final text and usage.output_tokens to match the N deltas.
 * Events are written as `event: <type>\ndata: <json>\n\n`, BENCH_EVENTS_PER_WRITE per write
 * (default 1, like a real upstream flushing each event), as fast as the reader takes them
 * (waiting for 'drain', so a slow reader costs no memory here).
 */
import http from 'node:http';
import { loadJsonRecording, loadStreamRecording } from '../lib/reference.mjs';
import { failStart, serveBenchIpc } from '../lib/child-ipc.mjs';

const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
const MAX_DELTAS = 10_000_000;

const settings = {
  deltas: intFrom(process.env.BENCH_DELTAS, 200),
  eventsPerWrite: Math.max(1, intFrom(process.env.BENCH_EVENTS_PER_WRITE, 1)),
};
const responseName = process.env.BENCH_RESPONSE_RECORDING || 'vercel-ai/azure-tool-call.1.json';
const streamName = process.env.BENCH_STREAM_RECORDING || 'vercel-ai/azure-text.1.chunks.txt';

function intFrom(raw, fallback) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= MAX_DELTAS ? n : fallback;
}

function frame(event) {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Builds the stretched Responses stream from the recorded events; cached per N. */
function responsesStreamPlan(recorded) {
  const isDelta = (e) => e.type === 'response.output_text.delta';
  const first = recorded.findIndex(isDelta);
  if (first === -1) throw new Error(`${streamName} has no response.output_text.delta event to repeat`);
  let last = first;
  for (let i = recorded.length - 1; i > first; i--) if (isDelta(recorded[i])) { last = i; break; }
  const prelude = recorded.slice(0, first).map((e, i) => ({ ...e, sequence_number: i }));
  const delta = recorded[first];
  const recordedText = recorded.slice(first, last + 1).filter(isDelta).map((e) => e.delta).join('');
  const post = recorded.slice(last + 1);

  const SENTINEL = 987_654_321_012;
  const [before, after] = frame({ ...delta, sequence_number: SENTINEL }).split(String(SENTINEL));
  if (after === undefined) throw new Error('could not template the delta event');

  const posts = new Map();
  const postFor = (n) => {
    let text = posts.get(n);
    if (text !== undefined) return text;
    const finalText = delta.delta.repeat(n);
    const rewrite = (value, key) => {
      if (key === 'text' && value === recordedText) return finalText;
      if (Array.isArray(value)) return value.map((v) => rewrite(v));
      if (value && typeof value === 'object') {
        const out = {};
        for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, k);
        if (key === 'usage' && typeof out.output_tokens === 'number') {
          out.output_tokens = n;
          if (typeof out.input_tokens === 'number') out.total_tokens = out.input_tokens + n;
        }
        return out;
      }
      return value;
    };
    text = post.map((e, i) => frame({ ...rewrite(e), sequence_number: prelude.length + n + i })).join('');
    if (posts.size > 8) posts.clear();
    posts.set(n, text);
    return text;
  };
  return {
    prelude: prelude.map(frame).join(''),
    delta: (i) => before + (prelude.length + i) + after,
    post: postFor,
  };
}

function toyStreamPlan() {
  const deltaFrame = frame({ type: 'delta', text: 'Hello' });
  const doneFrame = frame({ type: 'done' });
  return { prelude: '', delta: () => deltaFrame, post: () => doneFrame };
}

const responseBody = Buffer.from(JSON.stringify(loadJsonRecording(responseName)));
const toyBody = Buffer.from(JSON.stringify({ output: { text: 'It is 18 °C and foggy in San Francisco; the rain holds off until Thursday, so no umbrella is needed tomorrow.' } }));
const plans = { responses: responsesStreamPlan(loadStreamRecording(streamName)), toy: toyStreamPlan() };

let requestCount = 0;

function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writeStream(res, plan, n, requestId) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
  if (plan.prelude !== '' && !res.write(plan.prelude)) await drained(res);
  const perWrite = settings.eventsPerWrite;
  let batch = '';
  for (let i = 0; i < n; i++) {
    if (res.destroyed) return;
    batch += plan.delta(i);
    if ((i + 1) % perWrite === 0 || i === n - 1) {
      const ok = res.write(batch);
      batch = '';
      if (!ok) await drained(res);
    }
  }
  if (!res.destroyed) res.end(plan.post(n));
}

function sendJson(res, status, body, requestId) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length, 'x-request-id': requestId });
  res.end(buf);
}

function openAiError(status, message, type = 'invalid_request_error') {
  return { error: { message, type, param: null, code: null } };
}

function handle(req, res, raw) {
  const requestId = `req_bench_${++requestCount}`;
  const route = req.method === 'POST' && req.url === '/v1/responses' ? 'responses' : req.method === 'POST' && req.url === '/v1/generate' ? 'toy' : undefined;
  if (req.method === 'GET' && req.url === '/healthz') return sendJson(res, 200, { status: 'ok' }, requestId);
  if (!route) return sendJson(res, 404, openAiError(404, `fake upstream: no route ${req.method} ${req.url}`), requestId);
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendJson(res, 400, openAiError(400, 'fake upstream: the request body is not JSON'), requestId);
  }
  const wantsStream = body?.stream === true
    || (route === 'toy' && (String(body?.labels ?? '').split(',').includes('stream') || (Array.isArray(body?.tags) && body.tags.includes('stream'))));
  if (!wantsStream) return sendJson(res, 200, route === 'toy' ? toyBody : responseBody, requestId);
  const n = intFrom(req.headers['x-bench-deltas'], settings.deltas);
  writeStream(res, plans[route], n, requestId).catch(() => res.destroy());
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      sendJson(res, 413, openAiError(413, 'fake upstream: request too large'), 'req_bench_too_large');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size <= MAX_REQUEST_BYTES) handle(req, res, Buffer.concat(chunks));
  });
  req.on('error', () => res.destroy());
});
server.keepAliveTimeout = 65_000;
server.requestTimeout = 0;

server.once('error', (err) => failStart('fake-upstream', err));
server.listen(intFrom(process.env.PORT, 0), '127.0.0.1', () => {
  const { port } = server.address();
  serveBenchIpc({
    name: 'fake-upstream',
    url: `http://127.0.0.1:${port}`,
    port,
    onMessage(msg, reply) {
      if (msg?.type === 'set') {
        if (msg.deltas !== undefined) settings.deltas = intFrom(String(msg.deltas), settings.deltas);
        if (msg.eventsPerWrite !== undefined) settings.eventsPerWrite = Math.max(1, intFrom(String(msg.eventsPerWrite), settings.eventsPerWrite));
        reply({ settings: { ...settings }, requests: requestCount });
      } else {
        reply({ error: `unknown message type ${msg?.type}` });
      }
    },
  });
});
