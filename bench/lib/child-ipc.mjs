/**
 * The server side of the bench's process protocol. Every bench server runs in its own child
 * process so its memory is its own; this module samples the process's RSS every 100 ms and
 * answers the parent over IPC:
 *   { type: 'mark', id, gc }   → forget the peak and the samples (after a forced GC if asked
 *                                and --expose-gc is on); answers { rss, heapUsed }
 *   { type: 'peak', id, samples, gcAfter }
 *                              → { peak, rss, heapUsed, hwm, cpuMs, samples? } since the last mark
 *                                (samples are [ms since mark, rss, heapUsed]); with gcAfter, also
 *                                { rssAfterGc, heapAfterGc } measured after a forced GC
 *   { type: 'gc', id }         → a forced GC now; answers { rss, heapUsed } after it
 *   anything else              → handed to `onMessage(msg, reply)`
 * It prints `<name> listening on <url>` on stdout, so the servers can also be run by hand.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const SAMPLE_EVERY_MS = 100;
const MAX_SAMPLES = 20_000; // 33 minutes at 10 Hz; later samples still count towards the peak

function vmHwmBytes() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function serveBenchIpc({ name, url, port, onMessage }) {
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  let peak = 0;
  let samples = [];
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > peak) peak = rss;
    if (samples.length < MAX_SAMPLES) samples.push([Math.round(performance.now() - t0), rss, heapUsed]);
    return { rss, heapUsed };
  };
  setInterval(sample, SAMPLE_EVERY_MS).unref();
  sample();

  console.log(`${name} listening on ${url} (port ${port}, pid ${process.pid})`);
  if (!process.send) return;

  process.on('message', (msg) => {
    const reply = (payload) => process.send({ type: 'reply', id: msg.id, ...payload });
    if (msg?.type === 'mark') {
      if (msg.gc && typeof globalThis.gc === 'function') globalThis.gc();
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      peak = 0;
      samples = [];
      reply(sample());
    } else if (msg?.type === 'peak') {
      const now = sample();
      const cpu = process.cpuUsage(cpu0);
      const out = { peak, ...now, hwm: vmHwmBytes(), cpuMs: (cpu.user + cpu.system) / 1000, ...(msg.samples ? { samples } : {}) };
      if (msg.gcAfter && typeof globalThis.gc === 'function') {
        globalThis.gc();
        const after = process.memoryUsage();
        out.rssAfterGc = after.rss;
        out.heapAfterGc = after.heapUsed;
      }
      reply(out);
    } else if (msg?.type === 'gc') {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      const { rss, heapUsed } = process.memoryUsage();
      reply({ rss, heapUsed, gc: typeof globalThis.gc === 'function' });
    } else if (onMessage) {
      onMessage(msg, reply);
    } else {
      reply({ error: `unknown message type ${msg?.type}` });
    }
  });
  // The parent went away: do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', name, url, port, pid: process.pid });
}

/** Tell the parent a server could not start, then exit. */
export function failStart(name, err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`${name} could not start: ${message}`);
  if (process.send) process.send({ type: 'fatal', name, message }, () => process.exit(1));
  else process.exit(1);
}

/**
 * Serves a baseline proxy's node:http server on a free loopback port, with the timeouts a proxy
 * of long streams needs, and reports it ready over IPC.
 */
export function listenProxy(server, name) {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.once('error', (err) => failStart(name, err));
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    serveBenchIpc({ name, url: `http://127.0.0.1:${port}`, port });
  });
}

/**
 * The opening every baseline proxy shares: anything but a POST gets a 405 (and undefined);
 * a POST gets an AbortController that fires when the client goes away before the answer ended.
 */
export function acceptPost(req, res) {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"POST only"}');
    return undefined;
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort;
}
