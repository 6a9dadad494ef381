/**
 * The change review (`rosetta review --since <ref>`) on a temp git repository holding the toy pair:
 * commit one is the fixture, commit two changes a rule, renames another, drops a field row and
 * edits reasons, a table and a stream rule — with the example updated to match. The review must
 * name each change, and run the shared example through both versions to show its new output.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChangeReport, type ChangeReport, type PairChange } from '../../../engine/review/change-report.js';
import { changeSummaryText, renderChangePage } from '../../../engine/review/change-page.js';
import { ReviewError } from '../../../engine/review/git-snapshot.js';
import { runReviewCommand } from '../../../engine/review/review-command.js';
import type { SpecChange } from '../../../engine/review/spec-diff.js';
import { createToyRepo, type ToyRepo } from './toy-repo.js';

const LINKS = { index: 'index.html', pair: (n: string) => `${n}.html` };

function changeOf(pair: PairChange, section: string, key: string): SpecChange {
  const found = pair.sections.find((s) => s.id === section)?.changes.find((c) => c.key === key);
  expect(found, `${section}: ${key} in ${JSON.stringify(pair.sections.map((s) => [s.id, s.changes.map((c) => c.key)]))}`).toBeDefined();
  return found!;
}

/** Commit two: the same toy pair after a realistic edit. */
async function editToyPair(repo: ToyRepo): Promise<void> {
  await repo.edit('pair.yaml', `      describe: The prompt, shouted.
      from: $shout(prompt)`, `      describe: The prompt, shouted and questioned.
      from: '$shout(prompt) & "?"'`);
  await repo.edit('pair.yaml', '- { in: { prompt: "hey" }, out: "HEY!" }', '- { in: { prompt: "hey" }, out: "HEY!?" }');
  await repo.edit('pair.yaml', `    - id: tags-to-labels
      target: labels
      describe: Tags joined with commas.
      from: 'tags ? $join(tags, ",")'`, `    - id: tags-as-labels
      target: labels
      describe: Tags joined with semicolons.
      from: 'tags ? $join(tags, ";")'`);
  await repo.edit('pair.yaml', '    - { target: max, from: limit }\n', '');
  await repo.edit('pair.yaml', '  nothing: here', '  nothing: there\n  limit: The upstream picks its own limit.');
  await repo.edit('pair.yaml', 'not_found: missing', 'not_found: absent');
  await repo.edit('pair.yaml', 'upstream_request: { engine: tiny, input: "HELLO!", max: 5, labels: "a,b" }', 'upstream_request: { engine: tiny, input: "HELLO!?", labels: "a;b" }');
  await repo.edit('stream.yaml', "describe: The upstream's final event ends the client stream.", 'describe: The final event ends the stream.');
}

describe('the change review of a real change', () => {
  let repo: ToyRepo;
  let report: ChangeReport;
  let pair: PairChange;

  beforeAll(async () => {
    repo = await createToyRepo();
    await repo.commit('toy pair');
    await editToyPair(repo);
    await repo.commit('edit the toy pair');
    report = await buildChangeReport({ mappingsDir: repo.mappingsDir, schemasDir: repo.schemasDir, since: 'HEAD~1', env: {}, now: new Date(0) });
    pair = report.pairs[0];
  });
  afterAll(async () => {
    await repo?.remove();
  });

  it('loads both versions', () => {
    expect(report.before).toEqual({ ok: true, problems: [] });
    expect(report.after).toEqual({ ok: true, problems: [] });
    expect(report.commit).toBe(report.commit.match(/^[0-9a-f]{40}$/)?.[0]);
    expect(pair).toMatchObject({ name: 'toy-chat-to-toy-llm', status: 'changed' });
  });

  it('shows a changed rule with its old and new from and describe', () => {
    const rule = changeOf(pair, 'request', 'rule prompt-to-input');
    expect(rule.kind).toBe('changed');
    expect(rule.values).toEqual(expect.arrayContaining([
      { label: 'from', before: '$shout(prompt)', after: '$shout(prompt) & "?"', code: true },
      { label: 'describe', before: 'The prompt, shouted.', after: 'The prompt, shouted and questioned.', code: false },
    ]));
    expect(rule.values.map((v) => v.label)).toContain('examples');
  });

  it('shows a renamed rule as removed and added, and a dropped field row as removed', () => {
    expect(changeOf(pair, 'request', 'rule tags-to-labels')).toMatchObject({ kind: 'removed' });
    expect(changeOf(pair, 'request', 'rule tags-as-labels')).toMatchObject({ kind: 'added', values: expect.arrayContaining([{ label: 'from', after: 'tags ? $join(tags, ";")', code: true }]) });
    expect(changeOf(pair, 'request', 'field → max')).toMatchObject({ kind: 'removed', values: [{ label: 'from', before: 'limit', code: true }] });
  });

  it('shows ignored entries, table rows and stream rules that changed', () => {
    expect(changeOf(pair, 'ignored', 'nothing')).toMatchObject({ kind: 'changed', values: [{ label: 'reason', before: 'here', after: 'there' }] });
    expect(changeOf(pair, 'ignored', 'limit')).toMatchObject({ kind: 'added' });
    expect(changeOf(pair, 'tables', 'table kind: not_found')).toMatchObject({ kind: 'changed', values: [{ label: 'value', before: 'missing', after: 'absent' }] });
    expect(changeOf(pair, 'stream', 'event done')).toMatchObject({ kind: 'changed', values: [{ label: 'describe' }] });
    expect(pair.sections.find((s) => s.id === 'response')).toBeUndefined(); // untouched blocks are not listed
  });

  it('runs the shared examples through both versions and shows the outputs that changed', () => {
    expect(pair.examples?.compared).toBe(2);
    expect(pair.examples?.changes).toEqual([{
      pair: 'toy-chat-to-toy-llm',
      id: 'small-model',
      describe: 'A small model with tags.',
      part: 'upstream_request',
      before: { engine: 'tiny', input: 'HELLO!', max: 5, labels: 'a,b' },
      after: { engine: 'tiny', input: 'HELLO!?', labels: 'a;b' },
      inputChanged: false,
    }]);
  });

  it('renders the page a reviewer approves, and a text summary', () => {
    const page = renderChangePage(report, LINKS);
    expect(page).toContain('Changes since HEAD~1');
    expect(page).toContain('rule prompt-to-input');
    expect(page).toContain('shouted<ins> and questioned</ins>.'); // word diff of the describe
    expect(page).toContain('Example outputs that changed (1)');
    expect(page).toContain('class="line removed">-   &quot;input&quot;: &quot;HELLO!&quot;,');
    expect(page).toContain('class="line added">+   &quot;input&quot;: &quot;HELLO!?&quot;,');
    expect(page).toContain('class="line removed">-   &quot;max&quot;: 5');
    const text = changeSummaryText(report);
    expect(text).toContain('changed rule prompt-to-input (from, describe, examples)');
    expect(text).toContain('removed field → max');
    expect(text).toContain('small-model (upstream request)');
  });

  it('is written by `rosetta review --since` next to the review of the working tree', async () => {
    const out: string[] = [];
    const code = await runReviewCommand(['--since', 'HEAD~1', '--out', 'site'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: { MAPPINGS_DIR: 'mappings', SCHEMAS_DIR: 'schemas' }, cwd: repo.root });
    expect(out.join('')).toContain('change review in');
    expect(code).toBe(0);
    const index = await readFile(path.join(repo.root, 'site', 'index.html'), 'utf8');
    expect(index).toContain('href="changes.html"');
    expect(await readFile(path.join(repo.root, 'site', 'changes.html'), 'utf8')).toContain('rule tags-as-labels');
  });
});

describe('the change review when a version does not load', () => {
  let repo: ToyRepo;
  afterAll(async () => {
    await repo?.remove();
  });

  it('names the old set\'s problems with file and line, and still shows the text changes', async () => {
    repo = await createToyRepo();
    await repo.edit('pair.yaml', 'from: $shout(prompt)', "from: '$shout(prompt'");
    await repo.commit('a broken expression');
    await repo.edit('pair.yaml', "from: '$shout(prompt'", 'from: $shout(prompt)');
    await repo.edit('pair.yaml', 'describe: The prompt, shouted.', 'describe: The prompt, in capitals.');
    const report = await buildChangeReport({ mappingsDir: repo.mappingsDir, schemasDir: repo.schemasDir, since: 'HEAD', env: {} });
    expect(report.before.ok).toBe(false);
    expect(report.before.problems).toContainEqual(expect.objectContaining({ file: 'HEAD:mappings/toy-chat-to-toy-llm/pair.yaml', line: expect.any(Number), at: 'request.rules[0].from' }));
    expect(report.after.ok).toBe(true);
    const rule = changeOf(report.pairs[0], 'request', 'rule prompt-to-input');
    expect(rule.values).toEqual(expect.arrayContaining([{ label: 'from', before: '$shout(prompt', after: '$shout(prompt)', code: true }]));
    expect(report.pairs[0].examplesNote).toMatch(/old set did not load/);
    const page = renderChangePage(report, LINKS);
    expect(page).toContain('The mappings at HEAD do NOT load</b> (1 problem)');
    expect(page).toContain('HEAD:mappings/toy-chat-to-toy-llm/pair.yaml:');
  });

  it('refuses refs that are not commits or look like options', async () => {
    repo ??= await createToyRepo();
    for (const ref of ['no-such-branch', '--output=/tmp/x', '']) {
      await expect(buildChangeReport({ mappingsDir: repo.mappingsDir, schemasDir: repo.schemasDir, since: ref, env: {} })).rejects.toBeInstanceOf(ReviewError);
    }
  });
});
