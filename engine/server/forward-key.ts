/**
 * FORWARD_CLIENT_KEY=on: each client spends its own upstream key. The key the client presented
 * (x-api-key or Authorization: Bearer — the same places auth.ts reads) replaces the pair's
 * `authorization` header as `Bearer <key>`, the standard HTTP bearer scheme (RFC 6750), so the
 * engine needs no knowledge of any provider. A pair whose upstream wants its key elsewhere would
 * need a header template instead; none does today.
 *
 * Trust: in this mode the operator's own key is never sent. GATEWAY_API_KEYS, if also set, still
 * decides which keys may pass — an allow-list of the client keys. The forwarded key is a secret
 * like the operator's: it is not logged (headers never are, and the log scrubber blanks bearer
 * tokens), and it lives only for the request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../observe/logger.js';
import type { UpstreamCall, UpstreamReply, UpstreamSender } from '../upstream/upstream-client.js';
import { presentedKey } from './auth.js';

/** The upstream headers that carry the client's key, or undefined when it presented none. */
export function forwardedKeyHeaders(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  const key = presentedKey(headers);
  return key ? { authorization: `Bearer ${key}` } : undefined;
}

/** The same sender, with some headers of every call replaced (per request: the client's key). */
export function withUpstreamHeaders(sender: UpstreamSender, headers: Record<string, string>): UpstreamSender {
  return {
    send: (call: UpstreamCall, log?: Logger): Promise<UpstreamReply> => sender.send({ ...call, headers: { ...call.headers, ...headers } }, log),
  };
}
