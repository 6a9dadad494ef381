#!/usr/bin/env node
/**
 * `rosetta start` serves; `rosetta check [dir]` loads every pair offline — schema, expressions,
 * examples — and exits 1 on any problem, naming file:line for each; `rosetta review` writes the
 * HTML review of the mappings (engine/review/).
 */
import path from 'node:path';
import { ConfigError, readConfig } from '../config/env-config.js';
import { createLogger } from '../observe/logger.js';
import { startGateway, MappingLoadError } from '../server/gateway.js';
import { loadMappingSet } from '../spec/load-mapping-set.js';
import { formatProblem } from '../spec/yaml-file.js';
import { coverageOf, type FieldCoverage } from '../spec/coverage.js';
import { REVIEW_USAGE, runReviewCommand } from '../review/review-command.js';

const USAGE = `usage: rosetta <command>
  start            serve the gateway (configuration from the environment; see README)
  check [dir]      check the mappings in dir (default: MAPPINGS_DIR or ./mappings); exit 1 on any problem
${REVIEW_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'check':
      return check(rest[0]);
    case 'review':
      return runReviewCommand(rest, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env, cwd: process.cwd() });
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}

async function start(): Promise<number> {
  const config = readConfig(process.env);
  const log = createLogger(config.logLevel);
  const gateway = await startGateway(config, process.env, log);
  // Graceful shutdown (server/shutdown.ts): drain up to SHUTDOWN_GRACE_MS, then exit 0. A second
  // signal (an impatient operator's second Ctrl-C) exits at once, with 1.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting for requests in flight');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    gateway.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {}); // serve until a signal
}

async function check(dir: string | undefined): Promise<number> {
  const config = readConfig(process.env);
  const mappingsDir = dir ? path.resolve(dir) : config.mappingsDir;
  const { set, problems } = await loadMappingSet({ mappingsDir, schemasDir: config.schemasDir, env: process.env });
  if (!set) {
    process.stdout.write(`rosetta check: ${problems.length} problem(s) in ${mappingsDir}\n`);
    for (const p of problems) process.stdout.write(`  ${formatProblem(p)}\n`);
    return 1;
  }
  let missing = 0;
  for (const pair of set.pairs) {
    const byMode: Record<string, number> = { path: 0, compiled: 0, jsonata: 0 };
    for (const rule of pair.rules) byMode[rule.mode]++;
    const examples = pair.examples.length;
    process.stdout.write(`${pair.name}: ${pair.rules.length} rules (${byMode.path} plain paths, ${byMode.compiled} compiled to JavaScript, ${byMode.jsonata} interpreted), ${examples} examples passed\n`);
    // Interpreted rules are correct but slow; say which and why, so an author can fix them.
    for (const rule of pair.rules.filter((r) => r.mode === 'jsonata')) {
      process.stdout.write(`    interpreted: ${rule.id} — ${(rule as { fallbackReason?: string }).fallbackReason ?? 'RULE_ENGINE=interpreted'}\n`);
    }
    const coverage = coverageOf(pair, set.schemas);
    for (const [label, fields, where] of [
      ['inbound request fields', coverage.inbound, 'ignored:'],
      ['upstream response fields', coverage.upstreamResponse, 'upstream_ignored:'],
      ['upstream stream event types', coverage.streamEvents, 'stream.ignored:'],
      ['upstream stream event fields', coverage.streamFields, 'stream.ignored_fields:'],
    ] as const) {
      if (fields.length === 0) continue;
      process.stdout.write(`  ${label}: ${summarise(fields)}\n`);
      for (const f of fields.filter((x) => x.status === 'missing')) {
        const at = pair.locate([where.replace(/:$/, '').split('.')[0]]);
        process.stdout.write(`    ${formatProblem({ ...at, message: `${f.path} is neither mapped nor listed under ${where} with a reason` })}\n`);
        missing++;
      }
    }
  }
  if (missing > 0) {
    process.stdout.write(`rosetta check: ${missing} field(s) not covered\n`);
    return 1;
  }
  process.stdout.write('rosetta check: ok\n');
  return 0;
}

function summarise(fields: readonly FieldCoverage[]): string {
  const count = (status: FieldCoverage['status']) => fields.filter((f) => f.status === status).length;
  return `${fields.length} — ${count('mapped')} mapped, ${count('ignored')} ignored with a reason, ${count('missing')} missing`;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof ConfigError || err instanceof MappingLoadError) process.stderr.write(`rosetta: ${err.message}\n`);
    else process.stderr.write(`rosetta: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
