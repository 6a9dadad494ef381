/**
 * Loads everything the gateway serves from: the API schemas and every pair folder under the
 * mappings directory. The result is all-or-nothing: a set with any problem is reported, never
 * served (the registry keeps the last good one).
 */
// Synchronous on purpose: a load is a few dozen small files, and every awaited read would let
// live traffic run in between, which under load stretched a hot reload from ~100 ms to seconds.
import { readdirSync as readdir } from 'node:fs';
import path from 'node:path';
import { loadApiSchemas, type ApiSchemas } from './api-schemas.js';
import { compilePairFolder, type CompiledPair } from './compile-pair.js';
import { servedRoutes } from './served-routes.js';
import type { SpecProblem } from './yaml-file.js';

export interface MappingSet {
  pairs: CompiledPair[];
  schemas: ApiSchemas;
  loadedAt: Date;
}

export interface LoadOptions {
  mappingsDir: string;
  schemasDir: string;
  env: NodeJS.ProcessEnv;
}

export async function loadMappingSet(options: LoadOptions): Promise<{ set?: MappingSet; problems: SpecProblem[] }> {
  let schemas: ApiSchemas;
  try {
    schemas = await loadApiSchemas(options.schemasDir);
  } catch (err) {
    return { problems: [{ file: options.schemasDir, message: `schemas: ${(err as Error).message}` }] };
  }
  let entries;
  try {
    entries = readdir(options.mappingsDir, { withFileTypes: true });
  } catch (err) {
    return { problems: [{ file: options.mappingsDir, message: `cannot read the mappings folder: ${(err as Error).message}` }] };
  }
  const problems: SpecProblem[] = [];
  const pairs: CompiledPair[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const result = await compilePairFolder(path.join(options.mappingsDir, entry.name), { env: options.env, schemas });
    problems.push(...result.problems);
    if (result.pair) pairs.push(result.pair);
  }
  if (pairs.length === 0 && problems.length === 0) problems.push({ file: options.mappingsDir, message: 'no pair folders found' });
  problems.push(...routeCollisions(pairs));
  if (problems.length > 0) return { problems };
  return { set: { pairs, schemas, loadedAt: new Date() }, problems };
}

/**
 * Several pairs may serve the same method and path only when `when:` conditions choose between
 * them: at most one of the routes may go without one (it serves what no condition takes).
 */
function routeCollisions(pairs: CompiledPair[]): SpecProblem[] {
  const unconditional = new Map<string, string>();
  const problems: SpecProblem[] = [];
  for (const pair of pairs) {
    const reported = new Set<number>();
    for (const served of servedRoutes(pair)) {
      if (served.route.when !== undefined) continue;
      const key = `${served.method} ${served.path}`;
      const owner = unconditional.get(key);
      if (owner === undefined) unconditional.set(key, pair.name);
      else if (owner !== pair.name && !reported.has(served.index)) {
        reported.add(served.index);
        problems.push({
          ...pair.locate(['routes', served.index]),
          at: `routes[${served.index}]`,
          message: `route ${key} is served by both ${owner} and ${pair.name}; give one of them a when: condition (mappings/README.md, "Several pairs on one path")`,
        });
      }
    }
  }
  return problems;
}
