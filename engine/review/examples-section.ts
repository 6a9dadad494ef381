/**
 * The pair's whole-direction examples, each run by the engine at load (pair.examples): a summary
 * table with a pass/fail mark per example, then every example with each checked part side by side —
 * input | expected output | actual output — and, when they differ, where.
 */
import type { ExampleSpec } from '../spec/pair-spec.js';
import type { ExamplePartResult, ExampleResult } from '../spec/run-examples.js';
import { html, prose, slug, type SafeHtml } from './html.js';
import { canonicalJson, isRecordList, jsonText, lineDiff, oneLine } from './json-diff.js';
import { diffView } from './diff-view.js';
import { codeBlock, mark, muted, section } from './page.js';

const PART_TITLES: Record<ExamplePartResult['part'], { title: string; input: string; output: string }> = {
  upstream_request: { title: 'Client request → upstream request', input: 'client request', output: 'upstream request' },
  response: { title: 'Upstream response → client response', input: 'upstream response', output: 'client response' },
  error: { title: 'Upstream failure → client error', input: 'upstream failure', output: 'client error' },
  events: { title: 'Upstream events → client events', input: 'upstream events', output: 'client events' },
};

export function exampleAnchor(id: string): string {
  return slug('example', id);
}

export function examplesSection(specs: readonly ExampleSpec[], results: readonly ExampleResult[]): SafeHtml {
  if (results.length === 0) return section('examples', 'Examples', html`<p class="note">This pair has no whole examples.</p>`);
  const passed = results.filter((r) => r.failures.length === 0).length;
  return section('examples', `Examples (${passed} of ${results.length} pass)`, html`<p class="note">Whole examples, run through the same pipeline as a live request when the mappings load. Each example's parts are checked: the expected output must equal the actual output, and the output must be valid for its API. Open an example to see it side by side.</p>
<table class="examples"><thead><tr><th>Result</th><th>Example</th><th>What it shows</th><th>Parts checked</th></tr></thead><tbody>${results.map((r) => html`<tr><td>${mark(r.failures.length === 0)}</td><td><a href="#${exampleAnchor(r.id)}"><code>${r.id}</code></a></td><td>${prose(r.describe)}</td><td>${r.parts.length === 0 ? muted('nothing to check') : r.parts.map((p, i) => html`${i > 0 ? html`<br>` : ''}${p.ok ? '✓' : '✗'} ${PART_TITLES[p.part].output}`)}</td></tr>`)}</tbody></table>
${results.map((r, i) => exampleDetails(specs[i], r))}`);
}

function exampleDetails(spec: ExampleSpec | undefined, result: ExampleResult): SafeHtml {
  const ok = result.failures.length === 0;
  const body = html`${result.parts.length === 0 ? html`<p class="note">Nothing to check: the example has no expected outputs.</p>` : result.parts.map((p) => partView(spec, p))}`;
  // Failing examples are open, so a reviewer sees them without a click.
  return ok
    ? html`<details class="example" id="${exampleAnchor(result.id)}"><summary>${mark(true)} <code>${result.id}</code> — ${prose(result.describe)}</summary>${body}</details>`
    : html`<details class="example" id="${exampleAnchor(result.id)}" open><summary>${mark(false)} <code>${result.id}</code> — ${prose(result.describe)}</summary>${body}</details>`;
}

function inputOf(spec: ExampleSpec | undefined, part: ExamplePartResult['part']): unknown {
  if (!spec) return undefined;
  switch (part) {
    case 'upstream_request': return spec.request;
    case 'response': return spec.upstream_response;
    case 'error': return spec.upstream_error;
    case 'events': return spec.upstream_events;
  }
}

function partView(spec: ExampleSpec | undefined, part: ExamplePartResult): SafeHtml {
  const titles = PART_TITLES[part.part];
  const actual = part.got !== undefined ? jsonView(part.got) : html`<div class="problem">${part.message ?? 'no output'}</div>`;
  const showDiff = !part.ok && part.got !== undefined && part.expected !== undefined;
  return html`<div class="part">
<div class="part-head">${mark(part.ok)} ${titles.title}</div>
${part.ok ? '' : html`<div class="problem">${part.message ?? 'failed'}</div>`}
<div class="side-by-side">
<div><h4>Input: ${titles.input}</h4>${jsonView(inputOf(spec, part.part))}</div>
<div><h4>Expected ${titles.output}</h4>${part.expected === undefined ? html`<p class="note">Not given: only checked against the API's schema.</p>` : jsonView(part.expected)}</div>
<div><h4>Actual ${titles.output}</h4>${actual}</div>
</div>
${showDiff ? html`<div><h4>Expected → actual</h4>${diffView(lineDiff(jsonText(canonicalJson(part.expected)), jsonText(canonicalJson(part.got))))}</div>` : ''}
</div>`;
}

/** A list of events or items as a numbered list, one element per entry; anything else as a JSON block. */
function jsonView(value: unknown): SafeHtml {
  if (!isRecordList(value)) return codeBlock(jsonText(value));
  return html`<ol class="json-list" start="0">${value.map((v) => html`<li>${oneLine(v)}</li>`)}</ol>`;
}
