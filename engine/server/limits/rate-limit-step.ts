/**
 * The per-key rate limit as a step of a request (RATE_LIMIT_RPM), taken after auth and before any
 * body is read, so a limited client costs nothing. Framework-free: the mapped lane and the Express
 * side of the app both call it, and render a refusal like every other gateway error.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../errors/gateway-error.js';
import { presentedKey } from '../auth.js';
import type { RateLimitStore } from './rate-limit.js';

/**
 * Whose bucket a request draws from: the client's key (as a digest — raw keys are not kept as map
 * keys), or its address on an open gateway.
 */
export function rateLimitKey(req: IncomingMessage): string {
  const key = presentedKey(req.headers);
  if (key) return `key:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24)}`;
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** Takes a token for the request; a GW_ERR_RATE_LIMITED (with retry-after) when there is none. */
export async function takeRateToken(store: RateLimitStore, req: IncomingMessage, onLimited: () => void, now: () => number = Date.now): Promise<GatewayError | undefined> {
  const decision = await store.take(rateLimitKey(req), now());
  if (decision.allowed) return undefined;
  onLimited();
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return new GatewayError('GW_ERR_RATE_LIMITED', `rate limit reached for this key; retry in ${seconds} s`, { headers: { 'retry-after': String(seconds) } });
}
