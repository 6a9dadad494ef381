/**
 * Per-key rate limits: a token bucket per client key, refilled continuously at RATE_LIMIT_RPM per
 * minute and holding up to RATE_LIMIT_BURST tokens. The store sits behind a small interface so a
 * deployment with replicas can swap in a shared one (e.g. Redis with the same bucket in a Lua
 * script) without touching the middleware; the in-memory store is this process's share only.
 */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until a token is there, ms. */
  retryAfterMs: number;
}

export interface RateLimitStore {
  /**
   * Takes one token for `key` at time `nowMs`. May be async (a shared store answers over the
   * network). A store that cannot answer should log it and allow the request (fail open: the
   * concurrency cap still bounds the load) rather than throw — a throw becomes a 500.
   */
  take(key: string, nowMs: number): RateDecision | Promise<RateDecision>;
}

export interface TokenBucketSettings {
  /** Tokens added per minute. */
  perMinute: number;
  /** Bucket size: requests that may arrive at once after a quiet spell. */
  burst: number;
  /** Buckets kept before full (idle) ones are dropped; bounds memory with many distinct keys. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucketStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;

  constructor(private readonly settings: TokenBucketSettings) {
    this.perMs = settings.perMinute / 60_000;
    this.maxKeys = settings.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, nowMs: number): RateDecision {
    const { burst } = this.settings;
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + (nowMs - bucket.at) * this.perMs);
      bucket.at = nowMs;
    } else {
      if (this.buckets.size >= this.maxKeys) this.sweep(nowMs);
      bucket = { tokens: burst, at: nowMs };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.perMs) };
  }

  /** Drops buckets that have refilled (a missing bucket is a full one), else the oldest half. */
  private sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (nowMs - b.at) * this.perMs >= this.settings.burst) this.buckets.delete(key);
    }
    if (this.buckets.size < this.maxKeys) return;
    let drop = Math.ceil(this.buckets.size / 2);
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
