/**
 * The operational side of the app, kept out of app.ts so that file stays a readable list of
 * steps: /readyz, /metrics, and the per-request extras of the mapped pipeline (metrics hooks,
 * LOG_BODIES, the forwarded client key). The per-request bookkeeping (in-flight count for
 * shutdown, request metrics, `connection: close` while draining) is in request-context.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { GatewayConfig } from '../config/env-config.js';
import { GatewayMetrics } from '../observe/metrics.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { RequestContext } from './request-context.js';
import type { UpstreamSender } from '../upstream/upstream-client.js';
import { forwardedKeyHeaders, withUpstreamHeaders } from './forward-key.js';
import type { ClientKeyHeader } from '../spec/compile-pair.js';
import type { RateLimitStore } from './limits/rate-limit.js';
import type { MappedRouteDeps } from './mapped-route.js';
import { Lifecycle } from './shutdown.js';

export interface ProductionLayer {
  /**
   * The upstream as requests should use it: circuit breaker, concurrency cap and retries around
   * the pooled client (upstream/resilient-upstream.ts). Batch items and built-ins that call the
   * upstream should take this one too, so the cap and the breaker see all upstream traffic.
   */
  upstream: UpstreamSender;
  metrics: GatewayMetrics;
  lifecycle: Lifecycle;
  /** Present when RATE_LIMIT_RPM is set. */
  rateLimit?: RateLimitStore;
  /** Where a pair's upstream takes a forwarded client key (FORWARD_CLIENT_KEY); the default when absent. */
  clientKeyHeaderOf?(pair: string): ClientKeyHeader | undefined;
}

/** 200 while the gateway takes traffic with a loaded mapping set; 503 while it drains for shutdown. */
export function readyHandler(layer: ProductionLayer, registry: MappingRegistry): RequestHandler {
  return (_req, res) => {
    const pairs = registry.current().pairs.length;
    const ready = layer.lifecycle.ready && pairs > 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : layer.lifecycle.ready ? 'no mappings' : 'draining' });
  };
}

export function metricsHandler(metrics: GatewayMetrics): RequestHandler {
  return (_req, res, next) => {
    metrics.render().then((text) => {
      res.setHeader('content-type', metrics.contentType);
      res.end(text);
    }, next);
  };
}

/**
 * What a mapped request adds to the pipeline's shared deps: the metrics hooks (rule timing, time
 * to first event, events written), LOG_BODIES, and with FORWARD_CLIENT_KEY the client's key as
 * the upstream authorization.
 */
export function pipelineExtras(layer: ProductionLayer, config: GatewayConfig, req: IncomingMessage, context: RequestContext, pair: string): Pick<MappedRouteDeps, 'upstream' | 'metrics' | 'logBodies' | 'stream'> {
  let firstEvent = true;
  const forwarded = config.forwardClientKey ? forwardedKeyHeaders(req.headers, layer.clientKeyHeaderOf?.(pair)) : undefined;
  return {
    upstream: forwarded ? withUpstreamHeaders(layer.upstream, forwarded) : layer.upstream,
    metrics: layer.metrics,
    logBodies: config.observe.logBodies,
    stream: {
      pingIntervalMs: config.stream.pingIntervalMs,
      maxEventBytes: config.stream.maxEventBytes,
      onEvents(count) {
        if (firstEvent) {
          firstEvent = false;
          layer.metrics.firstEvent(pair, (performance.now() - context.startedAt) / 1000);
        }
        layer.metrics.events(pair, count);
        context.streamEvents = (context.streamEvents ?? 0) + count;
      },
    },
  };
}

/** For a caller of createApp that brings no production layer (metrics unexported, no limits). */
export function minimalProductionLayer(upstream: UpstreamSender): ProductionLayer {
  return { upstream, metrics: new GatewayMetrics(), lifecycle: new Lifecycle() };
}
