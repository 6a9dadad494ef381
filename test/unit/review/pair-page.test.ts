/**
 * The pair page a reviewer reads: every rule and field row of every block is in its field table,
 * ignored fields carry their reasons, the stream table lists every event rule, and every whole
 * example shows the mark of running it — pass, or fail with what differed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPairPage } from '../../../engine/review/pair-page.js';
import { writeReview } from '../../../engine/review/write-review.js';
import { rowAnchor, rowsOf } from '../../../engine/review/block-table.js';
import { escapeHtml } from '../../../engine/review/html.js';
import { coverageOf } from '../../../engine/spec/coverage.js';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';
import { TOY_MAPPINGS_DIR, TOY_SCHEMAS_DIR } from '../spec/toy-pair-copy.js';

const LINKS = { index: 'index.html', pair: (n: string) => `${n}.html` };
const BLOCKS = [
  ['request', (p: CompiledPair) => p.spec.request],
  ['response', (p: CompiledPair) => p.spec.response],
  ['errors.upstream', (p: CompiledPair) => p.spec.errors?.upstream],
  ['errors.gateway', (p: CompiledPair) => p.spec.errors?.gateway],
] as const;

/** The HTML of one `<section>` whose heading has the given id, up to the next heading of that level. */
function sectionOf(page: string, id: string, level = 2): string {
  const start = page.indexOf(`<h${level} id="${id}"`);
  expect(start, `section #${id}`).toBeGreaterThanOrEqual(0);
  const end = page.indexOf(`<h${level} id=`, start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

function expectEveryRowListed(pair: CompiledPair, page: string): void {
  for (const [name, pick] of BLOCKS) {
    const rows = rowsOf(pick(pair));
    if (rows.length === 0) continue;
    const table = sectionOf(page, name.replace('.', '-'));
    for (const row of rows) {
      expect(table, `${name}: ${row.id ?? row.target}`).toContain(`id="${rowAnchor(name, row)}"`);
      expect(table).toContain(row.target.split('.').map(escapeHtml).join('.<wbr>'));
      if (row.id) expect(table).toContain(`rule ${row.id}`);
      expect(table).toContain(escapeHtml(row.from)); // the JSONata, folded away
    }
    expect(table.match(/<tr id="/g)?.length).toBe(rows.length);
  }
}

describe('the toy pair page', () => {
  let set: MappingSet;
  let toy: CompiledPair;
  let page: string;

  beforeAll(async () => {
    const loaded = await loadMappingSet({ mappingsDir: TOY_MAPPINGS_DIR, schemasDir: TOY_SCHEMAS_DIR, env: {} });
    expect(loaded.problems).toEqual([]);
    set = loaded.set!;
    toy = set.pairs[0];
    page = renderPairPage(toy, set.schemas, { links: LINKS, note: 'test' });
  });

  it('has a field table row for every field and rule of every block', () => {
    expectEveryRowListed(toy, page);
  });

  it('says what each row comes from: input fields, tables, functions, the model map, failures', () => {
    const request = sectionOf(page, 'request');
    expect(request).toContain('<code>limit</code>'); // max ← limit
    expect(request).toContain('href="#fn-shout">shout()</a>'); // input ← $shout(prompt)
    expect(request).toContain('href="#models">models map</a>'); // engine ← $mapModel(model)
    expect(request).toMatch(/may fail<\/small> not_found/);
    const gateway = sectionOf(page, 'errors-gateway');
    expect(gateway).toContain('href="#table-kind">kind</a>');
  });

  it('lists ignored fields with their reasons, the model map and the tables', () => {
    expect(sectionOf(page, 'ignored')).toMatch(/<code>nothing<\/code><\/td><td>here<\/td>/);
    expect(sectionOf(page, 'models')).toMatch(/<code>small-\*<\/code><\/td><td><code>tiny<\/code>/);
    const table = sectionOf(page, 'table-kind', 3);
    expect(table).toMatch(/<code>not_found<\/code><\/td><td><code>missing<\/code>/);
    expect(table).toContain('any other key');
  });

  it('shows the stream event table and the ignored events', () => {
    const events = sectionOf(page, 'stream-events', 3);
    for (const type of ['delta', 'done', 'fail']) expect(events).toContain(`id="event-${type}"`);
    expect(sectionOf(page, 'stream-ignored', 3)).toContain('Carries nothing the client needs.');
  });

  it('shows the coverage summary of coverageOf', () => {
    const coverage = coverageOf(toy, set.schemas);
    const section = sectionOf(page, 'coverage');
    for (const field of coverage.inbound) expect(section).toContain(`<code>${field.path}</code>`);
    expect(section).toContain(`<td>${coverage.inbound.length}</td>`);
  });

  it('marks passing examples and shows input, expected and actual side by side', () => {
    const examples = sectionOf(page, 'examples');
    expect(examples).toContain('Examples (2 of 2 pass)');
    expect(examples).toContain('<details class="example" id="example-small-model">');
    expect(examples).toContain('Input: client request');
    expect(examples).toContain('Expected upstream request');
    expect(examples).toContain('Actual upstream request');
    expect(examples).not.toContain('✗ fail');
  });

  it('marks a failing example, opens it, and shows the failure and the difference', () => {
    const failing: CompiledPair = {
      ...toy,
      examples: toy.examples.map((e, i) => i > 0 ? e : {
        ...e,
        parts: e.parts.map((p) => (p.part === 'upstream_request' ? { ...p, ok: false, got: { ...(p.got as object), input: 'HELLO?' }, message: 'at /input: got "HELLO?", expected "HELLO!"' } : p)),
        failures: [{ part: 'upstream_request', message: 'at /input: got "HELLO?", expected "HELLO!"' }],
      }),
    };
    const examples = sectionOf(renderPairPage(failing, set.schemas, { links: LINKS, note: 'test' }), 'examples');
    expect(examples).toContain('Examples (1 of 2 pass)');
    expect(examples).toContain('<details class="example" id="example-small-model" open>');
    expect(examples).toContain('✗ fail');
    expect(examples).toContain('at /input: got &quot;HELLO?&quot;, expected &quot;HELLO!&quot;');
    expect(examples).toContain('class="line removed">-   &quot;input&quot;: &quot;HELLO!&quot;,');
    expect(examples).toContain('class="line added">+   &quot;input&quot;: &quot;HELLO?&quot;,');
  });

  it('writes index.html and one page per pair, linked from the index', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'rosetta-review-out-'));
    try {
      const files = await writeReview(set, out, { now: new Date(0) });
      expect(files.map((f) => path.basename(f))).toEqual(['index.html', 'toy-chat-to-toy-llm.html']);
      const index = await readFile(path.join(out, 'index.html'), 'utf8');
      expect(index).toContain('href="toy-chat-to-toy-llm.html"');
      expect(index).toContain('generated 1970-01-01T00:00:00.000Z');
      const pairPage = await readFile(path.join(out, 'toy-chat-to-toy-llm.html'), 'utf8');
      expect(pairPage).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
      expect(pairPage).not.toMatch(/<script|<link|src=/i); // self-contained, no scripts
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('the shipped pair page', () => {
  it('has a field table row for every field and rule of every block, and every example passes', async () => {
    const loaded = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
    expect(loaded.problems).toEqual([]);
    for (const pair of loaded.set!.pairs) {
      const page = renderPairPage(pair, loaded.set!.schemas, { links: LINKS, note: 'test' });
      expectEveryRowListed(pair, page);
      expect(page.match(/<details class="example"/g)?.length).toBe(pair.examples.length);
      expect(page).not.toContain('✗ fail');
      for (const type of Object.keys(pair.spec.stream?.events ?? {})) expect(page).toContain(`id="event-${type.replace(/[^a-z0-9]+/g, '-')}"`);
    }
  });
});
