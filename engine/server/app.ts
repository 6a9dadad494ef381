/**
 * Assembles the Express app: request id → access log → health → auth → JSON body → dispatch to
 * the pair that serves the route. Routes are looked up in the live mapping set on every request,
 * so a reload changes what is served without touching Express.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayConfig } from '../config/env-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { Builtins } from '../builtins/builtins.js';
import { REVIEW_BASE, reviewRoutes } from '../review/admin-review.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { createKeyChecker } from './auth.js';
import { jsonBodyParser } from './limits/body-limits.js';
import { jsonShapeGuard, rateLimiter } from './limits/limit-middleware.js';
import { metricsHandler, minimalProductionLayer, observeRequests, pipelineExtras, readyHandler, type ProductionLayer } from './production-layer.js';
import { handleMappedRoute } from './mapped-route.js';
import { createTracing } from '../observe/tracing.js';
import { chooseRoute, routeTableOf, type Match } from './route-table.js';
import { sendGatewayError } from './send-error.js';

export interface AppDeps {
  config: GatewayConfig;
  registry: MappingRegistry;
  upstream: UpstreamClient;
  log: Logger;
  /** Metrics, readiness, limits and the resilient upstream (server/production-layer.ts). */
  production?: ProductionLayer;
  /** Files, batches, models, token counting (engine/builtins/); absent: those routes answer 404. */
  builtins?: Builtins;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** `req_` and 24 random hex digits. randomUUID draws from a pooled entropy cache (randomBytes does a syscall-backed fill each time). */
function newRequestId(): string {
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 18)}${uuid.slice(19, 23)}${uuid.slice(24, 29)}`;
}

export function createApp(deps: AppDeps): express.Express {
  const { config, registry, log } = deps;
  const keys = createKeyChecker(config.gatewayApiKeys, { requireKey: config.forwardClientKey });
  const production = deps.production ?? minimalProductionLayer(deps.upstream);
  const tracing = createTracing(config.observe.tracing);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    res.locals.requestId = id;
    res.setHeader('request-id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      log.info({
        requestId: id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        upstreamStatus: res.locals.upstreamStatus,
        pair: res.locals.pair,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      }, 'request');
    });
    next();
  });

  app.use(observeRequests(production, registry)); // in-flight count, metrics, connection: close while draining

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', pairs: registry.current().pairs.map((p) => p.name) });
  });
  app.get('/readyz', readyHandler(production, registry)); // 503 while draining for shutdown

  const gatewayError = (req: Request, res: Response, error: GatewayError) =>
    sendGatewayError(res, routeTableOf(registry.current()).pairFor(req.path), error, log.child({ requestId: res.locals.requestId }));

  app.use((req, res, next) => {
    if (keys.accepts(req.headers)) return next();
    void gatewayError(req, res, new GatewayError('GW_ERR_AUTH', 'invalid x-api-key (or Authorization bearer token)'));
  });

  // Prometheus behind the gateway's keys, unless METRICS_PORT serves it on a listener of its own.
  if (config.observe.metricsPort === undefined) app.get('/metrics', metricsHandler(production.metrics));
  // Per-key rate limit (RATE_LIMIT_RPM), before any body is read: a limited client costs nothing.
  if (production.rateLimit) app.use(rateLimiter(production.rateLimit, () => production.metrics.rateLimited()));

  app.get('/admin/mappings', (_req, res) => {
    const set = registry.current();
    const status = registry.status();
    res.json({
      live: { loaded_at: set.loadedAt.toISOString(), pairs: set.pairs.map((p) => ({ name: p.name, routes: [...p.routes.map((r) => `${r.method} ${r.path}`), ...p.builtins.routes.map((r) => `${r.method ?? '*'} ${r.path} (built-in ${r.builtin})`)], rules: p.rules.length, examples: p.examples.length })) },
      last_reload: { ok: status.ok, at: status.at.toISOString(), problems: status.problems.map((p) => ({ file: p.file, line: p.line, col: p.col, at: p.at, message: p.message })) },
    });
  });

  // The review pages of the live set (read-only HTML, behind the keys like /admin/mappings).
  app.use(REVIEW_BASE, reviewRoutes(registry));

  // Clients decide JSON vs stream in the body, and some send no JSON content-type at all, so every
  // POST body on a mapped path is read as JSON.
  // Limits per kind of route (limits/body-limits.ts): built-in routes pick theirs — batches
  // BATCH_MAX_BODY_BYTES, file uploads `undefined` (streamed, limited while streaming).
  app.use(jsonBodyParser((req) => (deps.builtins ? deps.builtins.bodyLimitFor(req) : config.maxBodyBytes)));
  app.use(jsonShapeGuard(config.limits.maxJsonDepth)); // nesting depth, __proto__ / constructor.prototype

  app.use((req, res) => {
    const set = registry.current();
    const table = routeTableOf(set);
    const candidates = table.candidates(req.method, req.path);
    if (candidates.length === 0) {
      const error = table.hasPath(req.path)
        ? new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`)
        : new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`);
      return void gatewayError(req, res, error);
    }
    if (candidates.length === 1) return serve(req, res, candidates[0]);
    chooseRoute(candidates, { body: req.body, headers: req.headers }, log).then((match) => {
      if (match) return serve(req, res, match);
      const model = (req.body as { model?: unknown } | undefined)?.model;
      const pairs = candidates.map((c) => c.pair.name).join(', ');
      void gatewayError(req, res, new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no pair takes this ${req.method} ${req.path}${typeof model === 'string' ? ` (model "${model}")` : ''}: the when: conditions of ${pairs} all declined it`));
    }, (err: unknown) => void gatewayError(req, res, toGatewayError(err, config.maxBodyBytes)));
  });

  /** Hands the request to the route the table chose: a built-in, or the mapped pipeline. */
  function serve(req: Request, res: Response, match: Match): void {
    res.locals.pair = match.pair.name;
    const requestLog = log.child({ requestId: res.locals.requestId, pair: match.pair.name });
    const failed = (err: unknown) => gatewayError(req, res, toGatewayError(err, config.maxBodyBytes));
    if (match.builtin) {
      if (!deps.builtins) return void gatewayError(req, res, new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`));
      return void deps.builtins.handle(req, res, match, requestLog).catch(failed);
    }
    const run = () => handleMappedRoute(req, res, match.pair, match.route, {
      tracing,
      upstreamValidation: config.upstreamValidation,
      maxUpstreamResponseBytes: config.upstream.maxResponseBytes,
      // upstream (the resilient one, or with the forwarded key), stream settings with metrics hooks, …
      ...pipelineExtras(production, config, req, res, match.pair.name),
    }, requestLog);
    // Stored files the body refers to are pre-loaded for the rules' $file (builtins/files/file-snapshot.ts).
    void (deps.builtins ? deps.builtins.withFiles(req.body, run) : run()).catch(failed);
  }

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void gatewayError(req, res, toGatewayError(err, config.maxBodyBytes));
  });
  return app;
}

/** Body-parser and other middleware errors → catalogue errors. */
function toGatewayError(err: unknown, limit: number): GatewayError {
  if (err instanceof GatewayError) return err;
  const type = (err as { type?: string })?.type;
  if (type === 'entity.too.large') return new GatewayError('GW_ERR_BODY_TOO_LARGE', `request body is larger than ${(err as { limit?: number }).limit ?? limit} bytes`);
  if (type === 'entity.parse.failed') return new GatewayError('GW_ERR_BAD_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new GatewayError('GW_ERR_UNSUPPORTED_MEDIA', (err as Error).message);
  if (type === 'request.aborted') return new GatewayError('GW_ERR_BAD_JSON', 'request body was cut off');
  return new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway', { cause: err });
}
