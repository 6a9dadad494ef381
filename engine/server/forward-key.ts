/**
 * FORWARD_CLIENT_KEY=on: each client spends its own upstream key. The key the client presented
 * (x-api-key or Authorization: Bearer — the same places auth.ts reads) replaces the pair's key
 * header: by default `authorization` as `Bearer <key>`, the standard HTTP bearer scheme (RFC 6750);
 * a pair whose upstream wants its key elsewhere names that header in its YAML
 * (`upstream.client_key_header`, e.g. `x-api-key` with no prefix), so the engine still needs no
 * knowledge of any provider. Either way the client's key is written over the pair's header of the
 * same name, so the operator's key for that upstream is not sent next to it.
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
import { DEFAULT_CLIENT_KEY_HEADER, type ClientKeyHeader } from '../spec/compile-pair.js';

/** The upstream headers that carry the client's key, or undefined when it presented none. */
export function forwardedKeyHeaders(headers: IncomingHttpHeaders, target: ClientKeyHeader = DEFAULT_CLIENT_KEY_HEADER): Record<string, string> | undefined {
  const key = presentedKey(headers);
  return key ? { [target.name]: `${target.prefix}${key}` } : undefined;
}

/** The same sender, with some headers of every call replaced (per request: the client's key). */
export function withUpstreamHeaders(sender: UpstreamSender, headers: Record<string, string>): UpstreamSender {
  return {
    send: (call: UpstreamCall, log?: Logger): Promise<UpstreamReply> => sender.send({ ...call, headers: { ...call.headers, ...headers } }, log),
  };
}
