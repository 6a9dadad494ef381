/**
 * Safe YAML reading for mapping specs. Specs are edited by people and hot-reloaded into a live
 * gateway, so the parser is strict: duplicate keys are errors, anchors/aliases and merge keys are
 * refused outright (no alias bombs, and a reviewer sees every value where it applies), and files
 * are size-capped. Every value keeps its source position so problems can name file:line:col.
 */
import { createHash } from 'node:crypto';
// Synchronous on purpose: a load is a few dozen small files, and every awaited read would let
// live traffic run in between, which under load stretched a hot reload from ~100 ms to seconds.
import { readFileSync as readFile, statSync as stat } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';

export const MAX_SPEC_FILE_BYTES = 1024 * 1024;

const JSON_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** A problem found in a spec, with where it is. */
export interface SpecProblem extends Partial<SourcePosition> {
  message: string;
  /** Where in the merged spec, e.g. `request.rules[2].from`. */
  at?: string;
}

export interface YamlFile {
  file: string;
  data: unknown;
  /** Position of the value at a path inside this file's document (falls back to the nearest parent). */
  locate(path: readonly (string | number)[]): SourcePosition;
}

export class YamlFileError extends Error {
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: SpecProblem): string {
  const where = p.file ? `${path.relative(process.cwd(), p.file) || p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}` : '';
  return [where, p.at ? `(${p.at})` : '', p.message].filter(Boolean).join(' ');
}

/**
 * Parsed files by path and exact text: a hot reload re-reads every file of every pair, but an
 * edit touches one, so the others are not parsed again. Results are never mutated by callers
 * (they merge into new objects), so sharing them is safe.
 */
const parsedByText = new Map<string, YamlFile>();
const MAX_CACHED_FILES = 512;

export async function readYamlFile(file: string): Promise<YamlFile> {
  const info = stat(file);
  if (info.size > MAX_SPEC_FILE_BYTES) {
    throw new YamlFileError([{ file, message: `file is ${info.size} bytes; a spec file may have at most ${MAX_SPEC_FILE_BYTES}` }]);
  }
  const text = readFile(file, 'utf8');
  const key = `${file}\0${createHash('sha256').update(text).digest('hex')}`;
  const cached = parsedByText.get(key);
  if (cached) return cached;
  const parsed = parseYamlText(file, text); // throws on a bad file: nothing cached
  if (parsedByText.size >= MAX_CACHED_FILES) parsedByText.delete(parsedByText.keys().next().value!);
  parsedByText.set(key, parsed);
  return parsed;
}

export function parseYamlText(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
  const position = (offset: number): SourcePosition => ({ file, ...lineCounter.linePos(offset) });

  const problems: SpecProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    ...position(e.pos[0]),
    message: e.message.split('\n')[0],
  }));
  // One Node visitor: yaml's visit() calls the most specific visitor only, so per-kind visitors
  // would silently skip the anchor and tag checks for those kinds.
  visit(doc, {
    Alias(_key, node) {
      problems.push({ ...position(node.range?.[0] ?? 0), message: 'YAML aliases are not allowed in mapping specs; write the value out' });
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        problems.push({ ...position(pair.key.range?.[0] ?? 0), message: 'YAML merge keys (<<) are not allowed in mapping specs' });
      }
    },
    Node(_key, node) {
      if (isAlias(node)) return;
      if ((node as { anchor?: string }).anchor) {
        problems.push({ ...position(node.range?.[0] ?? 0), message: 'YAML anchors are not allowed in mapping specs' });
      }
      checkTag(node.tag, node.range?.[0]);
      if (isMap(node)) checkCollapsingKeys(node.items);
    },
  });
  function checkCollapsingKeys(items: ReadonlyArray<{ key: unknown }>): void {
    // `400:` and "400": are different YAML keys but the same JSON key: the second would win silently.
    // (Keys with equal values are already refused by the parser's uniqueKeys check.)
    const seen = new Map<string, unknown>();
    for (const pair of items) {
      if (!isScalar(pair.key)) continue;
      const asJson = String(pair.key.value);
      if (seen.has(asJson) && seen.get(asJson) !== pair.key.value) {
        problems.push({ ...position(pair.key.range?.[0] ?? 0), message: `duplicate key "${asJson}" (written once as ${typeof seen.get(asJson)}, once as ${typeof pair.key.value})` });
      }
      seen.set(asJson, pair.key.value);
    }
  }
  function checkTag(tag: string | undefined, offset: number | undefined): void {
    // Only JSON's kinds of value: a !!binary, !!set or !!timestamp would not survive as JSON.
    if (tag && !JSON_TAGS.has(tag)) problems.push({ ...position(offset ?? 0), message: `YAML tag ${tag} is not allowed in mapping specs (JSON values only)` });
  }
  if (problems.length > 0) throw new YamlFileError(problems);

  const data = doc.toJS({ maxAliasCount: 0 });
  return { file, data, locate: (path) => locateIn(doc, path, position) };
}

function locateIn(
  doc: Document,
  path: readonly (string | number)[],
  position: (offset: number) => SourcePosition,
): SourcePosition {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return position(node.range[0]);
  }
  return position(0);
}

