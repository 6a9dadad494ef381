/**
 * engine/upstream/retry-policy.ts: which upstream outcomes are sent again, after how long, and
 * how the retry budget caps retries over a window.
 */
import { describe, expect, it } from 'vitest';
import { backoffMs, decideRetry, retryAfterMs, RetryBudget, type AttemptOutcome } from '../../../engine/upstream/retry-policy.js';

const SETTINGS = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 5_000 };
const NOW = Date.parse('2025-01-01T00:00:00Z');
const half = () => 0.5;
const status = (s: number, headers: Record<string, string> = {}): AttemptOutcome => ({ status: s, headers });
const network = (code = 'ECONNRESET'): AttemptOutcome => ({ failure: { status: 502, kind: 'network', headers: {}, message: `could not reach the upstream (${code})` }, cause: { code } });
const timeout = (code: string): AttemptOutcome => ({ failure: { status: 504, kind: 'timeout', headers: {}, message: 'upstream timed out' }, cause: { code } });
const aborted: AttemptOutcome = { failure: { status: 499, kind: 'network', headers: {}, message: 'request aborted' }, cause: { name: 'AbortError' } };

describe('what is retried', () => {
  it.each<{ name: string; outcome: AttemptOutcome; retry: boolean; reason?: string }>([
    { name: '429 is retried', outcome: status(429), retry: true, reason: 'status_429' },
    { name: '500 is retried', outcome: status(500), retry: true, reason: 'status_5xx' },
    { name: '502 is retried', outcome: status(502), retry: true, reason: 'status_5xx' },
    { name: '503 is retried', outcome: status(503), retry: true, reason: 'status_5xx' },
    { name: '504 is retried', outcome: status(504), retry: true, reason: 'status_5xx' },
    { name: '529 is retried', outcome: status(529), retry: true, reason: 'status_5xx' },
    { name: '408 is retried', outcome: status(408), retry: true, reason: 'status_408' },
    { name: 'a connection reset is retried', outcome: network('ECONNRESET'), retry: true, reason: 'network' },
    { name: 'a refused connection is retried', outcome: network('ECONNREFUSED'), retry: true, reason: 'network' },
    { name: 'a connect timeout is retried (nothing was sent)', outcome: timeout('UND_ERR_CONNECT_TIMEOUT'), retry: true, reason: 'connect_timeout' },
    { name: '200 is not retried', outcome: status(200), retry: false },
    { name: '400 is never retried', outcome: status(400), retry: false },
    { name: '401 is never retried', outcome: status(401), retry: false },
    { name: '403 is never retried', outcome: status(403), retry: false },
    { name: '404 is never retried', outcome: status(404), retry: false },
    { name: '422 is not retried', outcome: status(422), retry: false },
    { name: '501 Not Implemented is not retried', outcome: status(501), retry: false },
    { name: 'a headers timeout is not retried (the upstream may still be working)', outcome: timeout('UND_ERR_HEADERS_TIMEOUT'), retry: false },
    { name: 'an abort (the client left) is not retried', outcome: aborted, retry: false },
    { name: 'a 503 with x-should-retry: false is not retried', outcome: status(503, { 'x-should-retry': 'false' }), retry: false },
  ])('$name', ({ outcome, retry, reason }) => {
    const decision = decideRetry(outcome, 0, SETTINGS, half, NOW);
    expect(decision.retry).toBe(retry);
    if (decision.retry) expect(decision.reason).toBe(reason);
  });

  it('stops after UPSTREAM_MAX_RETRIES retries', () => {
    expect(decideRetry(status(503), 1, SETTINGS, half, NOW).retry).toBe(true);
    expect(decideRetry(status(503), 2, SETTINGS, half, NOW)).toEqual({ retry: false, why: 'no retries left' });
  });

  it('never retries with UPSTREAM_MAX_RETRIES=0', () => {
    expect(decideRetry(status(503), 0, { ...SETTINGS, maxRetries: 0 }, half, NOW).retry).toBe(false);
  });
});

describe('how long to wait', () => {
  it.each<{ name: string; headers: Record<string, string>; delayMs: number | 'no retry' }>([
    { name: 'retry-after in seconds is honoured', headers: { 'retry-after': '2' }, delayMs: 2_000 },
    { name: 'retry-after with a fraction is honoured, rounded up', headers: { 'retry-after': '0.25' }, delayMs: 250 },
    { name: 'retry-after 0 means at once', headers: { 'retry-after': '0' }, delayMs: 0 },
    { name: 'retry-after as an HTTP date is honoured', headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }, delayMs: 3_000 },
    { name: 'retry-after as a date in the past means at once', headers: { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, delayMs: 0 },
    { name: 'retry-after-ms wins over retry-after', headers: { 'retry-after-ms': '120', 'retry-after': '9' }, delayMs: 120 },
    { name: 'retry-after exactly at the cap is waited for', headers: { 'retry-after': '5' }, delayMs: 5_000 },
    { name: 'retry-after past the cap is not waited for: the answer goes to the client', headers: { 'retry-after': '6' }, delayMs: 'no retry' },
    { name: 'an unreadable retry-after falls back to backoff', headers: { 'retry-after': 'soon' }, delayMs: 50 },
    { name: 'no retry-after: backoff with full jitter', headers: {}, delayMs: 50 },
  ])('$name', ({ headers, delayMs }) => {
    const decision = decideRetry(status(429, headers), 0, SETTINGS, half, NOW);
    if (delayMs === 'no retry') expect(decision.retry).toBe(false);
    else expect(decision).toMatchObject({ retry: true, delayMs });
  });

  it('backoff doubles per retry and stays within [0, min(max, base·2^n)]', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, SETTINGS, () => 0.999999))).toEqual([99, 199, 399, 799]);
    expect(backoffMs(20, SETTINGS, () => 0.999999)).toBe(4_999);
    expect(backoffMs(3, SETTINGS, () => 0)).toBe(0);
  });

  it('retryAfterMs reads nothing from absent or blank headers', () => {
    expect(retryAfterMs({}, NOW)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': ' ' }, NOW)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-3' }, NOW)).toBeUndefined();
  });
});

describe('the retry budget', () => {
  it('allows the floor of retries with no traffic, then 20% of the requests', () => {
    let now = 0;
    const budget = new RetryBudget(20, 2, 10_000, 10, () => now);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false); // floor spent, no requests yet
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true); // 2 + 20% of 10 = 4
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it('forgets requests and retries older than the window', () => {
    let now = 0;
    const budget = new RetryBudget(20, 1, 10_000, 10, () => now);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now = 10_500;
    expect(budget.tryRetry()).toBe(true);
    now = 50_000;
    expect(budget.tryRetry()).toBe(true);
  });
});
