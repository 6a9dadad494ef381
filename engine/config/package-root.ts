/**
 * The folder of Rosetta's own package.json, found by walking up from this module, so the engine
 * finds its bundled files (the mapping-spec schema) whether it runs from source or from dist/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'schemas', 'mapping-spec.json'))) return (cached = dir);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the Rosetta package root (schemas/mapping-spec.json)');
}
