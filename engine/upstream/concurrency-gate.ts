/**
 * A cap on concurrent upstream requests, with a bounded FIFO queue in front of it. A request
 * holds its slot for the whole upstream exchange — a stream until its last byte — so the cap is
 * the number of upstream calls really open. When the queue is full, or a request has waited
 * longer than the queue timeout, it is refused at once (529 overloaded): a fast, honest "busy" is
 * better for a client (its SDK retries with backoff) than an unbounded pile of waiting sockets.
 */
import { GatewayError } from '../errors/gateway-error.js';

export interface GateSettings {
  /** Concurrent upstream requests; 0 = no cap. */
  maxConcurrent: number;
  /** Requests that may wait for a slot; beyond that they are refused. */
  maxQueue: number;
  /** Longest wait for a slot, ms. */
  queueTimeoutMs: number;
}

/** Frees the slot; calling it more than once is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  fail: (err: unknown) => void;
}

export class ConcurrencyGate {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly settings: GateSettings,
    private readonly onReject: (why: 'queue_full' | 'queue_timeout') => void = () => {},
  ) {}

  get active(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Waits for a slot (bounded); rejects with GW_ERR_UPSTREAM_BUSY, or the signal's reason. */
  acquire(signal?: AbortSignal): Promise<Release> {
    const { maxConcurrent, maxQueue, queueTimeoutMs } = this.settings;
    if (maxConcurrent <= 0 || (this.inUse < maxConcurrent && this.waiters.length === 0)) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length >= maxQueue) {
      this.onReject('queue_full');
      return Promise.reject(new GatewayError('GW_ERR_UPSTREAM_BUSY', `the gateway is at its limit of ${maxConcurrent} concurrent upstream requests and ${maxQueue} waiting; try again shortly`, { headers: { 'retry-after': '1' } }));
    }
    return new Promise<Release>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        grant: (release) => {
          leave();
          resolve(release);
        },
        fail: (err) => {
          leave();
          reject(err);
        },
      };
      const onAbort = () => waiter.fail(signal!.reason);
      const timer = setTimeout(() => {
        this.onReject('queue_timeout');
        waiter.fail(new GatewayError('GW_ERR_UPSTREAM_BUSY', `no upstream slot became free within ${queueTimeoutMs} ms; try again shortly`, { headers: { 'retry-after': '1' } }));
      }, queueTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter: the count never dips, so no newcomer jumps the queue.
      if (next) next.grant(this.releaser());
      else this.inUse--;
    };
  }
}
