/**
 * engine/upstream/concurrency-gate.ts: at most N upstream requests at once, a bounded FIFO queue
 * behind them, GW_ERR_UPSTREAM_BUSY when the queue is full or the wait too long.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../engine/errors/gateway-error.js';
import { ConcurrencyGate } from '../../../engine/upstream/concurrency-gate.js';

const codeOf = (err: unknown) => (err instanceof GatewayError ? err.code : String(err));

describe('the concurrency gate', () => {
  it('lets N through at once, queues the next, and hands a freed slot to the oldest waiter', async () => {
    const gate = new ConcurrencyGate({ maxConcurrent: 2, maxQueue: 2, queueTimeoutMs: 5_000 });
    const a = await gate.acquire();
    await gate.acquire();
    const order: string[] = [];
    const c = gate.acquire().then((release) => (order.push('c'), release));
    const d = gate.acquire().then((release) => (order.push('d'), release));
    expect([gate.active, gate.queued]).toEqual([2, 2]);
    a();
    (await c)();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(gate.active).toBe(1);
  });

  it('refuses at once with GW_ERR_UPSTREAM_BUSY when the queue is full', async () => {
    const rejected: string[] = [];
    const gate = new ConcurrencyGate({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 5_000 }, (why) => rejected.push(why));
    const first = await gate.acquire();
    const waiting = gate.acquire();
    const err = await gate.acquire().catch((e: unknown) => e);
    expect(codeOf(err)).toBe('GW_ERR_UPSTREAM_BUSY');
    expect((err as GatewayError).status).toBe(529);
    expect(rejected).toEqual(['queue_full']);
    first();
    (await waiting)();
  });

  it('refuses a waiter after QUEUE_TIMEOUT_MS', async () => {
    const gate = new ConcurrencyGate({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 30 });
    const held = await gate.acquire();
    expect(codeOf(await gate.acquire().catch((e: unknown) => e))).toBe('GW_ERR_UPSTREAM_BUSY');
    expect(gate.queued).toBe(0);
    held();
    expect(gate.active).toBe(0);
  });

  it('a waiter whose client leaves is taken out of the queue', async () => {
    const gate = new ConcurrencyGate({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 5_000 });
    const held = await gate.acquire();
    const abort = new AbortController();
    const waiting = gate.acquire(abort.signal).catch((e: unknown) => e);
    abort.abort();
    expect((await waiting as Error).name).toBe('AbortError');
    expect(gate.queued).toBe(0);
    held();
    expect(gate.active).toBe(0);
  });

  it('releasing twice frees one slot only', async () => {
    const gate = new ConcurrencyGate({ maxConcurrent: 2, maxQueue: 0, queueTimeoutMs: 1_000 });
    const a = await gate.acquire();
    await gate.acquire();
    a();
    a();
    expect(gate.active).toBe(1);
  });

  it('MAX_CONCURRENT_UPSTREAM=0 means no cap', async () => {
    const gate = new ConcurrencyGate({ maxConcurrent: 0, maxQueue: 0, queueTimeoutMs: 1 });
    await Promise.all(Array.from({ length: 1000 }, () => gate.acquire()));
    expect(gate.queued).toBe(0);
  });
});
