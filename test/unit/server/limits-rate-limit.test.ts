/**
 * engine/server/limits/rate-limit.ts: a token bucket per key — a burst, then one request per
 * 60/RPM seconds, with the wait until the next token as retry-after.
 */
import { describe, expect, it } from 'vitest';
import { TokenBucketStore } from '../../../engine/server/limits/rate-limit.js';

describe('token buckets', () => {
  it('lets a burst through, then refuses with the time until the next token', () => {
    const store = new TokenBucketStore({ perMinute: 60, burst: 3 });
    expect([0, 0, 0].map((t) => store.take('k', t).allowed)).toEqual([true, true, true]);
    expect(store.take('k', 0)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(store.take('k', 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(store.take('k', 1_000).allowed).toBe(true);
  });

  it('refills continuously up to the burst, never beyond', () => {
    const store = new TokenBucketStore({ perMinute: 600, burst: 2 });
    store.take('k', 0);
    store.take('k', 0);
    expect(store.take('k', 60_000).allowed).toBe(true); // a long pause refills to 2, not 600
    expect(store.take('k', 60_000).allowed).toBe(true);
    expect(store.take('k', 60_000).allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const store = new TokenBucketStore({ perMinute: 1, burst: 1 });
    expect(store.take('a', 0).allowed).toBe(true);
    expect(store.take('a', 0).allowed).toBe(false);
    expect(store.take('b', 0).allowed).toBe(true);
  });

  it('bounds memory: past maxKeys, full (idle) buckets are dropped', () => {
    const store = new TokenBucketStore({ perMinute: 60, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) store.take(`key-${i}`, i * 2_000);
    expect(store.size).toBeLessThanOrEqual(100);
  });
});
