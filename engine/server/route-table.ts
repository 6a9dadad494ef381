/**
 * Which pair serves a request. Built once per mapping set (cached), so a hot reload that adds a
 * pair or a route takes effect with the set itself, with no Express routes to re-register.
 *
 * Mapped routes match their exact path. A built-in route is expanded into its operations
 * (builtins/builtin-operations.ts), some with path parameters (`/v1/files/{file_id}`): a
 * parameter matches one whole, non-empty path segment, taken raw (not URL-decoded), so
 * `%2e%2e%2f` stays a literal that no id pattern accepts, and `..` segments never match a
 * template with a different number of segments.
 *
 * Several pairs may serve one method + path (say, two pairs that both speak the Messages API to
 * different upstreams); their routes' `when:` conditions, asked in order, decide which one takes
 * a request (chooseRoute). The load has checked that at most one of them has no condition.
 */
import type { Logger } from '../observe/logger.js';
import type { BuiltinRouteSpec, RouteSpec } from '../spec/pair-spec.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import type { MappingSet } from '../spec/load-mapping-set.js';
import { servedRoutes, trimSlash } from '../spec/served-routes.js';

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

export type Match = RouteMatch | BuiltinMatch;

/** What a route's `when:` condition sees. */
export interface RequestFacts {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface RouteTable {
  /**
   * Every route serving method + path, in the order they are tried: those with a `when:`
   * condition in pair-name order, then the one without (if any). Empty when none serves it.
   */
  candidates(method: string, path: string): Match[];
  /** The first candidate (enough where any of them will do, e.g. a metrics label). */
  match(method: string, path: string): Match | undefined;
  /** True when the path is served, whatever the method (for 405 vs 404). */
  hasPath(path: string): boolean;
  /** The pair whose API shape a gateway error on this path should take. */
  pairFor(path: string): CompiledPair | undefined;
}

interface Entry {
  pair: CompiledPair;
  route: RouteSpec | BuiltinRouteSpec;
  operation?: string;
}

interface Template {
  method: string;
  segments: string[];
  entries: Entry[];
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

/**
 * The candidate that takes the request: the first whose `when:` holds, else the one without a
 * condition. A lone candidate serves without its condition being asked (a pair loaded alone
 * serves everything on its paths). A condition that fails to evaluate counts as false, logged.
 */
export async function chooseRoute(candidates: readonly Match[], facts: RequestFacts, log: Logger): Promise<Match | undefined> {
  if (candidates.length === 1) return candidates[0];
  const input = { body: facts.body ?? {}, headers: facts.headers };
  for (const candidate of candidates) {
    const condition = candidate.pair.routeConditions.get(candidate.route ?? candidate.builtin.route);
    if (!condition) return candidate;
    try {
      if ((await condition.evaluate(input, {})) === true) return candidate;
    } catch (err) {
      log.warn({ err, pair: candidate.pair.name, rule: condition.id }, 'a route condition failed; taken as false');
    }
  }
  return undefined;
}

function buildRouteTable(pairs: CompiledPair[]): RouteTable {
  const exact = new Map<string, Entry[]>();
  const byPath = new Map<string, CompiledPair>();
  const templates = new Map<string, Template>();
  for (const pair of pairs) {
    for (const served of servedRoutes(pair)) {
      const entry: Entry = { pair, route: served.route, operation: served.operation };
      if (!byPath.has(served.path)) byPath.set(served.path, pair);
      const key = `${served.method} ${served.path}`;
      if (served.path.includes('{')) {
        const template = templates.get(key) ?? { method: served.method, segments: served.path.split('/'), entries: [] };
        template.entries.push(entry);
        templates.set(key, template);
      } else {
        exact.set(key, [...(exact.get(key) ?? []), entry]);
      }
    }
  }
  const toMatch = (entry: Entry, params: Record<string, string>): Match =>
    entry.operation === undefined
      ? { pair: entry.pair, route: entry.route as RouteSpec }
      : { pair: entry.pair, builtin: { route: entry.route as BuiltinRouteSpec, operation: entry.operation, params } };
  const ordered = (entries: Entry[], params: Record<string, string>): Match[] => {
    const conditional = entries.filter((e) => e.route.when !== undefined);
    const fallback = entries.filter((e) => e.route.when === undefined);
    return [...conditional, ...fallback].map((e) => toMatch(e, params));
  };
  const matchTemplate = (method: string | undefined, path: string): Match[] => {
    const segments = path.split('/');
    for (const t of templates.values()) {
      if (method !== undefined && t.method !== method) continue;
      const params = paramsOf(t.segments, segments);
      if (params) return ordered(t.entries, params);
    }
    return [];
  };
  const candidates = (method: string, path: string): Match[] => {
    const m = method.toUpperCase();
    const p = trimSlash(path);
    const entries = exact.get(`${m} ${p}`);
    return entries ? ordered(entries, {}) : matchTemplate(m, p);
  };
  return {
    candidates,
    match: (method, path) => candidates(method, path)[0],
    hasPath: (path) => byPath.has(trimSlash(path)) || matchTemplate(undefined, trimSlash(path)).length > 0,
    pairFor(path) {
      const exactPair = byPath.get(trimSlash(path));
      if (exactPair) return exactPair;
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

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
