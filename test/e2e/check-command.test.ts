/**
 * `rosetta check <dir>` as a person runs it (the built CLI in a child process) on temp copies of
 * the shipped pair, each with one defect: exit 1 and the defect's file:line in the output — and
 * exit 0 on the untouched copy.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/gateway-harness.js';
import { lineOf } from '../unit/spec/toy-pair-copy.js';
import { buildCli } from '../helpers/built-cli.js';

const run = promisify(execFile);
const PAIR = 'anthropic-to-openai-responses';
let CLI: string;
const CHECK_MS = 60_000;

interface Defect {
  name: string;
  /** File of the pair folder to break. */
  file: string;
  from: string;
  to: string;
  /** The text whose line the output must name (in the edited file). */
  at: string;
  /** Lines after `at` that may be reported instead (a YAML error is noticed on the next line; an example part is located at its value). */
  slack?: number;
  message: RegExp;
}

const DEFECTS: Defect[] = [
  { name: 'a YAML syntax error', file: 'pair.yaml', from: '\nroutes:\n', to: '\nroutes: [\n', at: 'routes: [', slack: 1, message: /collection/i },
  { name: 'a spec schema violation (an unknown key in a rule)', file: 'request.yaml', from: '    - id: system-to-instructions\n', to: '    - id: system-to-instructions\n      colour: red\n', at: 'colour: red', message: /unknown key "colour"/ },
  { name: 'a JSONata syntax error', file: 'request.yaml', from: 'from: $systemPromptText(system)', to: 'from: $systemPromptText(system', at: 'from: $systemPromptText(system', message: /JSONata/ },
  { name: 'a failing example', file: 'examples/error-timeout.yaml', from: 'type: timeout_error', to: 'type: api_error', at: '  error:', slack: 1, message: /example "upstream-timeout": at \/body\/error\/type/ },
];

async function check(mappingsDir: string, cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'check', mappingsDir], {
      cwd,
      timeout: CHECK_MS,
      env: { PATH: process.env.PATH, SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas') },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('rosetta check on a copy of the shipped pair', () => {
  let root: string;

  /** A fresh copy of the pair in its own mappings folder; returns that folder (relative to root). */
  const copyPair = async (name: string): Promise<string> => {
    const dir = path.join(root, name, 'mappings');
    await cp(path.join(REPO_ROOT, 'mappings', PAIR), path.join(dir, PAIR), { recursive: true });
    return path.relative(root, dir);
  };

  beforeAll(async () => {
    // The CLI is what people run: build it from the current sources first.
    CLI = buildCli('check-command');
    root = await mkdtemp(path.join(os.tmpdir(), 'rosetta-check-'));
  }, 150_000);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('exits 0 on the untouched copy', async () => {
    const dir = await copyPair('good');
    const { code, output } = await check(dir, root);
    expect(output).toContain('rosetta check: ok');
    expect(code).toBe(0);
  }, CHECK_MS);

  it.each(DEFECTS)('exits 1 and names file:line for $name', async (defect) => {
    const dir = await copyPair(defect.name.replace(/[^a-z]+/gi, '-'));
    const file = path.join(root, dir, PAIR, defect.file);
    const text = await readFile(file, 'utf8');
    expect(text.split(defect.from).length - 1, `${defect.from} in ${defect.file}`).toBe(1);
    const broken = text.replace(defect.from, () => defect.to);
    await writeFile(file, broken);
    const line = lineOf(broken, defect.at);

    const { code, output } = await check(dir, root);
    expect(code, output).toBe(1);
    const where = path.join(dir, PAIR, defect.file).split(path.sep).join('/');
    const reported = [...output.matchAll(new RegExp(`${where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):\\d+ (.*)`, 'g'))];
    expect(reported.length, output).toBeGreaterThan(0);
    const [, reportedLine, message] = reported[0];
    expect(Number(reportedLine), output).toBeGreaterThanOrEqual(line);
    expect(Number(reportedLine), output).toBeLessThanOrEqual(line + (defect.slack ?? 0));
    expect(message).toMatch(defect.message);
  }, CHECK_MS);

  it('exits 1 and names the field when an inbound field is neither mapped nor ignored', async () => {
    const dir = await copyPair('uncovered');
    const file = path.join(root, dir, PAIR, 'request.yaml');
    const text = await readFile(file, 'utf8');
    const entry = text.split('\n').find((l) => l.startsWith('  top_k: '));
    expect(entry).toBeDefined();
    await writeFile(file, text.replace(`${entry}\n`, ''));

    const { code, output } = await check(dir, root);
    expect(code, output).toBe(1);
    expect(output).toMatch(/request\.yaml:\d+:\d+ top_k is neither mapped nor listed under ignored: with a reason/);
    expect(output).toContain('rosetta check: 1 field(s) not covered');
  }, CHECK_MS);
});
