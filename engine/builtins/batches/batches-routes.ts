/**
 * The Message Batches API over HTTP. Batch objects are rendered in the inbound API's shape
 * (MessageBatch); results are JSONL, one `{custom_id, result}` line per item.
 *
 * `results_url` is absolute (the official SDK fetches it as given), so it is built from
 * PUBLIC_BASE_URL — the origin clients reach the gateway at, behind a proxy — or, unset, from the
 * request's own origin.
 */
import type { Request, Response } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../observe/logger.js';
import type { CompiledPair } from '../../spec/compile-pair.js';
import type { BuiltinRouteSpec } from '../../spec/pair-spec.js';
import { pageOf, readPageQuery } from '../list-page.js';
import type { BatchState } from './batch-store.js';
import { isFinished, type BatchService } from './batch-service.js';

export function batchObject(state: BatchState, resultsBase: string): Record<string, unknown> {
  const finished = isFinished(state);
  const { counts, header } = state;
  return {
    id: header.id,
    type: 'message_batch',
    processing_status: finished ? 'ended' : state.cancel_initiated_at !== null ? 'canceling' : 'in_progress',
    // The inbound API's rule: items count as processing until the whole batch has ended.
    request_counts: finished
      ? { processing: 0, succeeded: counts.succeeded, errored: counts.errored, canceled: counts.canceled, expired: counts.expired }
      : { processing: header.request_count, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: finished ? state.ended_at : null,
    created_at: header.created_at,
    expires_at: header.expires_at,
    archived_at: null,
    cancel_initiated_at: state.cancel_initiated_at,
    results_url: finished ? `${resultsBase}/${header.id}/results` : null,
  };
}

export interface BatchRouteContext {
  pair: CompiledPair;
  route: BuiltinRouteSpec;
  params: Record<string, string>;
  service: BatchService;
  publicBaseUrl?: string;
  log: Logger;
}

export async function handleBatches(operation: string, req: Request, res: Response, ctx: BatchRouteContext): Promise<void> {
  const { service, params } = ctx;
  const base = `${ctx.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`}${ctx.route.path}`;
  const known = (id: string): BatchState => {
    const state = service.get(id);
    if (!state) throw notFound(id);
    return state;
  };
  switch (operation) {
    case 'batches.create': {
      const state = await service.create(ctx.pair, ctx.route.run!, req.body);
      ctx.log.info({ batch: state.header.id, requests: state.header.request_count }, 'message batch created');
      res.json(batchObject(state, base));
      return;
    }
    case 'batches.list': {
      const objects = service.list().map((s) => batchObject(s, base)) as Array<{ id: string }>;
      const page = pageOf(objects, readPageQuery(req.query as Record<string, unknown>, 1000, 20));
      res.json({ data: page.data, has_more: page.has_more, first_id: page.first_id, last_id: page.last_id });
      return;
    }
    case 'batches.retrieve':
      res.json(batchObject(known(params.batch_id), base));
      return;
    case 'batches.cancel': {
      const state = await service.cancel(params.batch_id);
      if (!state) throw notFound(params.batch_id);
      res.json(batchObject(state, base));
      return;
    }
    case 'batches.delete': {
      const outcome = await service.delete(params.batch_id);
      if (outcome === 'unknown') throw notFound(params.batch_id);
      if (outcome === 'running') {
        throw new GatewayError('GW_ERR_SCHEMA', `message batch ${params.batch_id} is still processing; cancel it and wait until it has ended before deleting it`);
      }
      res.json({ id: params.batch_id, type: 'message_batch_deleted' });
      return;
    }
    case 'batches.results': {
      known(params.batch_id);
      const lines = service.results(params.batch_id);
      if (!lines) throw new GatewayError('GW_ERR_SCHEMA', `message batch ${params.batch_id} has not ended yet; its results are available once processing_status is "ended"`);
      res.status(200);
      res.setHeader('content-type', 'application/x-jsonl');
      for await (const line of lines) {
        if (res.destroyed) return;
        if (!res.write(`${line}\n`)) {
          await new Promise((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        }
      }
      res.end();
      return;
    }
    default:
      throw new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no batches operation ${operation}`);
  }
}

function notFound(id: string): GatewayError {
  const shown = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? ` ${id}` : '';
  return new GatewayError('GW_ERR_NOT_FOUND', `message batch${shown} not found`);
}
