/**
 * Assembles the gateway's request handler. Every request first gets its bookkeeping (request id,
 * access log, in-flight count, metrics: request-context.ts). Then:
 *
 * - a request on a path only mapped routes serve (the translated API traffic: every request of a
 *   client, nearly all the load) takes the mapped lane, plain node:http: auth → rate limit → JSON
 *   body → route choice → the mapped pipeline;
 * - everything else (health, metrics, admin and review pages, the built-ins' files, batches,
 *   models and token counts) goes to an Express app with the same steps, where routing,
 *   parameters and the built-ins' streamed uploads are worth what Express costs.
 *
 * The steps are the same functions on both sides (auth, takeRateToken, readBody, dispatch), so
 * the lanes cannot drift apart. Routes are looked up in the live mapping set on every request, so
 * a reload changes what is served without touching Express.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayConfig } from '../config/env-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { Builtins } from '../builtins/builtins.js';
import { REVIEW_BASE, reviewRoutes } from '../review/admin-review.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { createKeyChecker } from './auth.js';
import { checkJsonShape } from './limits/json-guard.js';
import { readJsonBody } from './limits/read-json-body.js';
import { takeRateToken } from './limits/rate-limit-step.js';
import { metricsHandler, minimalProductionLayer, pipelineExtras, readyHandler, type ProductionLayer } from './production-layer.js';
import { handleMappedRoute } from './mapped-route.js';
import { createTracing } from '../observe/tracing.js';
import { beginRequest, contextOf, type RequestContext } from './request-context.js';
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

export function createApp(deps: AppDeps): RequestListener {
  const { config, registry, log } = deps;
  const keys = createKeyChecker(config.gatewayApiKeys, { requireKey: config.forwardClientKey });
  const production = deps.production ?? minimalProductionLayer(deps.upstream);
  const tracing = createTracing(config.observe.tracing);

  const unauthorized = (req: IncomingMessage): GatewayError | undefined =>
    keys.accepts(req.headers) ? undefined : new GatewayError('GW_ERR_AUTH', 'invalid x-api-key (or Authorization bearer token)');
  // Per-key rate limit (RATE_LIMIT_RPM), after auth and before any body is read: a limited client costs nothing.
  const rateLimited = async (req: IncomingMessage): Promise<GatewayError | undefined> =>
    production.rateLimit ? takeRateToken(production.rateLimit, req, () => production.metrics.rateLimited()) : undefined;

  /** The JSON body, checked for nesting depth and prototype keys before anything looks at it. */
  const readBody = async (req: IncomingMessage, limit: number): Promise<unknown> => {
    const body = await readJsonBody(req, limit);
    checkJsonShape(body, config.limits.maxJsonDepth);
    return body;
  };

  const fail = (res: ServerResponse, err: unknown): Promise<void> => {
    const context = contextOf(res);
    if (!(err instanceof GatewayError)) log.error({ err, requestId: context.requestId }, 'unexpected failure in the gateway');
    const error = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway', { cause: err });
    return sendGatewayError(res, routeTableOf(registry.current()).pairFor(context.path), error, log.child({ requestId: context.requestId }));
  };

  /** Picks the pair among the candidates (their `when:` conditions) and hands it the request. */
  const dispatch = async (req: IncomingMessage, res: ServerResponse, body: unknown, candidates: Match[]): Promise<void> => {
    const match = candidates.length === 1 ? candidates[0] : await chooseRoute(candidates, { body, headers: req.headers }, log);
    if (!match) {
      const model = (body as { model?: unknown } | undefined)?.model;
      const pairs = candidates.map((c) => c.pair.name).join(', ');
      throw new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no pair takes this ${req.method} ${contextOf(res).path}${typeof model === 'string' ? ` (model "${model}")` : ''}: the when: conditions of ${pairs} all declined it`);
    }
    const context = contextOf(res);
    context.pair = match.pair.name;
    context.route = match.builtin ? match.builtin.operation : match.route.path;
    const requestLog = log.child({ requestId: context.requestId, pair: match.pair.name });
    if (match.builtin) {
      // Built-in candidates only come through Express (the mapped lane takes paths that only mapped routes serve).
      if (!deps.builtins) throw new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no route for ${req.method} ${context.path}`);
      return deps.builtins.handle(req as Request, res as Response, match, requestLog);
    }
    // upstream (the resilient one, or with the forwarded key), stream settings with metrics hooks, …
    const extras = pipelineExtras(production, config, req, context, match.pair.name);
    // Spelled out rather than spread: an object spread on every request takes V8's slow path.
    const run = () => handleMappedRoute({ req, res, body, context }, match.pair, match.route, {
      tracing,
      upstreamValidation: config.upstreamValidation,
      maxUpstreamResponseBytes: config.upstream.maxResponseBytes,
      upstream: extras.upstream,
      metrics: extras.metrics,
      logBodies: extras.logBodies,
      stream: extras.stream,
    }, requestLog);
    // Stored files the body refers to are pre-loaded for the rules' $file (builtins/files/file-snapshot.ts).
    return deps.builtins ? deps.builtins.withFiles(body, run) : run();
  };

  const mappedLane = async (req: IncomingMessage, res: ServerResponse, candidates: Match[]): Promise<void> => {
    try {
      const refused = unauthorized(req) ?? (await rateLimited(req));
      if (refused) throw refused;
      await dispatch(req, res, await readBody(req, config.maxBodyBytes), candidates);
    } catch (err) {
      await fail(res, err);
    }
  };

  const rest = expressApp(deps, { production, unauthorized, rateLimited, readBody, dispatch, fail });

  return (req, res) => {
    const context = beginRequest(req, res, { log, production, registry });
    // The candidates come from the set live now; a reload while the body is read does not change them.
    const candidates = routeTableOf(registry.current()).candidates(req.method ?? 'GET', context.path);
    if (candidates.length > 0 && candidates.every((c) => !c.builtin)) return void mappedLane(req, res, candidates);
    rest(req, res);
  };
}

interface Steps {
  production: ProductionLayer;
  unauthorized(req: IncomingMessage): GatewayError | undefined;
  rateLimited(req: IncomingMessage): Promise<GatewayError | undefined>;
  readBody(req: IncomingMessage, limit: number): Promise<unknown>;
  dispatch(req: IncomingMessage, res: ServerResponse, body: unknown, candidates: Match[]): Promise<void>;
  fail(res: ServerResponse, err: unknown): Promise<void>;
}

/** Everything but the mapped lane: the gateway's own pages, admin, and the built-ins. */
function expressApp(deps: AppDeps, steps: Steps): express.Express {
  const { config, registry } = deps;
  const { production } = steps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  /** Runs a step as middleware: its refusal (or failure) is the answer, else on to the next. */
  const step = (run: (req: Request) => GatewayError | undefined | Promise<GatewayError | undefined>) => (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve(run(req)).then((refused) => (refused ? void steps.fail(res, refused) : next()), (err: unknown) => void steps.fail(res, err));
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', pairs: registry.current().pairs.map((p) => p.name) });
  });
  app.get('/readyz', readyHandler(production, registry)); // 503 while draining for shutdown

  // Auth, then (unless METRICS_PORT serves it on a listener of its own) Prometheus behind the keys,
  // then the rate limit.
  app.use(step(steps.unauthorized));
  if (config.observe.metricsPort === undefined) app.get('/metrics', metricsHandler(production.metrics));
  app.use(step(steps.rateLimited));

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

  // Limits per kind of route: built-in routes pick theirs — batches BATCH_MAX_BODY_BYTES, file
  // uploads `undefined` (streamed, limited while streaming, so not read here).
  app.use((req, res, next) => {
    const limit = deps.builtins ? deps.builtins.bodyLimitFor(req) : config.maxBodyBytes;
    if (limit === undefined) return next();
    steps.readBody(req, limit).then((body) => {
      req.body = body;
      next();
    }, (err: unknown) => void steps.fail(res, err));
  });

  app.use((req, res) => {
    const table = routeTableOf(registry.current());
    const candidates = table.candidates(req.method, req.path);
    if (candidates.length === 0) {
      const error = table.hasPath(req.path)
        ? new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`)
        : new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`);
      return void steps.fail(res, error);
    }
    steps.dispatch(req, res, req.body, candidates).catch((err: unknown) => steps.fail(res, err));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    void steps.fail(res, err);
  });
  return app;
}
