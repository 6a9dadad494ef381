/**
 * A throw-away git repository holding a copy of the toy pair (test/fixtures/mini): mappings/ and
 * schemas/ at its root, for the change review, which compares the mappings at a git ref with the
 * working tree. Edits fail loudly when the text they replace is not there exactly once.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TOY_MAPPINGS_DIR, TOY_PAIR, TOY_SCHEMAS_DIR } from '../spec/toy-pair-copy.js';

const run = promisify(execFile);

export interface ToyRepo {
  root: string;
  mappingsDir: string;
  schemasDir: string;
  /** A file of the toy pair folder, e.g. `pair.yaml`. */
  file(name: string): string;
  read(name: string): Promise<string>;
  write(name: string, text: string): Promise<void>;
  edit(name: string, from: string, to: string): Promise<void>;
  git(...args: string[]): Promise<string>;
  /** `git add -A && git commit` with a fixed identity. */
  commit(message: string): Promise<void>;
  remove(): Promise<void>;
}

export async function createToyRepo(): Promise<ToyRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'rosetta-review-repo-'));
  const mappingsDir = path.join(root, 'mappings');
  const schemasDir = path.join(root, 'schemas');
  await cp(TOY_MAPPINGS_DIR, mappingsDir, { recursive: true });
  await cp(TOY_SCHEMAS_DIR, schemasDir, { recursive: true });
  const file = (name: string) => path.join(mappingsDir, TOY_PAIR, name);
  const git = async (...args: string[]) => (await run('git', args, { cwd: root, timeout: 20_000 })).stdout.trim();
  await git('init', '-q');
  const repo: ToyRepo = {
    root,
    mappingsDir,
    schemasDir,
    file,
    read: (name) => readFile(file(name), 'utf8'),
    write: (name, text) => writeFile(file(name), text),
    async edit(name, from, to) {
      const text = await repo.read(name);
      const count = text.split(from).length - 1;
      if (count !== 1) throw new Error(`edit of ${name}: ${JSON.stringify(from)} occurs ${count} times`);
      await repo.write(name, text.replace(from, () => to));
    },
    git,
    async commit(message) {
      await git('add', '-A');
      await git('-c', 'user.name=Review Test', '-c', 'user.email=review@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  return repo;
}
