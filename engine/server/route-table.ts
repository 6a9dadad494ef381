/**
 * Which pair serves a request. Built once per mapping set (cached), so a hot reload that adds a
 * pair or a route takes effect with the set itself, with no Express routes to re-register.
 */
import type { RouteSpec } from '../spec/pair-spec.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { MappingSet } from '../spec/load-mapping-set.js';

export interface RouteMatch {
  pair: CompiledPair;
  route: RouteSpec;
}

export interface RouteTable {
  match(method: string, path: string): RouteMatch | undefined;
  /** True when the path is served, whatever the method (for 405 vs 404). */
  hasPath(path: string): boolean;
  /** The pair whose API shape a gateway error on this path should take. */
  pairFor(path: string): CompiledPair | undefined;
}

const tables = new WeakMap<MappingSet, RouteTable>();

export function routeTableOf(set: MappingSet): RouteTable {
  let table = tables.get(set);
  if (!table) {
    table = buildRouteTable(set.pairs);
    tables.set(set, table);
  }
  return table;
}

function buildRouteTable(pairs: CompiledPair[]): RouteTable {
  const byKey = new Map<string, RouteMatch>();
  const byPath = new Map<string, CompiledPair>();
  for (const pair of pairs) {
    for (const route of pair.routes) {
      byKey.set(`${route.method} ${route.path}`, { pair, route });
      byPath.set(route.path, pair);
    }
  }
  return {
    match: (method, path) => byKey.get(`${method.toUpperCase()} ${trimSlash(path)}`),
    hasPath: (path) => byPath.has(trimSlash(path)),
    pairFor(path) {
      const exact = byPath.get(trimSlash(path));
      if (exact) return exact;
      // Longest shared prefix: an unknown /v1/messages/x still answers in the Messages API's shape.
      let best: CompiledPair | undefined;
      let bestLength = 0;
      for (const [routePath, pair] of byPath) {
        const length = sharedPrefix(routePath, path);
        if (length > bestLength) [best, bestLength] = [pair, length];
      }
      return best ?? pairs[0];
    },
  };
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
