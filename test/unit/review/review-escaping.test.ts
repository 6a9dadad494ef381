/**
 * Specs are edited by people and the review page is served by the live gateway: every string from a
 * spec must reach the page as text, never as markup. The toy pair is loaded with a hostile string in
 * every place a person can write one, and the rendered pages may contain only the tags the renderer
 * itself writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIndexPage } from '../../../engine/review/index-page.js';
import { renderPairPage } from '../../../engine/review/pair-page.js';
import { escapeHtml, html, prose, slug } from '../../../engine/review/html.js';
import { renderChangePage } from '../../../engine/review/change-page.js';
import type { ChangeReport } from '../../../engine/review/change-report.js';
import type { MappingSet } from '../../../engine/spec/load-mapping-set.js';
import { copyToyPair, type ToyCopy } from '../spec/toy-pair-copy.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'"`;
const ESCAPED = escapeHtml(HOSTILE);
const Y = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar

/** Every tag the renderer writes; anything else in a page came from a spec unescaped. */
const RENDERER_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'div', 'nav', 'main', 'header', 'section', 'h1', 'h2', 'h3', 'h4', 'p', 'ol', 'ul', 'li', 'a', 'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'details', 'summary', 'b', 'small', 'br', 'wbr', 'del', 'ins', 'dl', 'dt', 'dd']);

function tagsOf(page: string): Set<string> {
  return new Set([...page.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1].toLowerCase()));
}

function expectOnlyRendererMarkup(page: string): void {
  expect([...tagsOf(page)].filter((t) => !RENDERER_TAGS.has(t))).toEqual([]);
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<img/i);
  // Attributes are always quoted by the renderer; an escaped quote cannot close one.
  expect(page).not.toMatch(/onerror=alert\(1\)>/);
}

describe('the review escapes every string a spec author writes', () => {
  let toy: ToyCopy;
  let set: MappingSet;

  beforeAll(async () => {
    toy = await copyToyPair();
    await toy.edit('pair.yaml', "description: A toy pair for the engine's own tests.", `description: ${Y(HOSTILE)}`);
    await toy.edit('pair.yaml', '  "echo-*": "="', `  "echo-*": "="\n  ${Y(HOSTILE)}: ${Y(HOSTILE)}`);
    await toy.edit('pair.yaml', 'kind: { invalid_request: bad_input, not_found: missing, _default: broken }', `kind: { invalid_request: bad_input, not_found: missing, _default: broken, ${Y(HOSTILE)}: ${Y(HOSTILE)} }`);
    await toy.edit('pair.yaml', 'describe: Upper-cases a text and adds an exclamation mark.', `describe: ${Y(HOSTILE)}`);
    await toy.edit('pair.yaml', '- { target: max, from: limit }', `- { target: max, from: limit, describe: ${Y(HOSTILE)}, covers: [${Y(HOSTILE)}] }`);
    await toy.edit('pair.yaml', 'describe: The prompt, shouted.', `describe: ${Y(HOSTILE)}`);
    await toy.edit('pair.yaml', '  nothing: here', `  nothing: here\n  ${Y(HOSTILE)}: ${Y(HOSTILE)}`);
    await toy.edit('pair.yaml', 'describe: A small model with tags.', `describe: ${Y(HOSTILE)}`);
    const pairYaml = await toy.read('pair.yaml');
    await toy.write('pair.yaml', `${pairYaml.trimEnd()}
  - id: hostile-text
    describe: ${Y(HOSTILE)}
    request: { model: small-1, prompt: ${Y(HOSTILE)} }
    upstream_response: { output: { text: ${Y(HOSTILE)} } }
    response: { answer: ${Y(HOSTILE)}, model: small-1 }
`);
    await toy.edit('stream.yaml', "describe: The upstream's final event ends the client stream.", `describe: ${Y(HOSTILE)}`);
    await toy.edit('stream.yaml', 'noise: Carries nothing the client needs.', `noise: ${Y(HOSTILE)}`);
    const loaded = await toy.load();
    expect(loaded.problems).toEqual([]);
    set = loaded.set!;
  });
  afterAll(async () => {
    await toy?.remove();
  });

  it('shows a describe containing <script> as text on the pair page', () => {
    const page = renderPairPage(set.pairs[0], set.schemas, { links: { index: 'index.html', pair: (n) => `${n}.html` }, note: 'test' });
    expectOnlyRendererMarkup(page);
    // description, model glob and target, table key and value, function, field (describe, covers),
    // rule, ignored key and reason, example describe (twice: summary table and details), example
    // input and output, stream rule, ignored stream event.
    expect(page.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(15);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('escapes the index page, which shows each pair description', () => {
    const page = renderIndexPage(set.pairs, set.schemas, {
      links: { index: 'index.html', pair: (n) => `${n}.html` },
      note: HOSTILE,
      reload: { ok: false, at: new Date(0), problems: [{ file: `/x/${HOSTILE}.yaml`, line: 1, col: 1, message: HOSTILE }] },
    });
    expectOnlyRendererMarkup(page);
    expect(page).toContain(ESCAPED);
  });

  it('escapes the change page (keys, values, problems, example outputs)', () => {
    const report: ChangeReport = {
      ref: HOSTILE,
      commit: '0123456789abcdef',
      generatedAt: new Date(0),
      before: { ok: false, problems: [{ file: HOSTILE, line: 2, col: 3, message: HOSTILE }] },
      after: { ok: true, problems: [] },
      missingAtRef: [HOSTILE],
      schemaFiles: { added: [HOSTILE], removed: [], changed: [] },
      pairs: [{
        name: 'toy-chat-to-toy-llm',
        status: 'changed',
        sections: [{ id: 'request', title: 'Request rules and fields', changes: [
          { kind: 'changed', key: HOSTILE, note: HOSTILE, values: [{ label: HOSTILE, before: HOSTILE, after: `${HOSTILE} more`, code: false }, { label: 'from', before: `a\n${HOSTILE}`, after: `b\n${HOSTILE}`, code: true }] },
          { kind: 'added', key: HOSTILE, values: [{ label: 'describe', after: HOSTILE, code: false }] },
          { kind: 'removed', key: HOSTILE, values: [{ label: 'describe', before: HOSTILE, code: false }] },
        ] }],
        examples: { compared: 1, changes: [{ pair: 'toy-chat-to-toy-llm', id: 'x', describe: HOSTILE, part: 'response', before: { a: HOSTILE }, after: { a: `${HOSTILE}!` }, inputChanged: true }] },
      }],
    };
    const page = renderChangePage(report, { index: 'index.html', pair: (n) => `${n}.html` });
    expectOnlyRendererMarkup(page);
    expect(page.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(8);
  });
});

describe('html building blocks', () => {
  it.each([
    ['text is escaped', html`<p>${'<b>&"\''}</p>`.text, '<p>&lt;b&gt;&amp;&quot;&#39;</p>'],
    ['markup made by html is kept', html`<p>${html`<b>${'<i>'}</b>`}</p>`.text, '<p><b>&lt;i&gt;</b></p>'],
    ['lists are joined, nothing renders empty', html`${['a', undefined, null, false, 1]}`.text, 'a1'],
    ['backticks in prose become code', prose('see `a<b>` and `c`').text, 'see <code>a&lt;b&gt;</code> and <code>c</code>'],
    ['a slug keeps only [a-z0-9-]', slug('Rule', '"><script>'), 'rule-script'],
  ])('%s', (_name, got, expected) => {
    expect(got).toBe(expected);
  });
});
