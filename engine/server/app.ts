/**
 * Assembles the Express app: request id → access log → health → auth → JSON body → dispatch to
 * the pair that serves the route. Routes are looked up in the live mapping set on every request,
 * so a reload changes what is served without touching Express.
 */
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayConfig } from '../config/env-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../observe/logger.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { createKeyChecker } from './auth.js';
import { handleMappedRoute } from './mapped-route.js';
import { routeTableOf } from './route-table.js';
import { sendGatewayError } from './send-error.js';

export interface AppDeps {
  config: GatewayConfig;
  registry: MappingRegistry;
  upstream: UpstreamClient;
  log: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function createApp(deps: AppDeps): express.Express {
  const { config, registry, log } = deps;
  const keys = createKeyChecker(config.gatewayApiKeys);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomBytes(12).toString('hex')}`;
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

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', pairs: registry.current().pairs.map((p) => p.name) });
  });

  const gatewayError = (req: Request, res: Response, error: GatewayError) =>
    sendGatewayError(res, routeTableOf(registry.current()).pairFor(req.path), error, log.child({ requestId: res.locals.requestId }));

  app.use((req, res, next) => {
    if (keys.accepts(req.headers)) return next();
    void gatewayError(req, res, new GatewayError('GW_ERR_AUTH', 'invalid x-api-key (or Authorization bearer token)'));
  });

  app.get('/admin/mappings', (_req, res) => {
    const set = registry.current();
    const status = registry.status();
    res.json({
      live: { loaded_at: set.loadedAt.toISOString(), pairs: set.pairs.map((p) => ({ name: p.name, routes: p.routes.map((r) => `${r.method} ${r.path}`), rules: p.rules.length, examples: p.examples.length })) },
      last_reload: { ok: status.ok, at: status.at.toISOString(), problems: status.problems.map((p) => ({ file: p.file, line: p.line, col: p.col, at: p.at, message: p.message })) },
    });
  });

  // Clients decide JSON vs stream in the body, and some send no JSON content-type at all, so every
  // POST body on a mapped path is read as JSON.
  app.use(express.json({ limit: config.maxBodyBytes, type: () => true, strict: true }));

  app.use((req, res) => {
    const set = registry.current();
    const table = routeTableOf(set);
    const match = table.match(req.method, req.path);
    if (!match) {
      const error = table.hasPath(req.path)
        ? new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`)
        : new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`);
      return void gatewayError(req, res, error);
    }
    res.locals.pair = match.pair.name;
    const requestLog = log.child({ requestId: res.locals.requestId, pair: match.pair.name });
    void handleMappedRoute(req, res, match.pair, match.route, {
      upstream: deps.upstream,
      upstreamValidation: config.upstreamValidation,
      maxUpstreamResponseBytes: config.upstream.maxResponseBytes,
      stream: config.stream,
    }, requestLog);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void gatewayError(req, res, toGatewayError(err, config.maxBodyBytes));
  });
  return app;
}

/** Body-parser and other middleware errors → catalogue errors. */
function toGatewayError(err: unknown, limit: number): GatewayError {
  if (err instanceof GatewayError) return err;
  const type = (err as { type?: string })?.type;
  if (type === 'entity.too.large') return new GatewayError('GW_ERR_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`);
  if (type === 'entity.parse.failed') return new GatewayError('GW_ERR_BAD_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new GatewayError('GW_ERR_UNSUPPORTED_MEDIA', (err as Error).message);
  if (type === 'request.aborted') return new GatewayError('GW_ERR_BAD_JSON', 'request body was cut off');
  return new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway', { cause: err });
}
