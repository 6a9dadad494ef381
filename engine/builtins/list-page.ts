/**
 * Cursor paging over a list sorted newest first, as the list endpoints of the inbound API do it:
 * `limit` (1–1000, default 20), `after_id` (the page after that item), `before_id` (the page
 * before it), and the answer's `first_id`, `last_id`, `has_more`. `page` is the opaque cursor
 * newer SDKs send back from `next_page`; here it is the last id of the previous page, i.e. an
 * `after_id`.
 */
import { GatewayError } from '../errors/gateway-error.js';

export interface PageQuery {
  limit: number;
  afterId?: string;
  beforeId?: string;
}

export interface Page<T> {
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
  /** Cursor for clients that page with `page` (newer SDKs). */
  next_page: string | null;
}

export function readPageQuery(query: Record<string, unknown>, maxLimit = 1000, defaultLimit = 20): PageQuery {
  const text = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new GatewayError('GW_ERR_SCHEMA', `invalid request: query parameter ${name} must be given once`);
    return v;
  };
  const rawLimit = text('limit');
  const limit = rawLimit === undefined ? defaultLimit : /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new GatewayError('GW_ERR_SCHEMA', `invalid request: limit must be an integer from 1 to ${maxLimit}`);
  }
  const afterId = text('after_id') ?? text('page');
  const beforeId = text('before_id');
  if (afterId !== undefined && beforeId !== undefined) throw new GatewayError('GW_ERR_SCHEMA', 'invalid request: give after_id or before_id, not both');
  return { limit, afterId, beforeId };
}

/** One page of `items` (already sorted newest first), each with an `id`. */
export function pageOf<T extends { id: string }>(items: readonly T[], query: PageQuery): Page<T> {
  let data: T[];
  let hasMore: boolean;
  if (query.beforeId !== undefined) {
    const end = indexOrEnd(items, query.beforeId, 0);
    const start = Math.max(0, end - query.limit);
    data = items.slice(start, end);
    hasMore = start > 0;
  } else {
    const start = query.afterId !== undefined ? indexOrEnd(items, query.afterId, 1) : 0;
    data = items.slice(start, start + query.limit);
    hasMore = start + query.limit < items.length;
  }
  const first = data[0]?.id ?? null;
  const last = data[data.length - 1]?.id ?? null;
  return { data, first_id: first, last_id: last, has_more: hasMore, next_page: hasMore && query.beforeId === undefined ? last : null };
}

/** The index of the cursor item (plus `shift`); a cursor that is no longer listed (deleted) ends the list. */
function indexOrEnd(items: readonly { id: string }[], id: string, shift: number): number {
  const i = items.findIndex((item) => item.id === id);
  return i === -1 ? (shift === 0 ? 0 : items.length) : i + shift;
}
