/**
 * Starts a gateway: load and check the mappings, build the app, listen. Used by `rosetta start`,
 * the end-to-end tests and the benchmark alike. Also assembles the production layer — the
 * resilient upstream (breaker, concurrency cap, retries), metrics, the rate limiter — and owns
 * the graceful shutdown (server/shutdown.ts).
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config/env-config.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { GatewayMetrics } from '../observe/metrics.js';
import { secrets } from '../observe/redact.js';
import { loadMappingSet, type MappingSet } from '../spec/load-mapping-set.js';
import { MappingRegistry } from '../spec/registry.js';
import { watchMappings, type HotReload } from '../spec/hot-reload.js';
import { formatProblem } from '../spec/yaml-file.js';
import { ResilientUpstream, type UpstreamObserver } from '../upstream/resilient-upstream.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { createApp } from './app.js';
import { Builtins, type BatchesControl } from '../builtins/builtins.js';
import { TokenBucketStore } from './limits/rate-limit.js';
import type { ProductionLayer } from './production-layer.js';
import { drainAndClose, Lifecycle, type ShutdownHook, type ShutdownReport } from './shutdown.js';

export interface RunningGateway {
  url: string;
  port: number;
  registry: MappingRegistry;
  /** Present when the gateway watches its mappings (config.hotReload). */
  hotReload?: HotReload;
  log: Logger;
  metrics: GatewayMetrics;
  /** `http://host:port/metrics` of the separate metrics listener, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** False from the moment a shutdown starts (/readyz answers 503). */
  readonly ready: boolean;
  /** Registers work to do at shutdown, e.g. a batch worker's checkpoint; awaited within the grace period. */
  onShutdown(hook: ShutdownHook): void;
  /** Graceful shutdown (SIGTERM): drain, then close everything. Resolves once; later calls share it. */
  shutdown(options?: { graceMs?: number; delayMs?: number }): Promise<ShutdownReport>;
  /** The same as shutdown(), for callers that only want it over with. */
  close(): Promise<void>;
  /** The message-batch worker; stopped at shutdown (items in flight finish or rerun at the next start). */
  batches: BatchesControl;
}

export class MappingLoadError extends Error {}

export async function startGateway(config: GatewayConfig, env: NodeJS.ProcessEnv, log: Logger = createLogger(config.logLevel)): Promise<RunningGateway> {
  const loadOptions = { mappingsDir: config.mappingsDir, schemasDir: config.schemasDir, env };
  const { set, problems } = await loadMappingSet(loadOptions);
  if (!set) throw new MappingLoadError(`the mappings have problems:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  for (const key of config.gatewayApiKeys) secrets.add(key);
  registerSecretsOf(set);
  const registry = new MappingRegistry(set);
  if (config.forwardClientKey) {
    log.info({ allowList: config.gatewayApiKeys.length > 0 }, 'FORWARD_CLIENT_KEY=on: each client\'s own key is sent upstream; the pairs\' configured keys are not used');
  } else if (config.gatewayApiKeys.length === 0) {
    log.warn('GATEWAY_API_KEYS is not set: the gateway is OPEN — anyone who can reach it can spend the upstream key');
  }

  const metrics = new GatewayMetrics();
  const lifecycle = new Lifecycle();
  const { limits, resilience } = config;
  const client = new UpstreamClient({ ...config.upstream, connections: Math.max(256, limits.maxConcurrentUpstream) });
  const upstream = new ResilientUpstream(
    client,
    {
      retry: { maxRetries: resilience.maxRetries, baseDelayMs: resilience.retryBaseDelayMs, maxDelayMs: resilience.retryMaxDelayMs, budgetPercent: resilience.retryBudgetPercent },
      breaker: { failureThreshold: resilience.breakerFailures, failurePercent: resilience.breakerFailurePercent, cooldownMs: resilience.breakerCooldownMs },
      gate: { maxConcurrent: limits.maxConcurrentUpstream, maxQueue: limits.maxQueue, queueTimeoutMs: limits.queueTimeoutMs },
    },
    loggingObserver(metrics, log),
  );
  const production: ProductionLayer = {
    upstream,
    metrics,
    lifecycle,
    rateLimit: limits.rateLimitPerMinute > 0 ? new TokenBucketStore({ perMinute: limits.rateLimitPerMinute, burst: limits.rateLimitBurst }) : undefined,
    clientKeyHeaderOf: (pair) => registry.current().pairs.find((p) => p.name === pair)?.upstream.clientKeyHeader,
  };
  metrics.bindLive({
    breakers: () => upstream.breakerStates(),
    upstreamLoad: () => upstream.load(),
    ready: () => lifecycle.ready,
    inFlightRequests: () => lifecycle.inFlight,
  });

  const builtins = new Builtins({
    config,
    registry,
    pipeline: { upstream, upstreamValidation: config.upstreamValidation, maxUpstreamResponseBytes: config.upstream.maxResponseBytes, metrics, logBodies: config.observe.logBodies },
    log,
  });
  await builtins.start(); // resumes batches a crash or a restart interrupted
  lifecycle.onShutdown(() => builtins.stop(config.shutdown.graceMs));
  const handler = createApp({ config, registry, upstream: client, log, production, builtins });
  const server = await listen(handler, config.port, config.host);
  // Streams can be long; the server's own timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  const metricsServer = config.observe.metricsPort === undefined ? undefined : await listen(metricsOnly(metrics), config.observe.metricsPort, config.host);

  const hotReload = config.hotReload
    ? watchMappings(registry, loadOptions, log, undefined, (ok) => {
        metrics.reload(ok);
        if (ok) registerSecretsOf(registry.current());
      })
    : undefined;
  // An edit made right after start must not slip past a watcher still scanning the folders.
  await hotReload?.ready;
  const { port } = server.address() as AddressInfo;
  log.info({ port, host: config.host, pairs: set.pairs.map((p) => p.name), metricsPort: metricsServer && (metricsServer.address() as AddressInfo).port }, 'rosetta is serving');

  let shutdown: Promise<ShutdownReport> | undefined;
  const running: RunningGateway = {
    url: urlOf(config.host, port),
    port,
    registry,
    hotReload,
    log,
    metrics,
    metricsUrl: metricsServer && `${urlOf(config.host, (metricsServer.address() as AddressInfo).port)}/metrics`,
    get ready() {
      return lifecycle.ready;
    },
    onShutdown: (hook) => lifecycle.onShutdown(hook),
    batches: builtins.batches,
    shutdown(options = {}) {
      shutdown ??= drainAndClose(
        {
          servers: metricsServer ? [server, metricsServer] : [server],
          lifecycle,
          log,
          async release(force) {
            await hotReload?.close();
            await (force ? client.destroy() : client.close());
          },
        },
        { graceMs: options.graceMs ?? config.shutdown.graceMs, delayMs: options.delayMs ?? config.shutdown.delayMs },
      );
      return shutdown;
    },
    async close() {
      await running.shutdown();
    },
  };
  return running;
}

/** The values of every pair's upstream headers (the upstream keys) and base URL credentials. */
function registerSecretsOf(set: MappingSet): void {
  for (const pair of set.pairs) {
    for (const value of Object.values(pair.upstream.headers)) secrets.add(value);
    try {
      const url = new URL(pair.upstream.baseUrl);
      secrets.add(decodeURIComponent(url.password));
    } catch {
      // not a URL: nothing to register
    }
  }
}

/** Metrics, plus a log line whenever an upstream's breaker changes state. */
function loggingObserver(metrics: GatewayMetrics, log: Logger): UpstreamObserver {
  return {
    attempt: (upstream, outcome, seconds) => metrics.attempt(upstream, outcome, seconds),
    retry: (upstream, reason) => metrics.retry(upstream, reason),
    rejected: (reason) => metrics.rejected(reason),
    breakerChanged(upstream, state) {
      if (state === 'open') log.warn({ upstream }, 'circuit breaker OPEN: the upstream keeps failing; answering 529 until a probe succeeds');
      else if (state === 'half_open') log.info({ upstream }, 'circuit breaker half-open: letting one probe request through');
      else log.info({ upstream }, 'circuit breaker closed');
    },
  };
}

/** The separate METRICS_PORT listener: /metrics only, without keys (keep it off public networks). */
function metricsOnly(metrics: GatewayMetrics): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  };
}

function listen(handler: http.RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = http.createServer(handler);
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
