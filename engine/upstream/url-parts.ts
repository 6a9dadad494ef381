/**
 * An upstream URL split into what undici's dispatcher takes (origin, path with query) and the
 * label metrics and logs use (the origin). Every request of a route calls the same URL, so the
 * split is memoised: parsing it (WHATWG URL) on each call was a measurable share of a request.
 */

export interface UrlParts {
  /** `scheme://host[:port]`, without credentials. */
  origin: string;
  /** The path and query: `/v1/responses?x=1`. */
  path: string;
}

/** Distinct URLs kept; past it the memo starts over (URLs are per route, so a few in practice). */
const MEMO_LIMIT = 256;
const memo = new Map<string, UrlParts>();

/** Throws (a TypeError with code ERR_INVALID_URL) when `url` is not an absolute URL. */
export function urlParts(url: string): UrlParts {
  let parts = memo.get(url);
  if (parts === undefined) {
    const parsed = new URL(url);
    parts = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(url, parts);
  }
  return parts;
}
