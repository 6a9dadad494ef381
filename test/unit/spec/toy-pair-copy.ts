/**
 * A throw-away copy of the toy pair (test/fixtures/mini) in the OS temp folder, for tests that
 * break it on purpose. Edits are plain text replacements that fail loudly when the text they
 * replace is not there, so a fixture change cannot silently turn a defect test into a no-op.
 */
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/mini/', import.meta.url));
export const TOY_SCHEMAS_DIR = path.join(FIXTURE, 'schemas');
export const TOY_MAPPINGS_DIR = path.join(FIXTURE, 'mappings');
export const TOY_PAIR = 'toy-chat-to-toy-llm';

export interface ToyCopy {
  /** The copied mappings folder (holds one or more pair folders). */
  mappingsDir: string;
  /** Folder of the toy pair inside the copy. */
  pairDir: string;
  /** Absolute path of a file of a pair folder (default: the toy pair). */
  file(name: string, pair?: string): string;
  read(name: string, pair?: string): Promise<string>;
  write(name: string, text: string, pair?: string): Promise<void>;
  /** Replaces `from` by `to` in a file; throws when `from` is not in it exactly once. */
  edit(name: string, from: string, to: string, pair?: string): Promise<void>;
  /** Copies the toy pair into another folder (renaming its `pair:` to match). */
  clonePair(as: string): Promise<string>;
  /** Renames the toy pair's folder. */
  renamePairFolder(as: string): Promise<void>;
  load(env?: NodeJS.ProcessEnv): ReturnType<typeof loadMappingSet>;
  remove(): Promise<void>;
}

export async function copyToyPair(): Promise<ToyCopy> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'rosetta-toy-'));
  const mappingsDir = path.join(root, 'mappings');
  await cp(TOY_MAPPINGS_DIR, mappingsDir, { recursive: true });
  let pairName = TOY_PAIR;
  const copy: ToyCopy = {
    mappingsDir,
    get pairDir() {
      return path.join(mappingsDir, pairName);
    },
    file: (name, pair = pairName) => path.join(mappingsDir, pair, name),
    read: (name, pair) => readFile(copy.file(name, pair), 'utf8'),
    write: (name, text, pair) => writeFile(copy.file(name, pair), text),
    async edit(name, from, to, pair) {
      const text = await copy.read(name, pair);
      const count = text.split(from).length - 1;
      if (count !== 1) throw new Error(`edit of ${name}: ${JSON.stringify(from)} occurs ${count} times`);
      await copy.write(name, text.replace(from, () => to), pair);
    },
    async clonePair(as) {
      await cp(path.join(mappingsDir, pairName), path.join(mappingsDir, as), { recursive: true });
      await copy.edit('pair.yaml', `pair: ${TOY_PAIR}`, `pair: ${as}`, as);
      return path.join(mappingsDir, as);
    },
    async renamePairFolder(as) {
      await rename(path.join(mappingsDir, pairName), path.join(mappingsDir, as));
      pairName = as;
    },
    load: (env = {}) => loadMappingSet({ mappingsDir, schemasDir: TOY_SCHEMAS_DIR, env }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  return copy;
}

/** 1-based line of the `nth` line of `text` that contains `marker`. */
export function lineOf(text: string, marker: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(marker) && ++seen === nth) return i + 1;
  throw new Error(`marker ${JSON.stringify(marker)} (#${nth}) not found`);
}
