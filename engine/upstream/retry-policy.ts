/**
 * When to send an upstream request again, and after how long. Pure: the clock and the random
 * source are parameters, so the policy is tested as a table.
 *
 * Only an attempt whose answer has not reached the client can be retried: the caller asks this
 * policy only about a status and headers (or a transport failure) it has not relayed yet. A
 * mapping is a pure function, so a retry re-sends the very same payload.
 *
 * - Retried: 408, 429 and 5xx (but not 501 Not Implemented or 505, which no retry fixes);
 *   connection failures (refused, reset, DNS) and a connect timeout.
 * - Never retried: any other 4xx (400, 401, 403, 404 … say the request itself is wrong); a
 *   headers timeout (the upstream may still be working on the request, and the client has already
 *   waited the full timeout); an abort (the client left); an answer with `x-should-retry: false`
 *   (the convention of the OpenAI and Anthropic SDKs for "waiting will not help", e.g. a quota).
 * - Delay: the upstream's `retry-after-ms` / `retry-after` (seconds or an HTTP date) when given,
 *   else exponential backoff with full jitter (random in [0, min(max, base·2^n)]), which spreads
 *   the retries of many clients instead of synchronising them. A `retry-after` longer than the
 *   cap is not waited for: the answer goes to the client at once, with its header, so the client
 *   decides (an SDK shows "retrying in 30 s"; a silent 30 s hang in the gateway helps nobody).
 */
import type { UpstreamFailure } from '../translate/translator.js';

export interface RetrySettings {
  /** Retries after the first attempt (0 = never retry). */
  maxRetries: number;
  /** First backoff step, ms. */
  baseDelayMs: number;
  /** Longest wait before a retry, ms — for backoff and for an honoured retry-after alike. */
  maxDelayMs: number;
}

/** What an attempt produced, before anything of it was relayed. */
export type AttemptOutcome =
  | { status: number; headers: Record<string, string> }
  | { failure: UpstreamFailure; cause?: unknown };

/** Why a retry happened (a metrics label). */
export type RetryReason = 'status_429' | 'status_5xx' | 'status_408' | 'network' | 'connect_timeout';

export type RetryDecision = { retry: true; delayMs: number; reason: RetryReason } | { retry: false; why: string };

export function decideRetry(outcome: AttemptOutcome, retriesDone: number, settings: RetrySettings, random: () => number = Math.random, now: number = Date.now()): RetryDecision {
  const reason = retryReason(outcome);
  if (!reason) return { retry: false, why: 'not retryable' };
  if (retriesDone >= settings.maxRetries) return { retry: false, why: 'no retries left' };
  if ('status' in outcome) {
    if (outcome.headers['x-should-retry'] === 'false') return { retry: false, why: 'the upstream said x-should-retry: false' };
    const advised = retryAfterMs(outcome.headers, now);
    if (advised !== undefined) {
      if (advised > settings.maxDelayMs) return { retry: false, why: `retry-after (${advised} ms) is longer than the cap (${settings.maxDelayMs} ms)` };
      return { retry: true, delayMs: advised, reason };
    }
  }
  return { retry: true, delayMs: backoffMs(retriesDone, settings, random), reason };
}

export function retryReason(outcome: AttemptOutcome): RetryReason | undefined {
  if ('status' in outcome) {
    const s = outcome.status;
    if (s === 429) return 'status_429';
    if (s === 408) return 'status_408';
    if (s >= 500 && s !== 501 && s !== 505) return 'status_5xx';
    return undefined;
  }
  const { failure, cause } = outcome;
  if (failure.status === 499) return undefined; // aborted: the client left
  if (failure.kind === 'network') return 'network';
  if (failure.kind === 'timeout' && (cause as { code?: string } | undefined)?.code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  return undefined;
}

/** Full jitter: uniform in [0, min(max, base · 2^retry)]. */
export function backoffMs(retriesDone: number, settings: RetrySettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(retriesDone, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait an upstream asks for: `retry-after-ms` (milliseconds, as OpenAI and Anthropic send),
 * else `retry-after` as delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent
 * or unreadable; never negative.
 */
export function retryAfterMs(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  if (!/[a-z]/i.test(value)) return undefined; // an HTTP date names its day and month; "-3" is no date
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * A retry budget (as in Finagle and Envoy): over a sliding window, retries may be at most a share
 * of the requests, plus a small floor so a quiet gateway can still ride out a blip. Without it,
 * retries multiply the load on an upstream that is already failing (3 attempts per request
 * triple the traffic exactly when the upstream can least take it).
 */
export class RetryBudget {
  /** Buckets of one second: requests and retries counted per bucket. */
  private readonly requests: number[];
  private readonly retries: number[];
  private readonly bucketMs: number;
  private bucketStart = 0;
  private index = 0;

  constructor(
    private readonly percent: number,
    private readonly minPerWindow = 10,
    windowMs = 10_000,
    buckets = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.requests = new Array(buckets).fill(0);
    this.retries = new Array(buckets).fill(0);
    this.bucketMs = windowMs / buckets;
    this.bucketStart = now();
  }

  /** Counts a first attempt. */
  recordRequest(): void {
    this.advance();
    this.requests[this.index]++;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    this.advance();
    const requests = sum(this.requests);
    const retries = sum(this.retries);
    if (retries + 1 > this.minPerWindow + (requests * this.percent) / 100) return false;
    this.retries[this.index]++;
    return true;
  }

  private advance(): void {
    const now = this.now();
    let steps = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (steps <= 0) return;
    this.bucketStart += steps * this.bucketMs;
    steps = Math.min(steps, this.requests.length);
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % this.requests.length;
      this.requests[this.index] = 0;
      this.retries[this.index] = 0;
    }
  }
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
