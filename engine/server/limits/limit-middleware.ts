/**
 * The Express faces of the request limits: the JSON shape guard (after the body parser) and the
 * per-key rate limit (after auth). Both fail through next(err), so the app's error handler renders
 * the catalogue error in the serving pair's API shape like every other gateway error.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import { presentedKey } from '../auth.js';
import { checkJsonShape } from './json-guard.js';
import type { RateLimitStore } from './rate-limit.js';

export function jsonShapeGuard(maxDepth: number): RequestHandler {
  return (req, _res, next) => {
    try {
      checkJsonShape(req.body, maxDepth);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Whose bucket a request draws from: the client's key (as a digest — raw keys are not kept as map
 * keys), or its address on an open gateway.
 */
export function rateLimitKey(req: Request): string {
  const key = presentedKey(req.headers);
  if (key) return `key:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

export function rateLimiter(store: RateLimitStore, onLimited: (req: Request) => void = () => {}, now: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    Promise.resolve(store.take(rateLimitKey(req), now())).then(
      (decision) => {
        if (decision.allowed) return next();
        onLimited(req);
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        next(new GatewayError('GW_ERR_RATE_LIMITED', `rate limit reached for this key; retry in ${seconds} s`, { headers: { 'retry-after': String(seconds) } }));
      },
      (err: unknown) => next(err),
    );
  };
}
