/**
 * The upstream client as the pipeline uses it: circuit breaker → concurrency gate → send →
 * retry policy, around the one UpstreamClient that does the I/O. What comes back is the first
 * answer that is final — a success, an error not worth retrying, or the last attempt — with its
 * body unread, so the caller still decides whether it is JSON or a stream.
 *
 * Retries happen only here, before the caller has seen anything, which is what makes them safe:
 * once a reply is returned (a stream's head included) it is never sent again, so a stream that
 * breaks after its first byte reaches the client as an error event, not as a duplicate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import { CircuitBreaker, type BreakerSettings, type BreakerState } from './circuit-breaker.js';
import { ConcurrencyGate, type GateSettings, type Release } from './concurrency-gate.js';
import { decideRetry, RetryBudget, type AttemptOutcome, type RetryReason, type RetrySettings } from './retry-policy.js';
import { urlParts } from './url-parts.js';
import { UpstreamTransportError, type UpstreamCall, type UpstreamReply, type UpstreamSender } from './upstream-client.js';

export interface ResilienceSettings {
  retry: RetrySettings & { budgetPercent: number };
  breaker: BreakerSettings;
  gate: GateSettings;
}

/** What the resilience layer reports (metrics); every method is optional to implement as a no-op. */
export interface UpstreamObserver {
  attempt(upstream: string, outcome: string, seconds: number): void;
  retry(upstream: string, reason: RetryReason): void;
  breakerChanged(upstream: string, state: BreakerState): void;
  rejected(reason: 'queue_full' | 'queue_timeout' | 'circuit_open'): void;
}

const NO_OBSERVER: UpstreamObserver = { attempt() {}, retry() {}, breakerChanged() {}, rejected() {} };

/** Per upstream (origin + base path): its breaker and its retry budget. */
interface UpstreamHealth {
  breaker: CircuitBreaker;
  budget: RetryBudget;
}

export class ResilientUpstream implements UpstreamSender {
  private readonly gate: ConcurrencyGate;
  private readonly health = new Map<string, UpstreamHealth>();

  constructor(
    private readonly client: UpstreamSender,
    private readonly settings: ResilienceSettings,
    private readonly observer: UpstreamObserver = NO_OBSERVER,
    private readonly random: () => number = Math.random,
  ) {
    this.gate = new ConcurrencyGate(settings.gate, (why) => observer.rejected(why));
  }

  /** Upstream requests in flight, and waiting for a slot. */
  load(): { active: number; queued: number } {
    return { active: this.gate.active, queued: this.gate.queued };
  }

  /** Breaker state of every upstream seen so far, by upstream label. */
  breakerStates(): Map<string, BreakerState> {
    return new Map([...this.health].map(([k, h]) => [k, h.breaker.state()]));
  }

  async send(call: UpstreamCall, log?: Logger): Promise<UpstreamReply> {
    const upstream = upstreamLabel(call.url);
    const { breaker, budget } = this.healthOf(upstream);
    budget.recordRequest();
    for (let retries = 0; ; retries++) {
      const { outcome, reply, error } = await this.attempt(call, upstream, breaker, log);
      const decision = call.retry === false ? { retry: false as const, why: 'the caller retries on its own' } : decideRetry(outcome, retries, this.settings.retry, this.random);
      const giveUp = (why: string): UpstreamReply => {
        if (retries > 0 || decision.retry) log?.info({ upstream, attempts: retries + 1, why }, 'upstream: no more retries');
        if (reply) return reply;
        throw error;
      };
      if (!decision.retry) return giveUp(decision.why);
      if (call.signal?.aborted) return giveUp('the client left');
      if (breaker.state() !== 'closed') return giveUp('the circuit breaker opened');
      if (!budget.tryRetry()) return giveUp('the retry budget is spent');

      this.observer.retry(upstream, decision.reason);
      log?.info({ upstream, attempt: retries + 1, reason: decision.reason, delayMs: decision.delayMs, upstreamStatus: reply?.status }, 'upstream: retrying');
      if (reply) await discard(reply);
      try {
        await sleep(decision.delayMs, undefined, { signal: call.signal });
      } catch {
        // The client left during the backoff: report it as the abort it is.
        throw new UpstreamTransportError({ status: 499, kind: 'network', headers: {}, message: 'request aborted' });
      }
    }
  }

  /**
   * One attempt: through the breaker and the gate, then the send, with the breaker told how it
   * went. A transport failure comes back as an outcome (for the retry policy), anything else throws.
   */
  private async attempt(call: UpstreamCall, upstream: string, breaker: CircuitBreaker, log?: Logger): Promise<{ outcome: AttemptOutcome; reply?: UpstreamReply; error?: unknown }> {
    const admission = breaker.admit();
    if ('rejectedForMs' in admission) {
      this.observer.rejected('circuit_open');
      const seconds = Math.max(1, Math.ceil(admission.rejectedForMs / 1000));
      throw new GatewayError('GW_ERR_CIRCUIT_OPEN', `the upstream has been failing; the gateway is not sending to it for the next ${seconds} s`, { headers: { 'retry-after': String(seconds) } });
    }
    const { permit } = admission;
    let release: Release;
    try {
      release = await this.gate.acquire(call.signal);
    } catch (err) {
      permit.cancel();
      throw err;
    }
    const started = performance.now();
    try {
      const reply = await this.client.send(call, log);
      this.observer.attempt(upstream, String(reply.status), (performance.now() - started) / 1000);
      if (reply.status >= 500) permit.failure();
      else permit.success();
      // The slot is held until the body is done with — read, relayed, or thrown away.
      reply.body.once('close', release);
      if (reply.body.destroyed) release();
      return { outcome: { status: reply.status, headers: reply.headers }, reply };
    } catch (err) {
      release();
      if (!(err instanceof UpstreamTransportError)) {
        permit.cancel();
        throw err;
      }
      this.observer.attempt(upstream, err.failure.kind, (performance.now() - started) / 1000);
      if (err.failure.status === 499) permit.cancel();
      else permit.failure();
      return { outcome: { failure: err.failure, cause: err.cause }, error: err };
    }
  }

  private healthOf(upstream: string): UpstreamHealth {
    let h = this.health.get(upstream);
    if (!h) {
      h = {
        breaker: new CircuitBreaker(this.settings.breaker, Date.now, (state) => this.observer.breakerChanged(upstream, state)),
        budget: new RetryBudget(this.settings.retry.budgetPercent),
      };
      this.health.set(upstream, h);
    }
    return h;
  }
}

/**
 * The upstream an URL belongs to: its origin. Never the full URL — no path parameters, and no
 * credentials (URL.origin drops any user:password@), since the label shows up in metrics and logs.
 */
export function upstreamLabel(url: string): string {
  try {
    return urlParts(url).origin;
  } catch {
    return 'invalid-url';
  }
}

/** Drops a reply we are about to retry; a small body is read so the connection can be reused. */
async function discard(reply: UpstreamReply): Promise<void> {
  reply.body.on('error', () => {});
  try {
    await reply.body.dump({ limit: 64 * 1024 });
  } catch {
    reply.body.destroy();
  }
}
