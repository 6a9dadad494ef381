/**
 * The CLI built from the current sources, for tests that run it as a process. Each test file
 * builds into a folder of its own (test-artifacts/builds/<name>/): tests run in parallel, and a
 * build rewriting dist/ while another test's child process loads it crashed that child with a
 * half-written file ("SyntaxError: Unexpected end of input"). No test writes dist/.
 *
 * The built files find the package root (schemas/, node_modules/) by walking up from themselves,
 * so a build under test-artifacts/ runs like dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './gateway-harness.js';

/** Builds (tsc -p tsconfig.build.json) into test-artifacts/builds/<name> and gives the CLI's main.js. */
export function buildCli(name: string): string {
  const outDir = path.join(REPO_ROOT, 'test-artifacts', 'builds', name);
  rmSync(outDir, { recursive: true, force: true });
  const started = Date.now();
  // tsc emits even when a file elsewhere in the tree has a type error (the type-check step
  // reports those); what matters here is a fresh build.
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: REPO_ROOT, timeout: 120_000, encoding: 'utf8' });
  const main = path.join(outDir, 'engine', 'cli', 'main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < started - 1000) {
    throw new Error(`could not build the CLI into ${outDir}:\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`);
  }
  return main;
}
