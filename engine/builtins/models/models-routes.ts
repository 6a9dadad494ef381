/**
 * The models endpoint: the client model ids a pair lists (`models_listed:` in its YAML — the
 * `models:` globs cannot be enumerated), in the inbound API's ModelInfo shape, newest first.
 */
import type { Request, Response } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CompiledPair } from '../../spec/compile-pair.js';
import { pageOf, readPageQuery } from '../list-page.js';

function modelObject(model: { id: string; display_name: string; created_at: string }): Record<string, unknown> & { id: string } {
  return {
    type: 'model',
    id: model.id,
    display_name: model.display_name,
    created_at: model.created_at,
    // Not known for an upstream behind a mapping; the inbound API allows null.
    capabilities: null,
    max_input_tokens: null,
    max_tokens: null,
  };
}

export function handleModels(operation: string, req: Request, res: Response, params: Record<string, string>, pair: CompiledPair): void {
  const models = [...pair.builtins.models].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0)).map(modelObject);
  if (operation === 'models.list') {
    const page = pageOf(models, readPageQuery(req.query as Record<string, unknown>, 1000, 20));
    res.json({ data: page.data, has_more: page.has_more, first_id: page.first_id, last_id: page.last_id });
    return;
  }
  let id: string;
  try {
    id = decodeURIComponent(params.model_id);
  } catch {
    id = params.model_id;
  }
  const model = models.find((m) => m.id === id);
  if (!model) throw new GatewayError('GW_ERR_NOT_FOUND', `model ${/^[A-Za-z0-9_.:-]{1,128}$/.test(id) ? id : ''} not found`.replace('  ', ' '));
  res.json(model);
}
