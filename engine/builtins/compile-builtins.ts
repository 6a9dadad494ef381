/**
 * Checks and compiles what a pair says about its built-in routes, at load, with the pair's own
 * compiler (so count_tokens blocks and expressions get the same helpers, functions, limits and
 * file:line problems as every other rule):
 *  - a batches route runs its items through a mapped POST route of the same pair;
 *  - a count_tokens route needs the `count_tokens:` section;
 *  - a models route needs `models_listed:`, and every listed id must be accepted by `models:`.
 */
import type { Rule } from '../rules/rule.js';
import type { BlockSpec, BuiltinRouteSpec, CountTokensSpec, ListedModelSpec, PairSpec, RouteSpec } from '../spec/pair-spec.js';
import { isBuiltinRoute } from '../spec/pair-spec.js';
import type { MappingBlock } from '../translate/mapping-block.js';

export interface CompiledCountTokens {
  inboundDefaults: Record<string, unknown>;
  upstreamRequest?: MappingBlock;
  tokensFrom?: Rule;
  local: { encoding: CountTokensSpec['local']['encoding']; from: Rule };
  response: MappingBlock;
}

export interface CompiledBuiltins {
  routes: BuiltinRouteSpec[];
  models: ListedModelSpec[];
  countTokens?: CompiledCountTokens;
}

export interface BuiltinCompileTools {
  block(block: BlockSpec | undefined, specPath: string[]): MappingBlock | undefined;
  expression(specPath: (string | number)[], source: string | undefined): Rule | undefined;
  problem(specPath: (string | number)[], message: string): void;
  /** True when the pair's `models:` accepts this client model id. */
  acceptsModel(id: string): boolean;
}

export function compileBuiltins(spec: PairSpec, tools: BuiltinCompileTools): CompiledBuiltins {
  const mapped = spec.routes.filter((r): r is RouteSpec => !isBuiltinRoute(r));
  const routes: BuiltinRouteSpec[] = [];
  spec.routes.forEach((route, i) => {
    if (!isBuiltinRoute(route)) return;
    routes.push(route);
    if (route.builtin === 'batches' && !mapped.some((m) => m.method === 'POST' && m.path === route.run)) {
      tools.problem(['routes', i, 'run'], `run: "${route.run}" must be the path of a mapped POST route of this pair`);
    }
    if (route.builtin === 'count_tokens' && !spec.count_tokens) {
      tools.problem(['routes', i], 'a count_tokens route needs the count_tokens: section');
    }
    if (route.builtin === 'models' && !spec.models_listed) {
      tools.problem(['routes', i], 'a models route needs models_listed: (the models: globs cannot be listed)');
    }
  });

  const models = spec.models_listed ?? [];
  const seen = new Set<string>();
  models.forEach((model, i) => {
    if (seen.has(model.id)) tools.problem(['models_listed', i, 'id'], `model "${model.id}" is listed twice`);
    seen.add(model.id);
    if (!tools.acceptsModel(model.id)) tools.problem(['models_listed', i, 'id'], `model "${model.id}" is listed but no models: entry accepts it`);
  });

  return { routes, models, countTokens: spec.count_tokens ? compileCountTokens(spec.count_tokens, tools) : undefined };
}

function compileCountTokens(spec: CountTokensSpec, tools: BuiltinCompileTools): CompiledCountTokens | undefined {
  const at = ['count_tokens'];
  const upstreamRequest = tools.block(spec.upstream_request, [...at, 'upstream_request']);
  const tokensFrom = tools.expression([...at, 'tokens_from'], spec.tokens_from);
  const local = tools.expression([...at, 'local', 'from'], spec.local.from);
  const response = tools.block(spec.response, [...at, 'response']);
  if ((upstreamRequest === undefined) !== (tokensFrom === undefined)) {
    tools.problem(at, 'count_tokens needs both upstream_request and tokens_from, or neither (local counting only)');
  }
  if (!local || !response) return undefined;
  return {
    inboundDefaults: spec.inbound_defaults ?? {},
    upstreamRequest,
    tokensFrom,
    local: { encoding: spec.local.encoding, from: local },
    response,
  };
}
