/**
 * The load generators, all in the bench's own process:
 *   runAutocannon — JSON requests, N connections, for a duration (latencies recorded per response
 *                   in ms with sub-ms resolution; autocannon's own histogram is whole-ms);
 *   runStreams    — N workers, each doing streams back to back until the duration is over,
 *                   reading every SSE event (autocannon cannot count events);
 *   oneJson / oneStream — a single request, for checking what a target answers;
 *   loadGateway   — the bench body against a gateway, JSON or streams (ab.mjs, perf.mjs).
 * Every loop is bounded by a deadline and a count; every request by a timeout.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { anthropicHeaders, anthropicRequestBody } from '../bodies.mjs';
import { SseCounter } from './sse.mjs';
import { Samples } from './stats.mjs';

const PREVIEW_CHARS = 400;

async function readText(body, maxChars) {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length >= maxChars) {
      body.destroy();
      break;
    }
  }
  return text.slice(0, maxChars);
}

const oneLine = (text, max = PREVIEW_CHARS) => text.replace(/\s+/g, ' ').trim().slice(0, max);

export async function oneJson({ url, body, headers, check, timeoutMs = 30_000 }) {
  const t0 = performance.now();
  try {
    const res = await request(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await readText(res.body, 64 * 1024 * 1024);
    const ms = performance.now() - t0;
    if (res.statusCode < 200 || res.statusCode > 299) return { kind: 'non2xx', status: res.statusCode, problem: `HTTP ${res.statusCode}: ${oneLine(text)}` };
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'invalid', status: res.statusCode, problem: `the body is not JSON: ${oneLine(text)}` };
    }
    const problem = check(parsed);
    return { kind: problem ? 'invalid' : 'ok', status: res.statusCode, problem: problem ? `${problem}: ${oneLine(text)}` : undefined, ms, bytes: Buffer.byteLength(text), body: parsed };
  } catch (err) {
    return { kind: 'error', problem: `${err.code ?? err.name}: ${err.message}` };
  }
}

/**
 * One stream, read to the end. `check` = { errorNames, validate(counter) → problem | undefined }.
 * Times in ms from sending the request: headersMs, ttfbMs (first body byte), totalMs.
 */
export async function oneStream({ url, body, headers, check, dispatcher, signal, timeoutMs = 120_000, milestones = [], onMilestone }) {
  const t0 = performance.now();
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  try {
    const res = await request(url, { method: 'POST', body, headers, dispatcher, signal: AbortSignal.any(signals) });
    const headersMs = performance.now() - t0;
    if (res.statusCode !== 200) {
      const text = await readText(res.body, 4096);
      return { kind: 'non2xx', status: res.statusCode, problem: `HTTP ${res.statusCode}: ${oneLine(text)}` };
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (!contentType.includes('text/event-stream')) {
      const text = await readText(res.body, 4096);
      return { kind: 'invalid', status: 200, problem: `not an event stream (content-type "${contentType}"): ${oneLine(text)}` };
    }
    const counter = new SseCounter({ errorNames: check.errorNames });
    // undici's body yields Buffers whatever setEncoding says; decode (UTF-8 safe across chunks).
    const decoder = new TextDecoder();
    let ttfbMs;
    let next = 0; // index of the next milestone (an event count) to report
    for await (const chunk of res.body) {
      if (ttfbMs === undefined) ttfbMs = performance.now() - t0;
      counter.push(decoder.decode(chunk, { stream: true }));
      while (next < milestones.length && counter.events >= milestones[next]) onMilestone?.(milestones[next++], performance.now() - t0);
    }
    const totalMs = performance.now() - t0;
    counter.end();
    const problem = check.validate(counter);
    return { kind: problem ? 'invalid' : 'ok', status: 200, problem, events: counter.events, chars: counter.chars, byName: Object.fromEntries(counter.byName), headersMs, ttfbMs, totalMs };
  } catch (err) {
    return { kind: 'error', problem: `${err.code ?? err.name}: ${err.message}` };
  }
}

export async function runAutocannon({ url, body, headers, connections, durationS }) {
  const latency = new Samples();
  let ok = 0;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon({ url, method: 'POST', body, headers, connections, pipelining: 1, duration: durationS, timeout: 30 }, (err, res) => {
      clearTimeout(guard);
      if (err) reject(err);
      else resolve(res);
    });
    // autocannon stops itself at `duration`; this only guards against it hanging.
    const guard = setTimeout(() => instance.stop(), (durationS + 60) * 1000);
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latency.push(responseTimeMs);
      }
    });
  });
  const elapsedS = result.duration;
  return {
    elapsedS,
    requests: ok,
    reqPerSec: ok / elapsedS,
    latency: latency.summary(),
    bytesPerSec: result.throughput?.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  };
}

export async function runStreams({ url, body, headers, check, workers, durationS, graceS = 60, maxStreams = 1_000_000 }) {
  const dispatcher = new Agent({ connections: workers * 2, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const hard = new AbortController();
  const hardTimer = setTimeout(() => hard.abort(), (durationS + graceS) * 1000);
  const ttfb = new Samples();
  const duration = new Samples();
  const tally = { ok: 0, invalid: 0, non2xx: 0, errors: 0, events: 0, chars: 0 };
  const statusCodes = {};
  const problems = new Map();
  const t0 = performance.now();
  const deadline = t0 + durationS * 1000;
  let started = 0;

  const worker = async () => {
    while (performance.now() < deadline && !hard.signal.aborted && started < maxStreams) {
      started++;
      const r = await oneStream({ url, body, headers, check, dispatcher, signal: hard.signal, timeoutMs: (durationS + graceS) * 1000 });
      if (r.status) statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;
      if (r.kind === 'ok') {
        tally.ok++;
        tally.events += r.events;
        tally.chars += r.chars;
        ttfb.push(r.ttfbMs);
        duration.push(r.totalMs);
      } else {
        tally[r.kind === 'non2xx' ? 'non2xx' : r.kind === 'invalid' ? 'invalid' : 'errors']++;
        problems.set(r.problem, (problems.get(r.problem) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const elapsedS = (performance.now() - t0) / 1000;
  clearTimeout(hardTimer);
  await dispatcher.destroy().catch(() => {});
  return {
    elapsedS,
    streams: tally.ok,
    streamsPerSec: tally.ok / elapsedS,
    events: tally.events,
    eventsPerSec: tally.events / elapsedS,
    eventsPerStream: tally.ok ? tally.events / tally.ok : undefined,
    ttfb: ttfb.summary(),
    streamMs: duration.summary(),
    non2xx: tally.non2xx,
    invalid: tally.invalid,
    errors: tally.errors,
    statusCodes,
    problems: [...problems].slice(0, 5).map(([problem, count]) => ({ count, problem })),
    cutOff: hard.signal.aborted,
  };
}

/**
 * The bench body against a gateway's /v1/messages for `durationS`, as the A/B and perf tools load
 * it: 32 JSON connections (`mode` json) or 32 workers doing streams back to back (stream). Returns
 * how many requests or streams succeeded; any failure (non-2xx, transport error, invalid stream)
 * throws, since figures over failures mean nothing.
 */
export async function loadGateway(mode, gatewayUrl, durationS) {
  const url = `${gatewayUrl}/v1/messages`;
  if (mode === 'json') {
    const r = await runAutocannon({ url, body: anthropicRequestBody(), headers: anthropicHeaders, connections: 32, durationS });
    if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    return r.requests;
  }
  const check = { errorNames: ['error'], validate: () => undefined };
  const r = await runStreams({ url, body: anthropicRequestBody({ stream: true }), headers: anthropicHeaders, check, workers: 32, durationS });
  if (r.non2xx || r.errors || r.invalid) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.invalid} invalid streams`);
  return r.streams;
}
