/**
 * Gateway keys. A client presents one as `x-api-key` or `Authorization: Bearer` (current Anthropic
 * SDKs send the latter when built with an auth token). Keys are compared as SHA-256 digests with
 * timingSafeEqual, so the comparison time says nothing about how much of a key was right. The
 * client's key is never forwarded upstream — the upstream call carries only the pair's own headers
 * — unless the operator opts in with FORWARD_CLIENT_KEY=on (server/forward-key.ts); then a key is
 * required even on a gateway without keys of its own, since it is what pays upstream.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface KeyChecker {
  /** True when no keys are configured (an open gateway). */
  readonly open: boolean;
  accepts(headers: IncomingHttpHeaders): boolean;
}

export function createKeyChecker(keys: readonly string[], options: { requireKey?: boolean } = {}): KeyChecker {
  const digests = keys.map(digest);
  return {
    open: digests.length === 0,
    accepts(headers) {
      if (digests.length === 0) return !options.requireKey || presentedKey(headers) !== undefined;
      const presented = presentedKey(headers);
      if (!presented) return false;
      const candidate = digest(presented);
      let match = false;
      for (const d of digests) match = timingSafeEqual(d, candidate) || match; // no early exit
      return match;
    },
  };
}

export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  return undefined;
}

/** One-shot hashing: a Hash object per request (createHash) costs twice as much. */
function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}
