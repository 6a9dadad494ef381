/**
 * Writes the static review of a mapping set: index.html and one <pair>.html per pair, each a
 * self-contained file (inline CSS, no scripts) that can be opened from disk, attached to a pull
 * request or published as a CI artifact.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MappingSet } from '../spec/load-mapping-set.js';
import { renderIndexPage } from './index-page.js';
import { renderPairPage, type ReviewLinks } from './pair-page.js';

export const CHANGES_FILE = 'changes.html';

/** A pair's file name. Pair names are already restricted by the spec schema; this is a second guard. */
export function pairFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe === 'index' || safe === 'changes' ? `pair-${safe}` : safe}.html`;
}

export function staticLinks(withChanges = false): ReviewLinks {
  return { index: 'index.html', pair: (name) => encodeURI(pairFileName(name)), changes: withChanges ? CHANGES_FILE : undefined };
}

export async function writeReview(set: MappingSet, outDir: string, options: { withChanges?: boolean; now?: Date } = {}): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const links = staticLinks(options.withChanges);
  const note = `generated ${(options.now ?? new Date()).toISOString()}`;
  const written: string[] = [];
  const write = async (file: string, text: string) => {
    const target = path.join(outDir, file);
    await writeFile(target, text);
    written.push(target);
  };
  await write('index.html', renderIndexPage(set.pairs, set.schemas, { links, note }));
  for (const pair of set.pairs) await write(pairFileName(pair.name), renderPairPage(pair, set.schemas, { links, note }));
  return written;
}
