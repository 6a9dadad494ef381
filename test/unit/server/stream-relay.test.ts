/**
 * engine/server/stream-relay.ts with a hand-made stream program: what reaches the client when
 * several events arrive in one upstream read, when one of them is broken, and how writes are
 * batched (one write per burst, not per event).
 */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { relayStream } from '../../../engine/server/stream-relay.js';
import type { StreamProgram, StreamStep } from '../../../engine/translate/stream-program.js';
import type { Logger } from '../../../engine/observe/logger.js';

/** Echoes each upstream event {n} as {type: "echo", n}; `last` finishes the stream. */
const echo: StreamProgram = {
  framing: { eventNameFrom: 'type' },
  eventTypeFrom: 'type',
  typeOf: (event, sseName) => sseName ?? String((event as { type?: string }).type ?? ''),
  handled: new Set(['item', 'last']),
  ignored: {},
  init: () => ({ seen: 0 }),
  step(type, event, state): StreamStep {
    const seen = (state as { seen: number }).seen + 1;
    const n = (event as { n: number }).n;
    return { emit: [{ type: 'echo', n }], state: { seen }, finish: type === 'last' };
  },
  end: (state) => ({ emit: [{ type: 'end' }], state, finish: true }),
  onError: (error, state) => ({ emit: [{ type: 'error', message: error.message }], state, finish: true }),
};

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent } as unknown as Logger;

/** A stand-in for the HTTP response: records every write as it reaches the socket. */
class Sink extends Writable {
  readonly writes: string[] = [];
  statusCode = 0;
  headers: Record<string, string> = {};
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.writes.push(chunk.toString('utf8'));
    done();
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, done: () => void) {
    this.writes.push(chunks.map((c) => c.chunk.toString('utf8')).join(''));
    done();
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  flushHeaders() {}
}

async function relay(reads: Array<string | Buffer>): Promise<{ sink: Sink; events: Array<{ event: string; data: unknown }> }> {
  const sink = new Sink();
  const body = Readable.from(reads.map((r) => (typeof r === 'string' ? Buffer.from(r) : r)));
  await relayStream(sink as unknown as ServerResponse, { status: 200, headers: {}, body: body as never }, echo, {}, { pingIntervalMs: 60_000, maxEventBytes: 1 << 20, abort: new AbortController(), log: silent });
  const text = sink.writes.join('');
  const events = text.split('\n\n').filter((f) => f !== '').map((f) => {
    const [eventLine, dataLine] = f.split('\n');
    return { event: eventLine.replace('event: ', ''), data: JSON.parse(dataLine.replace('data: ', '')) };
  });
  return { sink, events };
}

const sse = (type: string, n: number | string) => `event: ${type}\ndata: ${JSON.stringify({ type, n })}\n\n`;

describe('stream relay', () => {
  it('translates every event of a read, in order, and ends with the end rule', async () => {
    const { events } = await relay([sse('item', 1) + sse('item', 2), sse('item', 3)]);
    expect(events.map((e) => e.data)).toEqual([{ type: 'echo', n: 1 }, { type: 'echo', n: 2 }, { type: 'echo', n: 3 }, { type: 'end' }]);
  });

  it('a broken event after good ones in the same read: the good ones are sent, then the error event', async () => {
    const { events } = await relay([sse('item', 1) + sse('item', 2) + 'event: item\ndata: {not json\n\n' + sse('item', 3)]);
    expect(events.map((e) => e.event)).toEqual(['echo', 'echo', 'error']);
    expect(events[2].data).toMatchObject({ type: 'error', message: expect.stringContaining('not JSON') });
  });

  it('stops at the event that finishes the stream, ignoring what follows', async () => {
    const { events } = await relay([sse('item', 1) + sse('last', 2) + sse('item', 3)]);
    expect(events.map((e) => e.data)).toEqual([{ type: 'echo', n: 1 }, { type: 'echo', n: 2 }]);
  });

  it('a character split between two reads (UTF-8 bytes cut mid-character) arrives whole', async () => {
    const bytes = Buffer.from(sse('item', 'café 🎉 ok'));
    const cut = bytes.indexOf(Buffer.from('🎉')) + 2; // inside the emoji's four bytes
    const { events } = await relay([bytes.subarray(0, bytes.indexOf(Buffer.from('é')) + 1), bytes.subarray(bytes.indexOf(Buffer.from('é')) + 1, cut), bytes.subarray(cut)]);
    expect(events.map((e) => e.data)).toEqual([{ type: 'echo', n: 'café 🎉 ok' }, { type: 'end' }]);
  });

  it('a burst of events already received goes out in one write, not one per event', async () => {
    const burst = Array.from({ length: 10 }, (_, i) => sse('item', i)).join('');
    const { sink, events } = await relay([burst]);
    expect(events).toHaveLength(11);
    expect(sink.writes.length).toBeLessThanOrEqual(2); // the burst, and the end event after the upstream closed
  });
});

describe('stream relay: the upstream end marker', () => {
  const withMarker: StreamProgram = { ...echo, endMarker: '[DONE]' };

  it('[DONE] ends the stream like a close: events before it are sent, then the end rule; nothing after it is read', async () => {
    const sink = new Sink();
    const reads = [sse('item', 1) + 'data: [DONE]\n\n' + sse('item', 2)];
    await relayStream(sink as unknown as ServerResponse, { status: 200, headers: {}, body: Readable.from(reads.map((r) => Buffer.from(r))) as never }, withMarker, {}, { pingIntervalMs: 60_000, maxEventBytes: 1 << 20, abort: new AbortController(), log: silent });
    expect(sink.writes.join('')).toBe('event: echo\ndata: {"type":"echo","n":1}\n\nevent: end\ndata: {"type":"end"}\n\n');
  });

  it('without an end marker, [DONE] is data that is not JSON: an error event after what came before', async () => {
    const { events } = await relay([sse('item', 1) + 'data: [DONE]\n\n']);
    expect(events.map((e) => e.event)).toEqual(['echo', 'error']);
  });
});

describe('stream relay: pings during a silence', () => {
  async function silentStream(ping: unknown): Promise<string> {
    const sink = new Sink();
    // One event, then the upstream is silent for ~120 ms before it ends.
    const body = Readable.from((async function* () {
      yield Buffer.from(sse('item', 1));
      await new Promise((r) => setTimeout(r, 120));
    })());
    await relayStream(sink as unknown as ServerResponse, { status: 200, headers: {}, body: body as never }, { ...echo, ping }, {}, { pingIntervalMs: 30, maxEventBytes: 1 << 20, abort: new AbortController(), log: silent });
    return sink.writes.join('');
  }

  it('an event ping is written as an event', async () => {
    expect(await silentStream({ type: 'ping' })).toContain('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('a string ping is an SSE comment line, which clients skip', async () => {
    const text = await silentStream('keep-alive');
    expect(text).toContain(': keep-alive\n\n');
    expect(text).not.toContain('"ping"');
    expect(text.endsWith('event: end\ndata: {"type":"end"}\n\n')).toBe(true);
  });
});
