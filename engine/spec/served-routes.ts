/**
 * Every method + path a pair serves, built-in routes expanded into their operations
 * (builtins/builtin-operations.ts). The route table is built from this list, and the load checks
 * it for routes that several pairs claim.
 */
import { BUILTIN_OPERATIONS } from '../builtins/builtin-operations.js';
import type { CompiledPair } from './compile-pair.js';
import { isBuiltinRoute, type BuiltinRouteSpec, type RouteSpec } from './pair-spec.js';

export interface ServedRoute {
  method: string;
  /** The path, `{name}` segments being path parameters (built-in operations only). */
  path: string;
  /** The pair's route entry this comes from, and its index under `routes:`. */
  route: RouteSpec | BuiltinRouteSpec;
  index: number;
  /** `<builtin>.<operation>`, e.g. `files.download`, for a built-in route. */
  operation?: string;
}

export function servedRoutes(pair: CompiledPair): ServedRoute[] {
  const served: ServedRoute[] = [];
  pair.spec.routes.forEach((route, index) => {
    if (!isBuiltinRoute(route)) {
      served.push({ method: route.method, path: trimSlash(route.path), route, index });
      return;
    }
    for (const op of BUILTIN_OPERATIONS[route.builtin]) {
      if (route.method && route.method !== op.method) continue;
      served.push({ method: op.method, path: trimSlash(route.path + op.suffix), route, index, operation: `${route.builtin}.${op.name}` });
    }
  });
  return served;
}

export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
