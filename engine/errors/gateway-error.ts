/**
 * The one error type of the engine. Every failure the gateway raises itself carries a code from
 * the catalogue below; tests assert on the code, never on message text. How the client sees it
 * (status, body shape) is decided by the pair's `errors.gateway` rules, so the engine stays free
 * of any provider's error format.
 */

/** Provider-neutral kinds of failure; the pair's gateway error rules map them to the client's API. */
export type ErrorCategory =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limited'
  | 'overloaded'
  | 'upstream'
  | 'timeout'
  | 'internal';

export const ERROR_CATALOGUE = {
  GW_ERR_BAD_JSON: { status: 400, category: 'invalid_request' },
  GW_ERR_JSON_TOO_DEEP: { status: 400, category: 'invalid_request' },
  GW_ERR_JSON_FORBIDDEN_KEY: { status: 400, category: 'invalid_request' },
  GW_ERR_SCHEMA: { status: 400, category: 'invalid_request' },
  GW_ERR_MAPPING_FAILED: { status: 400, category: 'invalid_request' },
  GW_ERR_AUTH: { status: 401, category: 'authentication' },
  GW_ERR_NOT_FOUND: { status: 404, category: 'not_found' },
  GW_ERR_ROUTE_NOT_FOUND: { status: 404, category: 'not_found' },
  GW_ERR_METHOD_NOT_ALLOWED: { status: 405, category: 'invalid_request' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, category: 'request_too_large' },
  GW_ERR_UNSUPPORTED_MEDIA: { status: 415, category: 'invalid_request' },
  GW_ERR_RATE_LIMITED: { status: 429, category: 'rate_limited' },
  GW_ERR_OVERLOADED: { status: 529, category: 'overloaded' },
  /** Every upstream slot is taken and the wait queue is full (or the wait timed out). */
  GW_ERR_UPSTREAM_BUSY: { status: 529, category: 'overloaded' },
  /** The upstream's circuit breaker is open: failing fast instead of piling onto a failing upstream. */
  GW_ERR_CIRCUIT_OPEN: { status: 529, category: 'overloaded' },
  GW_ERR_UPSTREAM_PAYLOAD: { status: 500, category: 'internal' },
  GW_ERR_UPSTREAM_RESPONSE: { status: 502, category: 'upstream' },
  GW_ERR_TIMEOUT: { status: 504, category: 'timeout' },
  GW_ERR_INTERNAL: { status: 500, category: 'internal' },
} as const satisfies Record<string, { status: number; category: ErrorCategory }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Status and category for a `$fail(category, …)` raised by a mapping rule. */
export const CATEGORY_STATUS: Record<ErrorCategory, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limited: 429,
  overloaded: 529,
  upstream: 502,
  timeout: 504,
  internal: 500,
};

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly category: ErrorCategory;
  /** Extra response headers, e.g. retry-after on a rate limit. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string>; category?: ErrorCategory; status?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.category = options.category ?? ERROR_CATALOGUE[code].category;
    this.status = options.status ?? ERROR_CATALOGUE[code].status;
    this.headers = options.headers ?? {};
  }
}

export function isErrorCategory(value: unknown): value is ErrorCategory {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATEGORY_STATUS, value);
}
