/**
 * Message batches: accept, run, cancel, expire, serve results, forget.
 *
 * Every item goes through runMapped — the same pipeline as a live request — with `stream: false`,
 * in a worker pool of BATCH_CONCURRENCY items shared by all batches (oldest batch first). An
 * upstream 429/5xx (or a network failure) is retried a few times with backoff; what finally
 * comes back becomes the item's result: the client's message (succeeded) or the client's error
 * body (errored), exactly as a live request would have answered.
 *
 * Exactly once: an item's result is recorded (journal append + fsync) before it counts as done;
 * an item is never dispatched twice in one process (in-flight set), and after a crash every item
 * without a durable result is run again, while a result recorded twice by an unlucky interleaving
 * is kept once (dedupe by custom_id, here and in the store). Cancel and expiry stop dispatching,
 * abort what is in flight (those items get the batch's rest type, never a late result), and end
 * the batch with one journal record.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../observe/logger.js';
import { runMapped, type PipelineDeps } from '../../pipeline/run-mapped.js';
import { renderGatewayError } from '../../pipeline/render-error.js';
import { describeSchemaErrors } from '../../spec/api-schemas.js';
import type { CompiledPair } from '../../spec/compile-pair.js';
import type { MappingRegistry } from '../../spec/registry.js';
import type { BuiltinsConfig } from '../../config/env-config.js';
import type { FileStore } from '../files/file-store.js';
import { withFileSnapshot } from '../files/file-snapshot.js';
import { isObjectId, newObjectId } from '../storage/object-ids.js';
import { BATCH_ID_PREFIX, type BatchItem, type BatchResult, type BatchState, type BatchStore, type RestType } from './batch-store.js';

/** Statuses worth another try: the upstream was busy or failed, not the request. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529]);
/** Journal records between two compactions of a running batch. */
const COMPACT_EVERY = 5000;

export interface BatchServiceDeps {
  store: BatchStore;
  files?: FileStore;
  registry: MappingRegistry;
  pipeline: PipelineDeps;
  config: BuiltinsConfig;
  log: Logger;
  now?: () => number;
}

interface Running {
  state: BatchState;
  cursor?: AsyncIterator<BatchItem>;
  exhausted: boolean;
  inFlight: Map<string, AbortController>;
  sinceCompaction: number;
  ending: boolean;
}

export class BatchService {
  private readonly batches = new Map<string, Running>();
  private readonly now: () => number;
  private active = 0;
  private running = false;
  private pumping = false;
  private repump = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private idle: Array<() => void> = [];

  constructor(private readonly deps: BatchServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Loads every stored batch, finishes what a crash interrupted, and starts the worker. */
  async start(): Promise<void> {
    for (const state of await this.deps.store.loadAll()) {
      this.batches.set(state.header.id, { state, exhausted: false, inFlight: new Map(), sinceCompaction: 0, ending: false });
    }
    this.running = true;
    for (const run of this.sorted()) {
      const { state } = run;
      if (state.ended_at !== null) {
        if (!state.compacted) await this.deps.store.compact(state);
      } else if (state.cancel_initiated_at !== null) {
        await this.end(run, 'canceled');
      }
    }
    this.checkExpiry();
    this.expiryTimer = setInterval(() => this.checkExpiry(), Math.max(50, Math.min(1000, this.deps.config.batchExpiryMs / 10)));
    this.expiryTimer.unref();
    const resumed = this.sorted().filter((r) => r.state.ended_at === null).length;
    if (resumed > 0) this.deps.log.info({ batches: resumed }, 'resuming message batches');
    this.pump();
  }

  /**
   * Stops the worker: nothing new is dispatched; items in flight get `graceMs` to finish (their
   * results are recorded), then are aborted — an aborted item has no result and runs again at
   * the next start. Resolves when nothing runs any more. Safe to call twice.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.running = false;
    clearInterval(this.expiryTimer);
    if (this.active > 0) {
      const drained = new Promise<void>((resolve) => this.idle.push(resolve));
      const timer = setTimeout(() => {
        for (const run of this.batches.values()) for (const c of run.inFlight.values()) c.abort();
      }, graceMs);
      await drained;
      clearTimeout(timer);
    }
  }

  /** Checks and stores a new batch; the worker picks it up at once. */
  async create(pair: CompiledPair, run: string, body: unknown): Promise<BatchState> {
    const items = checkBatchBody(pair, body);
    const created = this.now();
    const state: BatchState = {
      header: {
        id: newObjectId(BATCH_ID_PREFIX),
        created_at: new Date(created).toISOString(),
        expires_at: new Date(created + this.deps.config.batchExpiryMs).toISOString(),
        request_count: items.length,
        pair: pair.name,
        run,
      },
      cancel_initiated_at: null,
      ended_at: null,
      rest: null,
      counts: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      done: new Set(),
      compacted: false,
    };
    await this.deps.store.create(state.header, items);
    this.batches.set(state.header.id, { state, exhausted: false, inFlight: new Map(), sinceCompaction: 0, ending: false });
    this.pump();
    return state;
  }

  get(id: string): BatchState | undefined {
    return isObjectId(BATCH_ID_PREFIX, id) ? this.batches.get(id)?.state : undefined;
  }

  /** Every batch, newest first. */
  list(): BatchState[] {
    return this.sorted().reverse().map((r) => r.state);
  }

  async cancel(id: string): Promise<BatchState | undefined> {
    const run = this.get(id) && this.batches.get(id)!;
    if (!run) return undefined;
    const { state } = run;
    if (state.ended_at !== null || state.cancel_initiated_at !== null) return state;
    const at = new Date(this.now()).toISOString();
    await this.deps.store.appendCancel(id, at);
    state.cancel_initiated_at = at;
    for (const controller of run.inFlight.values()) controller.abort();
    if (run.inFlight.size === 0) void this.end(run, 'canceled');
    return state;
  }

  /** Removes an ended batch; false when it has not ended (the client must cancel and wait). */
  async delete(id: string): Promise<'deleted' | 'running' | 'unknown'> {
    const run = this.get(id) && this.batches.get(id)!;
    if (!run) return 'unknown';
    if (!isFinished(run.state)) return 'running';
    this.batches.delete(id);
    await this.deps.store.delete(id);
    return 'deleted';
  }

  /** The results, one JSON line each; undefined while the batch has not ended. */
  results(id: string): AsyncIterable<string> | undefined {
    const state = this.get(id);
    if (!state || !isFinished(state)) return undefined;
    return this.deps.store.results(id);
  }

  /** Removes ended batches past BATCH_RETENTION_DAYS and temp data a crash left behind. */
  async sweep(tempMaxAgeMs: number): Promise<string[]> {
    const now = this.now();
    const removed = await this.deps.store.sweepOrphans(now, tempMaxAgeMs);
    for (const run of this.sorted()) {
      if (!isFinished(run.state)) continue;
      if (Date.parse(run.state.header.created_at) + this.deps.config.batchRetentionMs > now) continue;
      if ((await this.delete(run.state.header.id)) === 'deleted') removed.push(run.state.header.id);
    }
    return removed;
  }

  private sorted(): Running[] {
    return [...this.batches.values()].sort((a, b) => (a.state.header.created_at < b.state.header.created_at ? -1 : a.state.header.created_at > b.state.header.created_at ? 1 : a.state.header.id < b.state.header.id ? -1 : 1));
  }

  private checkExpiry(): void {
    const now = this.now();
    for (const run of this.batches.values()) {
      if (run.state.ended_at !== null || run.ending) continue;
      if (Date.parse(run.state.header.expires_at) > now) continue;
      for (const controller of run.inFlight.values()) controller.abort();
      void this.end(run, 'expired');
    }
  }

  /** Fills the worker pool. Re-entrant calls while it awaits the next item just ask for another pass. */
  private pump(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.repump = false;
          while (this.running && this.active < this.deps.config.batchConcurrency) {
            const next = await this.nextItem();
            if (!next) break;
            this.launch(next.run, next.item);
          }
        } while (this.repump && this.running);
      } catch (err) {
        this.deps.log.error({ err }, 'batch worker failed to read the next item');
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async nextItem(): Promise<{ run: Running; item: BatchItem } | undefined> {
    for (const run of this.sorted()) {
      const { state } = run;
      if (state.ended_at !== null || state.cancel_initiated_at !== null || run.ending || run.exhausted) continue;
      if (Date.parse(state.header.expires_at) <= this.now()) continue; // the expiry check ends it
      run.cursor ??= this.deps.store.items(state.header.id)[Symbol.asyncIterator]();
      for (;;) {
        const next = await run.cursor.next();
        if (next.done) {
          run.exhausted = true;
          run.cursor = undefined;
          this.maybeFinish(run);
          break;
        }
        if (state.done.has(next.value.custom_id) || run.inFlight.has(next.value.custom_id)) continue;
        if (state.ended_at !== null || state.cancel_initiated_at !== null) break;
        return { run, item: next.value };
      }
    }
    return undefined;
  }

  private launch(run: Running, item: BatchItem): void {
    const controller = new AbortController();
    run.inFlight.set(item.custom_id, controller);
    this.active++;
    void this.runItem(run, item, controller.signal)
      .then((result) => (result ? this.record(run, result) : undefined))
      .catch((err: unknown) => this.deps.log.error({ err, batch: run.state.header.id, custom_id: item.custom_id }, 'batch item could not be recorded; it runs again'))
      .finally(() => {
        run.inFlight.delete(item.custom_id);
        this.active--;
        if (run.state.ended_at === null && !run.ending) {
          if (run.state.cancel_initiated_at !== null && run.inFlight.size === 0) void this.end(run, 'canceled');
          else this.maybeFinish(run);
        }
        if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
        this.pump();
      });
  }

  /** One item through the mapped pipeline, with retries. Undefined when aborted (no result). */
  private async runItem(run: Running, item: BatchItem, signal: AbortSignal): Promise<BatchResult | undefined> {
    const { header } = run.state;
    const { config, log } = this.deps;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return undefined;
      const pair = this.deps.registry.current().pairs.find((p) => p.name === header.pair);
      const route = pair?.routes.find((r) => r.method === 'POST' && r.path === header.run);
      if (!pair || !route) {
        const rendered = await renderGatewayError(pair, new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `the route ${header.run} of ${header.pair} is no longer served`), log);
        return { custom_id: item.custom_id, result: { type: 'errored', error: rendered.body } };
      }
      const params = { ...(item.params as Record<string, unknown>), stream: false };
      const itemLog = log.child({ batch: header.id, custom_id: item.custom_id, attempt });
      let answer: { status: number; body: unknown; headers: Record<string, string> };
      try {
        const result = await withFileSnapshot(this.deps.files, params, config.filesMaxInlineBytes, () => runMapped(pair, route, params, this.deps.pipeline, signal, itemLog));
        if (result.type === 'stream') {
          result.reply.body.on('error', () => {});
          result.reply.body.destroy();
          throw new GatewayError('GW_ERR_UPSTREAM_RESPONSE', 'the upstream streamed an answer to a non-streaming batch item');
        }
        answer = result;
      } catch (err) {
        if (signal.aborted) return undefined;
        const error = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', 'internal error in the gateway', { cause: err });
        if (!(err instanceof GatewayError)) itemLog.error({ err }, 'batch item failed');
        answer = await renderGatewayError(pair, error, itemLog);
      }
      if (signal.aborted) return undefined;
      if (answer.status < 400) return { custom_id: item.custom_id, result: { type: 'succeeded', message: answer.body } };
      if (RETRYABLE.has(answer.status) && attempt < config.batchMaxAttempts) {
        const wait = retryDelay(attempt, config.batchRetryBaseMs, answer.headers['retry-after']);
        itemLog.info({ status: answer.status, waitMs: wait }, 'batch item will be retried');
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return undefined;
        }
        continue;
      }
      return { custom_id: item.custom_id, result: { type: 'errored', error: answer.body } };
    }
  }

  private async record(run: Running, result: BatchResult): Promise<void> {
    const { state } = run;
    if (state.ended_at !== null || run.ending || state.done.has(result.custom_id)) return;
    await this.deps.store.appendResult(state.header.id, result);
    if (state.done.has(result.custom_id)) return;
    state.done.add(result.custom_id);
    state.counts[result.result.type]++;
    if (++run.sinceCompaction >= COMPACT_EVERY) {
      run.sinceCompaction = 0;
      await this.deps.store.compact(state);
    }
  }

  private maybeFinish(run: Running): void {
    const { state } = run;
    if (state.ended_at !== null || run.ending || run.inFlight.size > 0) return;
    if (state.done.size >= state.header.request_count) void this.end(run, null);
    else if (run.exhausted && this.running) {
      run.exhausted = false; // some item has no result yet (a recording failed): another pass
    }
  }

  private async end(run: Running, rest: RestType | null): Promise<void> {
    if (run.ending || run.state.ended_at !== null) return;
    run.ending = true;
    try {
      const at = new Date(this.now()).toISOString();
      await this.deps.store.appendEnded(run.state.header.id, at, rest);
      run.state.ended_at = at;
      run.state.rest = rest;
      await this.deps.store.compact(run.state);
      run.state.done = new Set();
      this.deps.log.info({ batch: run.state.header.id, counts: run.state.counts, rest }, 'message batch ended');
    } catch (err) {
      this.deps.log.error({ err, batch: run.state.header.id }, 'could not end a message batch; retried at the next start');
    } finally {
      run.ending = false;
    }
  }
}

/** Ended, and the results file is final. */
export function isFinished(state: BatchState): boolean {
  return state.ended_at !== null && state.compacted;
}

function retryDelay(attempt: number, baseMs: number, retryAfter: string | undefined): number {
  const seconds = retryAfter !== undefined && /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) : undefined;
  if (seconds !== undefined) return Math.min(seconds * 1000, 60_000);
  const backoff = baseMs * 2 ** (attempt - 1);
  return Math.round(backoff / 2 + Math.random() * (backoff / 2));
}

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_REQUESTS = 100_000;

/**
 * The whole body, checked before anything is stored: the shape, unique custom_ids, and every
 * item's params against the inbound API's request schema — one bad item refuses the batch, and
 * the error names it.
 */
function checkBatchBody(pair: CompiledPair, body: unknown): BatchItem[] {
  const bad = (message: string) => new GatewayError('GW_ERR_SCHEMA', `invalid request: ${message}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('the body must be an object with a requests array');
  const extra = Object.keys(body).filter((k) => k !== 'requests');
  if (extra.length > 0) throw bad(`unknown field ${extra[0]}`);
  const requests = (body as { requests?: unknown }).requests;
  if (!Array.isArray(requests) || requests.length === 0) throw bad('requests must be a non-empty array');
  if (requests.length > MAX_REQUESTS) throw bad(`a batch holds at most ${MAX_REQUESTS} requests (got ${requests.length})`);
  const seen = new Set<string>();
  const items: BatchItem[] = [];
  requests.forEach((request: unknown, i) => {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) throw bad(`requests[${i}] must be an object with custom_id and params`);
    const { custom_id, params, ...rest } = request as { custom_id?: unknown; params?: unknown };
    if (typeof custom_id !== 'string' || !CUSTOM_ID.test(custom_id)) throw bad(`requests[${i}].custom_id must be 1 to 64 letters, digits, _ or -`);
    const who = `requests[${i}] (custom_id "${custom_id}")`;
    if (Object.keys(rest).length > 0) throw bad(`${who}: unknown field ${Object.keys(rest)[0]}`);
    if (seen.has(custom_id)) throw bad(`${who}: custom_id is used twice; each must be unique in the batch`);
    seen.add(custom_id);
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw bad(`${who}: params must be an object`);
    const validate = pair.validateInbound;
    if (validate && !validate(params)) throw bad(`${who}: params ${describeSchemaErrors(validate.errors, 3)}`);
    items.push({ custom_id, params });
  });
  return items;
}
