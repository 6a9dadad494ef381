/**
 * When the gateway received a request, for the rules' `$receivedAt($request)`. Rules may not read
 * a clock (a mapping must give the same answer every time it runs, examples included), so the
 * pipeline stamps the inbound body as it takes it, and the helper reads the stamp: a pure lookup
 * on the rule's own input. A body nobody stamped (an example, a test) reads 0.
 */
const stamps = new WeakMap<object, number>();

export function stampReceived(body: unknown, at: number = Date.now()): void {
  if (body !== null && typeof body === 'object' && !stamps.has(body)) stamps.set(body, Math.floor(at / 1000));
}

/** Whole seconds since 1970 (UTC) when the body was received; 0 when it was not stamped. */
export function receivedAtSeconds(body: unknown): number {
  return body !== null && typeof body === 'object' ? (stamps.get(body) ?? 0) : 0;
}
