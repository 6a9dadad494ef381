/**
 * The mappings and schemas as they were at a git ref, materialised in a temp folder
 * (`git archive <commit> <paths> | tar -x`), so the change review can load them with the same
 * loader as the working tree. The ref comes from a person's command line: it is resolved to a
 * commit with `--end-of-options` first, so it can never be read as an option by git.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** No git step of a review should take longer; a hung git is reported, not waited on. */
const GIT_TIMEOUT_MS = 60_000;

export class ReviewError extends Error {}

export interface Snapshot {
  ref: string;
  commit: string;
  mappingsDir: string;
  schemasDir: string;
  /** Paths (relative to the repository) that did not exist at the ref. */
  missing: string[];
  /** Turns a file of the snapshot into `<ref>:<path in the repository>` for messages. */
  describe(file: string): string;
  remove(): Promise<void>;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: unknown };
    if (e.code === 'ENOENT') throw new ReviewError('git is not installed (the change review needs it)');
    throw new ReviewError(`git ${args[0]} failed: ${(e.stderr || e.message).trim()}`);
  }
}

export async function snapshotAtRef(ref: string, mappingsDir: string, schemasDir: string): Promise<Snapshot> {
  if (ref === '' || ref.startsWith('-') || /[\s\0]/.test(ref)) throw new ReviewError(`"${ref}" is not a git ref`);
  const realMappings = await realpath(mappingsDir).catch(() => { throw new ReviewError(`cannot read the mappings folder ${mappingsDir}`); });
  const top = await git(realMappings, ['rev-parse', '--show-toplevel']).catch(() => { throw new ReviewError(`${mappingsDir} is not inside a git repository`); });
  let commit: string;
  try {
    commit = await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    throw new ReviewError(`unknown git ref "${ref}"`);
  }
  const inRepo = async (dir: string) => {
    const rel = path.relative(top, await realpath(dir).catch(() => path.resolve(dir)));
    return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
  };
  const relMappings = await inRepo(realMappings);
  const relSchemas = await inRepo(schemasDir);
  if (relMappings === undefined || relMappings === '') throw new ReviewError(`${mappingsDir} must be a folder inside the repository`);

  const present: string[] = [];
  const missing: string[] = [];
  for (const rel of [relMappings, relSchemas]) {
    if (rel === undefined || rel === '') continue;
    const exists = await git(top, ['cat-file', '-e', `${commit}:${rel}`]).then(() => true, () => false);
    (exists ? present : missing).push(rel);
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'rosetta-review-'));
  try {
    if (present.length > 0) await extract(top, commit, present, root);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    ref,
    commit,
    mappingsDir: path.join(root, relMappings),
    // Schemas outside the repository did not change with it: the old set is checked against today's.
    schemasDir: relSchemas === undefined ? schemasDir : path.join(root, relSchemas),
    missing,
    describe: (file) => {
      const rel = path.relative(root, file);
      return rel.startsWith('..') || path.isAbsolute(rel) ? file : `${ref}:${rel.split(path.sep).join('/')}`;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** `git archive <commit> -- <paths> | tar -x -C <into>`, both bounded by the same timeout. */
function extract(cwd: string, commit: string, paths: string[], into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit, '--', ...paths], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    archive.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    archive.stdout.pipe(tar.stdin);
    const timer = setTimeout(() => {
      archive.kill();
      tar.kill();
      reject(new ReviewError(`git archive | tar took longer than ${GIT_TIMEOUT_MS} ms`));
    }, GIT_TIMEOUT_MS);
    let pending = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        clearTimeout(timer);
        archive.kill();
        tar.kill();
        reject(new ReviewError(`${what} failed (exit ${code}): ${stderr.trim()}`));
      }
      if (--pending === 0 && !failed) {
        clearTimeout(timer);
        resolve();
      }
    };
    archive.on('error', (err) => reject(new ReviewError(`git archive: ${err.message}`)));
    tar.on('error', (err) => reject(new ReviewError(`tar: ${err.message}`)));
    archive.on('close', done('git archive'));
    tar.on('close', done('tar -x'));
  });
}
