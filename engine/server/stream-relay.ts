/**
 * The streaming loop: upstream SSE in, translated SSE out, event by event. It owns what the rules
 * must not: parsing (eventsource-parser, with a cap on how much may pile up without completing an
 * event), the upstream's end marker (e.g. `data: [DONE]`), framing, one write per upstream chunk, back-pressure (wait for 'drain' before reading
 * on), pings during long silences, and the failure cases — a cut, a silence past the idle timeout,
 * malformed data, a rule failure — each of which becomes the pair's `on_error` events rather than
 * a hung or truncated stream.
 */
import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ErrorCode } from '../errors/gateway-error.js';
import { ERROR_CATALOGUE, GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { StreamProgram, StreamStep } from '../translate/stream-program.js';
import { classify, type UpstreamReply } from '../upstream/upstream-client.js';

export interface RelayOptions {
  pingIntervalMs: number;
  /** Most bytes the parser may hold without completing an event. */
  maxEventBytes: number;
  /** Aborts the upstream request (the client left, or the rules finished early). */
  abort: AbortController;
  log: Logger;
  /** Hears how many translated events (pings excluded) are about to be written (metrics). */
  onEvents?: (count: number) => void;
}

/** Most translated events held before a write when one upstream chunk carries many. */
const EVENTS_PER_WRITE = 16;

class StreamFault extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

export async function relayStream(res: ServerResponse, reply: UpstreamReply, program: StreamProgram, inbound: unknown, options: RelayOptions): Promise<void> {
  const { abort, log } = options;
  res.statusCode = 200;
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-accel-buffering', 'no'); // proxies must not hold events back
  res.flushHeaders();

  const frame = createFramer(program);
  let state: unknown = await program.init(inbound);
  let started = false;
  let finished = false;
  let lastWrite = Date.now();
  let uncounted = 0;

  // Writes are corked until the current burst of work is over (process.nextTick runs once the
  // promise jobs queued now have run): every event translated from the chunks already received
  // goes out in one write, the way a piped proxy's writes coalesce, instead of one syscall each.
  let corked = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    res.uncork();
  };
  /** Writes a frame; a Promise only when the client is slower than the stream (wait for 'drain'). */
  const write = (text: string): Promise<void> | undefined => {
    if (text === '' || res.destroyed) return undefined;
    lastWrite = Date.now();
    if (uncounted > 0) {
      options.onEvents?.(uncounted);
      uncounted = 0;
    }
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    return res.write(text) ? undefined : drained(res);
  };
  const apply = (step: StreamStep): string => {
    state = step.state;
    if (step.emit.length > 0) {
      started = true;
      uncounted += step.emit.length;
    }
    if (step.finish) finished = true;
    let out = '';
    for (const event of step.emit) out += frame(event);
    return out;
  };

  // A string ping is an SSE comment line: every SSE client skips it, for APIs that have no ping event.
  const pingFrame = typeof program.ping === 'string' ? `: ${program.ping}\n\n` : program.ping === undefined ? undefined : frame(program.ping);
  const ping = pingFrame === undefined ? undefined : setInterval(() => {
    if (started && !finished && Date.now() - lastWrite >= options.pingIntervalMs) void write(pingFrame);
  }, Math.max(10, Math.floor(options.pingIntervalMs / 2)));

  const pending: EventSourceMessage[] = [];
  let bytesSinceEvent = 0;
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  // Node's StringDecoder keeps a character cut between two chunks for the next, as TextDecoder's
  // stream mode does, at a third of its cost per chunk (one chunk per event, typically).
  const decoder = new StringDecoder('utf8');

  // Frames translated but not yet written: a fault later in the same chunk still sends them first.
  let unsent = '';
  let upstreamEnded = false;
  try {
    for await (const chunk of reply.body) {
      const text = decoder.write(chunk as Buffer);
      parser.feed(text);
      bytesSinceEvent = pending.length > 0 ? 0 : bytesSinceEvent + text.length;
      if (bytesSinceEvent > options.maxEventBytes) throw new StreamFault('GW_ERR_UPSTREAM_RESPONSE', `upstream sent more than ${options.maxEventBytes} bytes without completing an event`);
      // One write per upstream chunk — but a chunk holding a burst of events is written in slices,
      // so the client's first bytes never wait for a whole burst to be translated. Compiled rules
      // answer synchronously: no await (no extra turn of the event loop) unless one is needed.
      for (let i = 0; i < pending.length && !finished; i++) {
        if (program.endMarker !== undefined && pending[i].data.trim() === program.endMarker) {
          upstreamEnded = true; // what follows the marker (nothing, normally) is not read
          break;
        }
        const step = translateEvent(program, pending[i], state, inbound, log);
        unsent += apply(step instanceof Promise ? await step : step);
        if ((i + 1) % EVENTS_PER_WRITE === 0) {
          const wait = write(unsent);
          unsent = '';
          if (wait) await wait;
        }
      }
      pending.length = 0;
      const wait = write(unsent);
      unsent = '';
      if (wait) await wait;
      if (finished || upstreamEnded) break;
    }
    if (!finished) await write(apply(await program.end(state, inbound)));
  } catch (err) {
    if (abort.signal.aborted && !finished) return; // the client left: nothing to write to
    if (!finished) {
      if (unsent !== '') void write(unsent);
      const fault = toFault(err);
      log.warn({ code: fault.code, err: fault.message }, 'stream failed; sending the error event');
      try {
        await write(apply(await program.onError(errorInput(fault), state, inbound)));
      } catch (ruleErr) {
        log.error({ err: ruleErr }, 'stream on_error rule failed');
      }
    }
  } finally {
    if (ping) clearInterval(ping);
    if (finished && !reply.body.destroyed) abort.abort(); // done early (e.g. a stop sequence): close the upstream request
  }
  if (program.framing.done !== undefined) await write(`data: ${program.framing.done}\n\n`);
  uncork(); // balanced before end(): Node 22+ holds corked chunked writes until their uncork
  res.end();
}

/** The step for one upstream event: directly when its rule is synchronous, else a Promise. */
function translateEvent(program: StreamProgram, message: EventSourceMessage, state: unknown, inbound: unknown, log: Logger): StreamStep | Promise<StreamStep> {
  let event: unknown;
  try {
    event = JSON.parse(message.data);
  } catch {
    throw new StreamFault('GW_ERR_UPSTREAM_RESPONSE', `upstream sent an SSE event whose data is not JSON: ${message.data.slice(0, 80)}`);
  }
  const type = program.typeOf(event, message.event);
  const step = program.step(type, event, state, inbound);
  if (step instanceof Promise) return step.then((s) => s ?? skipped(program, type, state, log));
  return step ?? skipped(program, type, state, log);
}

function skipped(program: StreamProgram, type: string, state: unknown, log: Logger): StreamStep {
  if (!(type in program.ignored)) log.debug({ type }, 'upstream stream event with no rule; skipped');
  return { emit: [], state, finish: false };
}

function createFramer(program: StreamProgram): (event: unknown) => string {
  const nameField = program.framing.eventNameFrom;
  return (event) => {
    const data = JSON.stringify(event);
    const name = nameField && event && typeof event === 'object' ? (event as Record<string, unknown>)[nameField] : undefined;
    return typeof name === 'string' ? `event: ${name}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
  };
}

function drained(res: ServerResponse): Promise<void> {
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

function toFault(err: unknown): StreamFault {
  if (err instanceof StreamFault) return err;
  if (err instanceof GatewayError) return new StreamFault(err.code, err.message);
  const failure = classify(err);
  if (failure.kind === 'timeout') return new StreamFault('GW_ERR_TIMEOUT', failure.message);
  if ((err as { ruleId?: string })?.ruleId) return new StreamFault('GW_ERR_INTERNAL', (err as Error).message);
  return new StreamFault('GW_ERR_UPSTREAM_RESPONSE', `the upstream stream broke off: ${failure.message}`);
}

function errorInput(fault: StreamFault) {
  const entry = ERROR_CATALOGUE[fault.code];
  return { status: entry.status, category: entry.category, code: fault.code, message: fault.message };
}
