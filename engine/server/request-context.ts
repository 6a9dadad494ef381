/**
 * What the gateway keeps about a request while it is served, and the bookkeeping every request
 * gets before anything else looks at it: its id (`request-id` header, in every log line and error
 * body), the access-log line when it ends, the in-flight count that shutdown waits on, the request
 * metrics, and `connection: close` while draining. Framework-free, so the mapped lane (plain
 * node:http) and the Express side of the app (built-ins, admin) share it; the context lives in
 * `res.locals`, where Express keeps it too.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/logger.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { ProductionLayer } from './production-layer.js';
import { routeTableOf } from './route-table.js';

export interface RequestContext {
  requestId: string;
  /** The URL path, without the query. */
  path: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** The pair that serves it, once chosen (log line, metrics label). */
  pair?: string;
  /** The route that serves it, once chosen: the declared path or built-in operation (metrics label). */
  route?: string;
  /** The upstream's status, once it answered. */
  upstreamStatus?: number;
  /** Translated stream events written so far. */
  streamEvents?: number;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Paths the gateway serves itself, labelled as they are in metrics (anything else unmatched is "other"). */
const OWN_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/admin/mappings']);

export function contextOf(res: ServerResponse): RequestContext {
  return (res as ServerResponse & { locals: RequestContext }).locals;
}

/** The path of a request URL (`/v1/messages?beta=true` → `/v1/messages`). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export interface BeginRequestDeps {
  log: Logger;
  production: ProductionLayer;
  registry: MappingRegistry;
}

/** Starts the bookkeeping of a request; call once, first thing. */
export function beginRequest(req: IncomingMessage, res: ServerResponse, deps: BeginRequestDeps): RequestContext {
  const { log, production } = deps;
  const incoming = req.headers['x-request-id'];
  const context: RequestContext = {
    requestId: typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newRequestId(),
    path: pathOf(req.url),
    startedAt: performance.now(),
  };
  (res as ServerResponse & { locals: RequestContext }).locals = context;
  res.setHeader('request-id', context.requestId);
  production.lifecycle.track(res);
  // While draining, every answer closes its connection, so keep-alive clients reconnect
  // elsewhere instead of holding this process open.
  if (production.lifecycle.isDraining) res.setHeader('connection', 'close');
  res.once('finish', () => {
    log.info({
      requestId: context.requestId,
      method: req.method,
      path: context.path,
      status: res.statusCode,
      upstreamStatus: context.upstreamStatus,
      pair: context.pair,
      ms: performance.now() - context.startedAt,
    }, 'request');
  });
  res.once('close', () => {
    // A response that closed before it finished (the client left, or a stream was cut) counts as
    // 499, nginx's "client closed request", whatever status its head carried.
    const status = res.writableFinished ? res.statusCode : 499;
    production.metrics.request(context.route ?? routeLabel(req.method ?? 'GET', context.path, deps.registry), context.pair ?? 'none', status, (performance.now() - context.startedAt) / 1000);
  });
  return context;
}

/** `req_` and 24 random hex digits. randomUUID draws from a pooled entropy cache (randomBytes does a syscall-backed fill each time). */
function newRequestId(): string {
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 18)}${uuid.slice(19, 23)}${uuid.slice(24, 29)}`;
}

/** The label of a request no route was chosen for (refused before, or the gateway's own pages): a bounded set. */
function routeLabel(method: string, path: string, registry: MappingRegistry): string {
  if (OWN_PATHS.has(path)) return path;
  if (path.startsWith('/admin/')) return '/admin';
  const match = routeTableOf(registry.current()).match(method, path);
  return match?.route?.path ?? match?.builtin?.operation ?? 'other';
}
