/**
 * A circuit breaker for one upstream (one per base URL). While the upstream keeps failing, the
 * gateway answers at once (529 overloaded) instead of piling requests, sockets and retries onto
 * it and making every client wait for its timeouts.
 *
 *   closed ──(N consecutive failures, or ≥ P% of ≥ MIN calls in the window failing)──> open
 *   open ──(cool-down elapsed)──> half-open: exactly one probe request goes through
 *   half-open ──probe succeeds──> closed        half-open ──probe fails──> open (a new cool-down)
 *
 * A failure is a 5xx answer or a transport failure; a 429 is not (a rate-limited upstream is
 * healthy, and the retry policy already honours its retry-after), and neither is a call the
 * client abandoned (no verdict: `cancel`). Outcomes are judged on the response head, the only
 * thing known before a stream is relayed.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker; 0 turns the breaker off. */
  failureThreshold: number;
  /** Share of failed calls (percent) over the window that opens it; 0 turns this check off. */
  failurePercent: number;
  /** How long the breaker stays open before a probe, ms. */
  cooldownMs: number;
  /** Calls needed in the window before the percentage counts. */
  minCalls?: number;
  /** The window of the percentage, ms. */
  windowMs?: number;
}

/** The verdict on one call that was let through. Exactly one of the three should be called. */
export interface BreakerPermit {
  success(): void;
  failure(): void;
  /** No verdict (the caller went away): frees the probe slot of a half-open breaker. */
  cancel(): void;
}

export type BreakerAdmission = { permit: BreakerPermit } | { rejectedForMs: number };

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;
  private readonly window: CallWindow;
  private readonly minCalls: number;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
    private readonly onChange: (state: BreakerState) => void = () => {},
  ) {
    this.minCalls = settings.minCalls ?? 20;
    this.window = new CallWindow(settings.windowMs ?? 30_000, 4 * this.minCalls);
  }

  get enabled(): boolean {
    return this.settings.failureThreshold > 0 || this.settings.failurePercent > 0;
  }

  /** The state now (an open breaker whose cool-down has passed reads as half-open). */
  state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.settings.cooldownMs) this.move('half_open');
    return this.current;
  }

  /** Lets a call through (with a permit for its verdict), or says how long the breaker stays shut. */
  admit(): BreakerAdmission {
    if (!this.enabled) return { permit: NOOP_PERMIT };
    const state = this.state();
    if (state === 'open') return { rejectedForMs: this.settings.cooldownMs - (this.now() - this.openedAt) };
    if (state === 'half_open') {
      if (this.probing) return { rejectedForMs: Math.min(1000, this.settings.cooldownMs) };
      this.probing = true;
      return { permit: this.permit(true) };
    }
    return { permit: this.permit(false) };
  }

  private permit(probe: boolean): BreakerPermit {
    let settled = false;
    const settle = (verdict: 'success' | 'failure' | 'cancel') => {
      if (settled) return;
      settled = true;
      if (probe) this.probing = false;
      if (verdict === 'cancel') return;
      this.record(verdict === 'failure', probe);
    };
    return { success: () => settle('success'), failure: () => settle('failure'), cancel: () => settle('cancel') };
  }

  private record(failed: boolean, probe: boolean): void {
    const now = this.now();
    if (probe) {
      if (failed) this.open(now);
      else this.close();
      return;
    }
    if (this.current !== 'closed') return; // a straggler that started before the breaker opened
    this.consecutive = failed ? this.consecutive + 1 : 0;
    this.window.add(now, failed);
    const { failureThreshold, failurePercent } = this.settings;
    if (failureThreshold > 0 && this.consecutive >= failureThreshold) return this.open(now);
    if (failurePercent > 0 && this.window.size >= this.minCalls) {
      if ((this.window.failures * 100) / this.window.size >= failurePercent) this.open(now);
    }
  }

  private open(now: number): void {
    this.openedAt = now;
    this.move('open');
  }

  private close(): void {
    this.consecutive = 0;
    this.window.clear();
    this.move('closed');
  }

  private move(state: BreakerState): void {
    if (this.current === state) return;
    this.current = state;
    this.onChange(state);
  }
}

/**
 * The calls of the last `windowMs`, at most `capacity` of them (the most recent), with their
 * failures counted as they come and go: a ring, so recording a call allocates nothing.
 */
class CallWindow {
  private readonly at: Float64Array;
  private readonly failed: Uint8Array;
  private head = 0;
  size = 0;
  failures = 0;

  constructor(private readonly windowMs: number, private readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.failed = new Uint8Array(capacity);
  }

  add(now: number, failed: boolean): void {
    if (this.capacity === 0) return;
    if (this.size === this.capacity) this.dropOldest();
    const slot = (this.head + this.size) % this.capacity;
    this.at[slot] = now;
    this.failed[slot] = failed ? 1 : 0;
    this.size++;
    if (failed) this.failures++;
    while (this.size > 0 && now - this.at[this.head] > this.windowMs) this.dropOldest();
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.failures = 0;
  }

  private dropOldest(): void {
    this.failures -= this.failed[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.size--;
  }
}

const NOOP_PERMIT: BreakerPermit = { success() {}, failure() {}, cancel() {} };
