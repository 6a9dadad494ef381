/**
 * Prometheus metrics (prom-client). One registry per gateway, so several gateways in one process
 * (the tests) never share counters; Node's process metrics (memory, CPU, event-loop lag, GC) are
 * collected once per process and merged in at scrape time.
 *
 * Labels are bounded on purpose: the route is the pair's declared route path (never the raw URL),
 * the upstream is an origin (never a URL with a path or credentials), statuses are HTTP codes.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../upstream/circuit-breaker.js';
import type { UpstreamObserver } from '../upstream/resilient-upstream.js';
import type { RetryReason } from '../upstream/retry-policy.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_TOKEN_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const RULE_SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Observations of the request path, applied to prom-client in batches. prom-client checks and keys
 * the labels of every observation; one at a time, between requests, that cost about 14 µs per
 * request in the gateway (four histograms and a counter, cold code each time); a batch of them runs
 * warm. Applied when BATCH are waiting and before every scrape, so a scrape sees them all.
 */
const BATCH = 256;

type Labels = Partial<Record<string, string>>;
type Observe = (labels: Labels, value: number) => void;

class PendingObservations {
  private readonly records: Observe[] = [];
  private readonly labels: Labels[] = [];
  private readonly values: number[] = [];

  add(record: Observe, labels: Labels, value: number): void {
    // What prom-client would refuse (it throws), refused here: a batch must apply whole.
    if (!Number.isFinite(value)) return;
    this.records.push(record);
    this.labels.push(labels);
    this.values.push(value);
    if (this.records.length >= BATCH) this.apply();
  }

  apply(): void {
    try {
      for (let i = 0; i < this.records.length; i++) this.records[i](this.labels[i], this.values[i]);
    } finally {
      this.records.length = 0;
      this.labels.length = 0;
      this.values.length = 0;
    }
  }
}

let processRegistry: Registry | undefined;

/** Node's own metrics, registered once however many gateways the process runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** What the metrics read at scrape time rather than being told about. */
export interface LiveState {
  breakers(): Map<string, BreakerState>;
  upstreamLoad(): { active: number; queued: number };
  ready(): boolean;
  inFlightRequests(): number;
}

export class GatewayMetrics implements UpstreamObserver {
  readonly registry = new Registry();
  private live?: LiveState;

  private readonly requests = new Counter({ name: 'rosetta_requests_total', help: 'Requests answered, by route, pair and HTTP status (499: the response closed before it finished).', labelNames: ['route', 'pair', 'status'] as const, registers: [this.registry] });
  private readonly requestSeconds = new Histogram({ name: 'rosetta_request_duration_seconds', help: 'Time from a request arriving to its response ending (a stream: its last event).', labelNames: ['route', 'pair'] as const, buckets: SECONDS, registers: [this.registry] });
  private readonly upstreamSeconds = new Histogram({ name: 'rosetta_upstream_duration_seconds', help: 'Time from sending an upstream request to its response head (or failure), per attempt.', labelNames: ['upstream', 'outcome'] as const, buckets: SECONDS, registers: [this.registry] });
  private readonly firstEventSeconds = new Histogram({ name: 'rosetta_time_to_first_token_seconds', help: 'Time from a streaming request arriving to its first translated event being written.', labelNames: ['pair'] as const, buckets: FIRST_TOKEN_SECONDS, registers: [this.registry] });
  private readonly streamEvents = new Counter({ name: 'rosetta_stream_events_total', help: 'Translated stream events written to clients.', labelNames: ['pair'] as const, registers: [this.registry] });
  private readonly retries = new Counter({ name: 'rosetta_upstream_retries_total', help: 'Upstream requests sent again, by reason.', labelNames: ['upstream', 'reason'] as const, registers: [this.registry] });
  private readonly rejections = new Counter({ name: 'rosetta_rejections_total', help: 'Requests refused by the gateway\'s own limits, by reason (rate_limited, queue_full, queue_timeout, circuit_open).', labelNames: ['reason'] as const, registers: [this.registry] });
  private readonly reloads = new Counter({ name: 'rosetta_mapping_reloads_total', help: 'Mapping reloads, by result (success: the new set serves; failure: the last good set keeps serving).', labelNames: ['result'] as const, registers: [this.registry] });
  private readonly ruleSeconds = new Histogram({ name: 'rosetta_rule_evaluation_seconds', help: 'Time spent in a pair\'s translation rules per request, by hook (request, response).', labelNames: ['pair', 'hook'] as const, buckets: RULE_SECONDS, registers: [this.registry] });

  private readonly pending = new PendingObservations();
  private readonly countRequest: Observe = (labels, value) => this.requests.inc(labels, value);
  private readonly timeRequest: Observe = (labels, value) => this.requestSeconds.observe(labels, value);
  private readonly timeFirstEvent: Observe = (labels, value) => this.firstEventSeconds.observe(labels, value);
  private readonly countEvents: Observe = (labels, value) => this.streamEvents.inc(labels, value);
  private readonly timeRules: Observe = (labels, value) => this.ruleSeconds.observe(labels, value);
  private readonly timeAttempt: Observe = (labels, value) => this.upstreamSeconds.observe(labels, value);

  constructor() {
    processMetrics(); // start Node's collectors (event-loop lag, GC) now, not at the first scrape
    const metrics = this;
    new Gauge({
      name: 'rosetta_circuit_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [upstream, state] of metrics.live?.breakers() ?? []) this.set({ upstream }, BREAKER_VALUE[state]);
      },
    });
    new Gauge({
      name: 'rosetta_upstream_requests_in_flight',
      help: 'Upstream requests open now (streams until their last byte).',
      registers: [this.registry],
      collect() {
        this.set(metrics.live?.upstreamLoad().active ?? 0);
      },
    });
    new Gauge({
      name: 'rosetta_upstream_requests_queued',
      help: 'Requests waiting for an upstream slot (MAX_CONCURRENT_UPSTREAM).',
      registers: [this.registry],
      collect() {
        this.set(metrics.live?.upstreamLoad().queued ?? 0);
      },
    });
    new Gauge({
      name: 'rosetta_requests_in_flight',
      help: 'Client requests being served now.',
      registers: [this.registry],
      collect() {
        this.set(metrics.live?.inFlightRequests() ?? 0);
      },
    });
    new Gauge({
      name: 'rosetta_ready',
      help: '1 while the gateway takes traffic, 0 while it drains for shutdown.',
      registers: [this.registry],
      collect() {
        this.set(metrics.live?.ready() ? 1 : 0);
      },
    });
  }

  bindLive(live: LiveState): void {
    this.live = live;
  }

  // -- requests ---------------------------------------------------------------------------------

  request(route: string, pair: string, status: number, seconds: number): void {
    this.pending.add(this.countRequest, { route, pair, status: String(status) }, 1);
    this.pending.add(this.timeRequest, { route, pair }, seconds);
  }

  firstEvent(pair: string, seconds: number): void {
    this.pending.add(this.timeFirstEvent, { pair }, seconds);
  }

  events(pair: string, count: number): void {
    if (count > 0) this.pending.add(this.countEvents, { pair }, count);
  }

  rules(pair: string, hook: 'request' | 'response', seconds: number): void {
    this.pending.add(this.timeRules, { pair, hook }, seconds);
  }

  rateLimited(): void {
    this.rejections.inc({ reason: 'rate_limited' });
  }

  reload(ok: boolean): void {
    this.reloads.inc({ result: ok ? 'success' : 'failure' });
  }

  // -- the upstream (UpstreamObserver) ------------------------------------------------------------

  attempt(upstream: string, outcome: string, seconds: number): void {
    this.pending.add(this.timeAttempt, { upstream, outcome }, seconds);
  }

  retry(upstream: string, reason: RetryReason): void {
    this.retries.inc({ upstream, reason });
  }

  breakerChanged(): void {
    // Read at scrape time (the gauge's collect); an open breaker turns half-open by the clock alone.
  }

  rejected(reason: 'queue_full' | 'queue_timeout' | 'circuit_open'): void {
    this.rejections.inc({ reason });
  }

  // -- exposition -----------------------------------------------------------------------------------

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    this.pending.apply();
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }
}
