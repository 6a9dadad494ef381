/**
 * Which pair serves a request. Built once per mapping set (cached), so a hot reload that adds a
 * pair or a route takes effect with the set itself, with no Express routes to re-register.
 *
 * Mapped routes match their exact path. A built-in route is expanded into its operations
 * (builtins/builtin-operations.ts), some with path parameters (`/v1/files/{file_id}`): a
 * parameter matches one whole, non-empty path segment, taken raw (not URL-decoded), so
 * `%2e%2e%2f` stays a literal that no id pattern accepts, and `..` segments never match a
 * template with a different number of segments.
 */
import { BUILTIN_OPERATIONS } from '../builtins/builtin-operations.js';
import type { BuiltinRouteSpec, RouteSpec } from '../spec/pair-spec.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { MappingSet } from '../spec/load-mapping-set.js';

export interface RouteMatch {
  pair: CompiledPair;
  route: RouteSpec;
  builtin?: undefined;
}

export interface BuiltinMatch {
  pair: CompiledPair;
  route?: undefined;
  builtin: {
    route: BuiltinRouteSpec;
    /** `<builtin>.<operation>`, e.g. `files.download`. */
    operation: string;
    params: Record<string, string>;
  };
}

export interface RouteTable {
  match(method: string, path: string): RouteMatch | BuiltinMatch | undefined;
  /** True when the path is served, whatever the method (for 405 vs 404). */
  hasPath(path: string): boolean;
  /** The pair whose API shape a gateway error on this path should take. */
  pairFor(path: string): CompiledPair | undefined;
}

interface Template {
  method: string;
  segments: string[];
  pair: CompiledPair;
  route: BuiltinRouteSpec;
  operation: string;
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
  const byKey = new Map<string, RouteMatch | BuiltinMatch>();
  const byPath = new Map<string, CompiledPair>();
  const templates: Template[] = [];
  for (const pair of pairs) {
    for (const route of pair.routes) {
      byKey.set(`${route.method} ${route.path}`, { pair, route });
      byPath.set(route.path, pair);
    }
    for (const route of pair.builtins?.routes ?? []) {
      for (const op of BUILTIN_OPERATIONS[route.builtin]) {
        if (route.method && route.method !== op.method) continue;
        const path = trimSlash(route.path + op.suffix);
        const operation = `${route.builtin}.${op.name}`;
        byPath.set(path, pair);
        if (path.includes('{')) templates.push({ method: op.method, segments: path.split('/'), pair, route, operation });
        else byKey.set(`${op.method} ${path}`, { pair, builtin: { route, operation, params: {} } });
      }
    }
  }
  const matchTemplate = (method: string | undefined, path: string): BuiltinMatch | undefined => {
    const segments = path.split('/');
    for (const t of templates) {
      if (method !== undefined && t.method !== method) continue;
      const params = paramsOf(t.segments, segments);
      if (params) return { pair: t.pair, builtin: { route: t.route, operation: t.operation, params } };
    }
    return undefined;
  };
  return {
    match(method, path) {
      const m = method.toUpperCase();
      const p = trimSlash(path);
      return byKey.get(`${m} ${p}`) ?? matchTemplate(m, p);
    },
    hasPath: (path) => byPath.has(trimSlash(path)) || matchTemplate(undefined, trimSlash(path)) !== undefined,
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

function paramsOf(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith('{') && t.endsWith('}')) {
      if (segments[i] === '') return undefined;
      params[t.slice(1, -1)] = segments[i];
    } else if (t !== segments[i]) {
      return undefined;
    }
  }
  return params;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
