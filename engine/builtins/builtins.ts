/**
 * The built-in services of a running gateway — files, message batches, models, token counting —
 * behind one object the app dispatches to. It owns the stores (disk by default, behind the
 * FileStore / BatchStore interfaces), the batch worker and the background sweep.
 *
 * Lifecycle: `start()` loads the batch journals and resumes interrupted batches; `stop()` stops
 * the sweep and the worker (items in flight get a grace period, then are aborted and run again
 * at the next start). startGateway calls both; the shutdown sequence may call `batches.stop()`.
 */
import type { Request, Response } from 'express';
import type { BuiltinsConfig, GatewayConfig } from '../config/env-config.js';
import type { Logger } from '../observe/logger.js';
import type { PipelineDeps } from '../pipeline/run-mapped.js';
import type { MappingRegistry } from '../spec/registry.js';
import type { BuiltinMatch } from '../server/route-table.js';
import { routeTableOf } from '../server/route-table.js';
import { BatchService } from './batches/batch-service.js';
import { handleBatches } from './batches/batches-routes.js';
import { DiskBatchStore } from './batches/disk-batch-store.js';
import type { BatchStore } from './batches/batch-store.js';
import { STREAMED_BODY } from './builtin-operations.js';
import { handleCountTokens } from './count-tokens/count-tokens-route.js';
import { DiskFileStore } from './files/disk-file-store.js';
import { withFileSnapshot } from './files/file-snapshot.js';
import type { FileStore } from './files/file-store.js';
import { handleFiles } from './files/files-routes.js';
import { handleModels } from './models/models-routes.js';

/** Orphaned temp data younger than this may still be being written; the sweep leaves it. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

export interface BuiltinsDeps {
  config: GatewayConfig;
  registry: MappingRegistry;
  pipeline: PipelineDeps;
  log: Logger;
  /** Other implementations of the storage seams (default: disk under DATA_DIR). */
  fileStore?: FileStore;
  batchStore?: BatchStore;
}

export interface BatchesControl {
  /** Stop dispatching; wait up to graceMs for items in flight, then abort them (they rerun at the next start). */
  stop(graceMs?: number): Promise<void>;
}

export class Builtins {
  readonly files: FileStore;
  readonly batchService: BatchService;
  private readonly settings: BuiltinsConfig;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: BuiltinsDeps) {
    this.settings = deps.config.builtins;
    this.files = deps.fileStore ?? new DiskFileStore(deps.config.dataDir);
    this.batchService = new BatchService({
      store: deps.batchStore ?? new DiskBatchStore(deps.config.dataDir),
      files: this.files,
      registry: deps.registry,
      // Items are retried by the batch worker (BATCH_MAX_ATTEMPTS, with its own backoff): the
      // resilience layer's retries on top would multiply the attempts per item (3 × 3 = 9).
      pipeline: { ...deps.pipeline, upstream: { send: (call, log) => deps.pipeline.upstream.send({ ...call, retry: false }, log) } },
      config: this.settings,
      log: deps.log.child({ builtin: 'batches' }),
    });
  }

  get batches(): BatchesControl {
    return { stop: (graceMs) => this.batchService.stop(graceMs) };
  }

  async start(): Promise<void> {
    await this.batchService.start();
    this.sweepTimer = setInterval(() => void this.sweep(), this.settings.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  async stop(graceMs?: number): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.batchService.stop(graceMs);
  }

  /** Removes orphaned temp files and batches / files past their retention; never what is in use. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const files = await this.files.sweep({ now: Date.now(), retentionMs: this.settings.filesRetentionMs, tempMaxAgeMs: TEMP_MAX_AGE_MS });
        const batches = await this.batchService.sweep(TEMP_MAX_AGE_MS);
        if (files.removed.length + batches.length > 0) this.deps.log.info({ files: files.removed.length, batches: batches.length }, 'sweep removed expired and orphaned data');
      } catch (err) {
        this.deps.log.error({ err }, 'sweep failed');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /** Runs `fn` (the mapped pipeline) with the stored files `body` refers to pre-loaded for `$file`. */
  withFiles<T>(body: unknown, fn: () => Promise<T>): Promise<T> {
    return withFileSnapshot(this.files, body, this.settings.filesMaxInlineBytes, fn);
  }

  /**
   * The JSON body limit of a request (read by server/limits/read-json-body.ts on the Express side of the app): none
   * for a file upload (streamed unread, limited while streaming), BATCH_MAX_BODY_BYTES for batch
   * creation, MAX_BODY_BYTES for everything else.
   */
  bodyLimitFor(req: Request): number | undefined {
    const match = routeTableOf(this.deps.registry.current()).match(req.method, req.path);
    const operation = match?.builtin?.operation;
    if (operation && STREAMED_BODY.has(operation)) return undefined;
    if (operation === 'batches.create') return this.settings.batchMaxBodyBytes;
    return this.deps.config.maxBodyBytes;
  }

  async handle(req: Request, res: Response, match: BuiltinMatch, log: Logger): Promise<void> {
    const { route, operation, params } = match.builtin;
    switch (route.builtin) {
      case 'files':
        return handleFiles(operation, req, res, params, this.files, this.settings.filesMaxBytes, log);
      case 'batches':
        return handleBatches(operation, req, res, { pair: match.pair, route, params, service: this.batchService, publicBaseUrl: this.settings.publicBaseUrl, log });
      case 'models':
        return handleModels(operation, req, res, params, match.pair);
      case 'count_tokens':
        return this.withFiles(req.body, () =>
          handleCountTokens(req, res, { pair: match.pair, route, upstream: this.deps.pipeline.upstream, upstreamValidation: this.deps.pipeline.upstreamValidation, log }),
        );
    }
  }
}
