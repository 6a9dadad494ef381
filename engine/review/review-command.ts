/**
 * `rosetta review [--out dir] [--since <git-ref>] [mappings-dir]`: writes the static review of the
 * mappings (index.html + one page per pair) and, with --since, the change review (changes.html)
 * against the mappings at that git ref. Exit 0 when written; 1 when the working tree's mappings do
 * not load (their problems are printed, and the change review is still written); 2 on bad usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readConfig } from '../config/env-config.js';
import { loadMappingSet } from '../spec/load-mapping-set.js';
import { formatProblem } from '../spec/yaml-file.js';
import { changeSummaryText, renderChangePage } from './change-page.js';
import { buildChangeReport } from './change-report.js';
import { ReviewError } from './git-snapshot.js';
import { CHANGES_FILE, staticLinks, writeReview } from './write-review.js';

export const REVIEW_USAGE = `  review [--out dir] [--since ref] [dir]
                   write an HTML review of the mappings (default --out ./review); with --since,
                   also changes.html: what changed since that git ref`;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface ReviewArgs {
  out: string;
  since?: string;
  dir?: string;
}

function parseArgs(argv: readonly string[]): ReviewArgs | string {
  const args: Partial<ReviewArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--out' || flag === '--since') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${flag} needs a value`;
      args[flag === '--out' ? 'out' : 'since'] = value;
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}`;
    } else if (args.dir === undefined) {
      args.dir = arg;
    } else {
      return `unexpected argument ${arg}`;
    }
  }
  return { out: args.out ?? 'review', since: args.since, dir: args.dir };
}

export async function runReviewCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`rosetta review: ${args}\nusage: rosetta\n${REVIEW_USAGE}\n`);
    return 2;
  }
  const config = readConfig(io.env, io.cwd);
  const mappingsDir = args.dir ? path.resolve(io.cwd, args.dir) : config.mappingsDir;
  const outDir = path.resolve(io.cwd, args.out);
  const { set, problems } = await loadMappingSet({ mappingsDir, schemasDir: config.schemasDir, env: io.env });
  let code = 0;
  if (set) {
    const files = await writeReview(set, outDir, { withChanges: args.since !== undefined });
    io.stdout(`rosetta review: ${files.length} page(s) for ${set.pairs.length} pair(s) in ${path.join(outDir, 'index.html')}\n`);
  } else {
    io.stdout(`rosetta review: the mappings in ${mappingsDir} do not load (${problems.length} problem(s)); no pair pages written\n`);
    for (const p of problems) io.stdout(`  ${formatProblem(p)}\n`);
    code = 1;
  }
  if (args.since !== undefined) {
    try {
      const report = await buildChangeReport({ mappingsDir, schemasDir: config.schemasDir, since: args.since, env: io.env });
      await mkdir(outDir, { recursive: true });
      const file = path.join(outDir, CHANGES_FILE);
      await writeFile(file, renderChangePage(report, staticLinks(true)));
      io.stdout(changeSummaryText(report));
      io.stdout(`rosetta review: change review in ${file}\n`);
    } catch (err) {
      if (!(err instanceof ReviewError)) throw err;
      io.stderr(`rosetta review: ${err.message}\n`);
      return 1;
    }
  }
  return code;
}
