/**
 * The change review: the mappings at a git ref against the working tree. The spec text of every
 * pair is compared entry by entry (spec-diff.ts), both sets are loaded with the engine's loader,
 * and when both load, the shared examples are run through both to show what the change does to
 * their outputs. A set that does not load is reported with its problems; the text comparison
 * still runs.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadMappingSet, type MappingSet } from '../spec/load-mapping-set.js';
import { readPairFolder } from '../spec/read-pair-folder.js';
import type { SpecProblem } from '../spec/yaml-file.js';
import { exampleOutputChanges, type ExampleOutputChange } from './example-outputs.js';
import { snapshotAtRef } from './git-snapshot.js';
import { diffPairSpecs, type ChangeSection } from './spec-diff.js';

export interface SetLoad {
  ok: boolean;
  problems: SpecProblem[];
}

export interface PairChange {
  name: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  sections: ChangeSection[];
  /** Problems that kept a version's YAML from being read at all (no text comparison possible). */
  unreadable?: { side: 'before' | 'after'; problems: SpecProblem[] };
  examples?: { compared: number; changes: ExampleOutputChange[] };
  /** Why example outputs were not compared, when they were not. */
  examplesNote?: string;
}

export interface ChangeReport {
  ref: string;
  commit: string;
  generatedAt: Date;
  before: SetLoad;
  after: SetLoad;
  /** Folders (mappings, schemas) that did not exist at the ref. */
  missingAtRef: string[];
  /** API schema files (relative to the schemas folder) that differ. */
  schemaFiles: { added: string[]; removed: string[]; changed: string[] };
  pairs: PairChange[];
}

export interface ChangeReviewOptions {
  mappingsDir: string;
  schemasDir: string;
  since: string;
  env: NodeJS.ProcessEnv;
  now?: Date;
}

export async function buildChangeReport(options: ChangeReviewOptions): Promise<ChangeReport> {
  const snapshot = await snapshotAtRef(options.since, options.mappingsDir, options.schemasDir);
  try {
    const [oldLoad, newLoad] = [
      await loadMappingSet({ mappingsDir: snapshot.mappingsDir, schemasDir: snapshot.schemasDir, env: options.env }),
      await loadMappingSet({ mappingsDir: options.mappingsDir, schemasDir: options.schemasDir, env: options.env }),
    ];
    const relabel = (p: SpecProblem): SpecProblem => (p.file ? { ...p, file: snapshot.describe(p.file) } : p);
    const names = [...new Set([...(await pairFolders(snapshot.mappingsDir)), ...(await pairFolders(options.mappingsDir))])].sort();
    const pairs: PairChange[] = [];
    for (const name of names) {
      const change = await comparePair(name, path.join(snapshot.mappingsDir, name), path.join(options.mappingsDir, name), relabel);
      if (change.status === 'changed' || change.status === 'unchanged') await addExampleOutputs(change, oldLoad.set, newLoad.set);
      pairs.push(change);
    }
    return {
      ref: snapshot.ref,
      commit: snapshot.commit,
      generatedAt: options.now ?? new Date(),
      before: { ok: oldLoad.set !== undefined, problems: oldLoad.problems.map(relabel) },
      after: { ok: newLoad.set !== undefined, problems: newLoad.problems },
      missingAtRef: snapshot.missing,
      schemaFiles: await compareFolders(snapshot.schemasDir, options.schemasDir),
      pairs,
    };
  } finally {
    await snapshot.remove();
  }
}

async function pairFolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return []; // no mappings folder on that side: every pair is added or removed
  }
}

async function comparePair(name: string, oldDir: string, newDir: string, relabel: (p: SpecProblem) => SpecProblem): Promise<PairChange> {
  const [oldExists, newExists] = await Promise.all([pairFolders(path.dirname(oldDir)).then((l) => l.includes(name)), pairFolders(path.dirname(newDir)).then((l) => l.includes(name))]);
  const oldRead = oldExists ? await readPairFolder(oldDir) : undefined;
  const newRead = newExists ? await readPairFolder(newDir) : undefined;
  if (oldRead && !oldRead.source) return { name, status: 'changed', sections: [], unreadable: { side: 'before', problems: oldRead.problems.map(relabel) } };
  if (newRead && !newRead.source) return { name, status: 'changed', sections: [], unreadable: { side: 'after', problems: newRead.problems } };
  const sections = diffPairSpecs(oldRead?.source?.spec, newRead?.source?.spec);
  const status = !oldRead ? 'added' : !newRead ? 'removed' : sections.length > 0 ? 'changed' : 'unchanged';
  return { name, status, sections };
}

async function addExampleOutputs(change: PairChange, oldSet: MappingSet | undefined, newSet: MappingSet | undefined): Promise<void> {
  const oldPair = oldSet?.pairs.find((p) => p.name === change.name);
  const newPair = newSet?.pairs.find((p) => p.name === change.name);
  if (!oldSet || !oldPair) {
    change.examplesNote = 'The old set did not load, so the examples could not be run through it (its problems are listed above).';
    return;
  }
  if (!newSet || !newPair) {
    change.examplesNote = 'The new set does not load, so the examples could not be run through it (its problems are listed above).';
    return;
  }
  change.examples = await exampleOutputChanges({ pair: oldPair, schemas: oldSet.schemas }, { pair: newPair, schemas: newSet.schemas });
  if (change.status === 'unchanged' && change.examples.changes.length > 0) change.status = 'changed'; // e.g. a schema change
}

/** JSON files added, removed or changed between two schema folders. */
async function compareFolders(before: string, after: string): Promise<ChangeReport['schemaFiles']> {
  const [b, a] = await Promise.all([jsonFiles(before), jsonFiles(after)]);
  const changed: string[] = [];
  for (const [rel, text] of a) if (b.has(rel) && b.get(rel) !== text) changed.push(rel);
  return { added: [...a.keys()].filter((k) => !b.has(k)), removed: [...b.keys()].filter((k) => !a.has(k)), changed };
}

async function jsonFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return files;
  }
  for (const rel of entries) {
    if (!rel.endsWith('.json')) continue;
    files.set(rel.split(path.sep).join('/'), await readFile(path.join(dir, rel), 'utf8'));
  }
  return files;
}
