/**
 * The seam between the Batches built-in and where batch state lives. The default is
 * DiskBatchStore (an append-only journal per batch under DATA_DIR); a shared implementation
 * (a database, or an object store plus a queue) lets several replicas share batches.
 *
 * The store records facts; deciding what happens next (which item runs, when a batch ends) is
 * the BatchService's job. Every `append…` resolves only once the fact is durable.
 */

export const BATCH_ID_PREFIX = 'msgbatch';

export type ResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';
/** What ends a batch early and becomes the result of every item without one. */
export type RestType = 'canceled' | 'expired';

export interface BatchHeader {
  id: string;
  /** RFC 3339. */
  created_at: string;
  expires_at: string;
  request_count: number;
  /** The pair and the mapped route the items run through. */
  pair: string;
  run: string;
}

export interface BatchItem {
  custom_id: string;
  params: unknown;
}

/** One line of the results: `{custom_id, result: {type, message | error}}`. */
export interface BatchResult {
  custom_id: string;
  result: { type: ResultType; message?: unknown; error?: unknown };
}

export interface BatchState {
  header: BatchHeader;
  cancel_initiated_at: string | null;
  ended_at: string | null;
  /** Set with ended_at when the batch ended early. */
  rest: RestType | null;
  counts: Record<ResultType, number>;
  /** custom_ids with a recorded result; only kept while the batch runs. */
  done: Set<string>;
  /** True once the results file is final (every item has exactly one line). */
  compacted: boolean;
}

export interface BatchStore {
  /** Stores a new batch (header and items) atomically: after a crash it exists whole or not at all. */
  create(header: BatchHeader, items: readonly BatchItem[]): Promise<void>;
  /** Every stored batch, rebuilt from its checkpoint and journal (used at start). */
  loadAll(): Promise<BatchState[]>;
  /** The items of a batch, in order, streamed. */
  items(id: string): AsyncIterable<BatchItem>;
  appendResult(id: string, result: BatchResult): Promise<void>;
  appendCancel(id: string, at: string): Promise<void>;
  appendEnded(id: string, at: string, rest: RestType | null): Promise<void>;
  /**
   * Folds the journal into the checkpoint. Once the batch has ended, the checkpoint becomes the
   * final results (items without a result get the batch's rest type) and `state` is updated.
   */
  compact(state: BatchState): Promise<void>;
  /** The final results, one JSON line per item (only after the ended batch was compacted). */
  results(id: string): AsyncIterable<string>;
  delete(id: string): Promise<void>;
  /** Removes temp data a crash left behind, older than `tempMaxAgeMs`. */
  sweepOrphans(now: number, tempMaxAgeMs: number): Promise<string[]>;
}

export function emptyCounts(): Record<ResultType, number> {
  return { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
}
