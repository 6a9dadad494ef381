/**
 * Reads the YAML files of one pair folder and merges them into one spec object, remembering which
 * file each part came from so that every later problem can be reported as file:line:col.
 */
// Synchronous on purpose: a load is a few dozen small files, and every awaited read would let
// live traffic run in between, which under load stretched a hot reload from ~100 ms to seconds.
import { readdirSync as readdir } from 'node:fs';
import path from 'node:path';
import { readYamlFile, YamlFileError, type SourcePosition, type SpecProblem, type YamlFile } from './yaml-file.js';

/** Top-level keys whose entries may be spread over several files. */
const MERGED_MAPS = new Set(['functions', 'ignored', 'upstream_ignored']);

export interface PairSource {
  dir: string;
  spec: Record<string, unknown>;
  files: string[];
  /** The parsed files, in order. readYamlFile shares one object per unchanged file content. */
  parsed: readonly YamlFile[];
  /** Source position of a path in the merged spec. */
  locate(specPath: readonly (string | number)[]): SourcePosition | undefined;
}

interface Origin {
  file: YamlFile;
  /** Path inside the file that corresponds to the merged-spec path prefix. */
  inFile: (string | number)[];
}

export async function readPairFolder(dir: string): Promise<{ source?: PairSource; problems: SpecProblem[] }> {
  const files = await yamlFilesOf(dir);
  const problems: SpecProblem[] = [];
  const parsed: YamlFile[] = [];
  for (const file of files) {
    try {
      parsed.push(await readYamlFile(file));
    } catch (err) {
      if (err instanceof YamlFileError) problems.push(...err.problems);
      else problems.push({ file, message: (err as Error).message });
    }
  }
  if (problems.length > 0) return { problems };
  if (parsed.length === 0) return { problems: [{ file: dir, message: 'the pair folder has no .yaml files' }] };

  const spec: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  const examples: unknown[] = [];
  const originOf = (key: string) => origins.get(key);

  for (const file of parsed) {
    const data = file.data;
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) {
      problems.push({ ...file.locate([]), message: 'a spec file must hold a mapping of keys (pair:, request:, …)' });
      continue;
    }
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ ...file.locate([key]), message: `"${key}" may not be used as a key in a spec` });
        continue;
      }
      if (key === 'examples') {
        if (!Array.isArray(value)) {
          problems.push({ ...file.locate([key]), message: 'examples must be a list' });
          continue;
        }
        value.forEach((example, i) => {
          origins.set(`examples.${examples.length}`, { file, inFile: [key, i] });
          examples.push(example);
        });
      } else if (MERGED_MAPS.has(key) || key === 'config') {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          problems.push({ ...file.locate([key]), message: `${key} must be a mapping` });
          continue;
        }
        const target = (spec[key] ??= {}) as Record<string, unknown>;
        // The section itself is placed where it first appears (a coverage gap points there).
        if (!origins.has(key)) origins.set(key, { file, inFile: [key] });
        mergeInto(target, value as Record<string, unknown>, [key], file, origins, problems, key === 'config');
      } else {
        const earlier = hasOwn(spec, key) ? originOf(key) : undefined;
        if (earlier) {
          problems.push({ ...file.locate([key]), message: `"${key}" is already defined in ${earlier.file.file}` });
          continue;
        }
        spec[key] = value;
        origins.set(key, { file, inFile: [key] });
      }
    }
  }
  if (examples.length > 0) spec.examples = examples;

  // The whole spec (a missing required key, say) is placed at the top of pair.yaml, or the first file.
  const mainFile = parsed.find((f) => path.basename(f.file) === 'pair.yaml') ?? parsed[0];
  const locate = (specPath: readonly (string | number)[]): SourcePosition | undefined => {
    for (let depth = specPath.length; depth > 0; depth--) {
      const origin = origins.get(specPath.slice(0, depth).join('.'));
      if (origin) return origin.file.locate([...origin.inFile, ...specPath.slice(depth)]);
    }
    return mainFile.locate([]);
  };
  return { source: { dir, spec, files, parsed, locate }, problems };
}

function mergeInto(
  target: Record<string, unknown>,
  value: Record<string, unknown>,
  at: string[],
  file: YamlFile,
  origins: Map<string, Origin>,
  problems: SpecProblem[],
  deep: boolean,
): void {
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...at, key];
    if (FORBIDDEN_KEYS.has(key)) {
      problems.push({ ...file.locate(childPath), message: `"${key}" may not be used as a key in a spec` });
      continue;
    }
    const existing = hasOwn(target, key) ? target[key] : undefined;
    const bothMaps = deep && isPlainObject(existing) && isPlainObject(child);
    if (bothMaps) {
      mergeInto(existing as Record<string, unknown>, child as Record<string, unknown>, childPath, file, origins, problems, deep);
    } else if (hasOwn(target, key)) {
      const earlier = nearestOrigin(origins, childPath);
      problems.push({ ...file.locate(childPath), message: `"${childPath.join('.')}" is already defined${earlier ? ` in ${earlier.file.file}` : ''}` });
    } else {
      // A map that later files may merge into is copied: parsed files are cached and shared.
      target[key] = deep && isPlainObject(child) ? structuredClone(child) : child;
      origins.set(childPath.join('.'), { file, inFile: childPath });
    }
  }
}

/** Keys that would reach an object's prototype if ever assigned naively. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** The origin recorded for a path or, failing that, for its nearest ancestor (the file that defined it). */
function nearestOrigin(origins: Map<string, Origin>, specPath: string[]): Origin | undefined {
  for (let depth = specPath.length; depth > 0; depth--) {
    const origin = origins.get(specPath.slice(0, depth).join('.'));
    if (origin) return origin;
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function yamlFilesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['', 'examples']) {
    const folder = path.join(dir, sub);
    let names: string[];
    try {
      names = readdir(folder);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (/\.ya?ml$/.test(name)) out.push(path.join(folder, name));
  }
  return out;
}
