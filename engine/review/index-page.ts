/**
 * The review's front page: every pair of the set with its routes, size, example results and
 * coverage, a link to each pair's page, and — when given — the state of the last reload (served
 * gateway) or a link to the change review (`rosetta review --since`).
 */
import type { ApiSchemas } from '../spec/api-schemas.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import { coverageOf } from '../spec/coverage.js';
import { formatProblem, type SpecProblem } from '../spec/yaml-file.js';
import { rowsOf } from './block-table.js';
import { missingCount } from './coverage-section.js';
import { html, prose, type SafeHtml } from './html.js';
import { badge, mark, muted, renderPage, section } from './page.js';
import { routesOf, type ReviewLinks } from './pair-page.js';

export interface IndexPageOptions {
  links: ReviewLinks;
  note: string;
  /** The gateway's last reload, when the page is served live. */
  reload?: { ok: boolean; at: Date; problems: SpecProblem[] };
}

export function renderIndexPage(pairs: readonly CompiledPair[], schemas: ApiSchemas, options: IndexPageOptions): string {
  const rows = pairs.map((pair) => {
    const spec = pair.spec;
    const rules = [spec.request, spec.response, spec.errors?.upstream, spec.errors?.gateway].reduce((n, b) => n + rowsOf(b).length, 0);
    const passed = pair.examples.filter((e) => e.failures.length === 0).length;
    const missing = missingCount(coverageOf(pair, schemas));
    return html`<tr>
<td><a href="${options.links.pair(pair.name)}"><b>${pair.name}</b></a><div class="muted">${prose(pair.description)}</div></td>
<td>${routesOf(spec).map((r, i) => html`${i > 0 ? html`<br>` : ''}<code class="nowrap">${r.method ?? '*'} ${r.path}</code>${r.builtin ? muted(` (${r.builtin})`) : ''}`)}</td>
<td>${rules}${spec.stream ? html`<br>${muted(`+ ${Object.keys(spec.stream.events).length} stream events`)}` : ''}</td>
<td>${mark(passed === pair.examples.length)} ${passed} / ${pair.examples.length}</td>
<td>${missing === 0 ? badge('ok', 'complete') : badge('missing', `${missing} missing`)}</td>
</tr>`;
  });
  const body = html`${options.links.changes ? html`<div class="warn-box">This review comes with a change review: <a href="${options.links.changes}"><b>what changed</b></a>.</div>` : ''}
${options.reload ? reloadBox(options.reload) : ''}
${section('pairs', `Pairs (${pairs.length})`, html`<table><thead><tr><th>Pair</th><th>Routes</th><th>Field rows and rules</th><th>Examples passing</th><th>Coverage</th></tr></thead><tbody>${rows}</tbody></table>`)}`;
  return renderPage({
    title: 'Rosetta mapping review',
    crumbs: muted(options.note),
    lead: html`<p class="lead">Every provider pair this gateway serves: what each field becomes, what is ignored and why, and every example with its result — written for reviewers who do not read JSONata.</p>`,
    body,
  });
}

function reloadBox(reload: NonNullable<IndexPageOptions['reload']>): SafeHtml {
  if (reload.ok) return html`<div class="ok-box">Last reload at ${reload.at.toISOString()}: ok — this is the set being served.</div>`;
  return html`<div class="problem"><b>The last reload at ${reload.at.toISOString()} was rejected</b>; the set shown here (the last good one) keeps serving.<ul>${reload.problems.map((p) => html`<li><code>${formatProblem(p)}</code></li>`)}</ul></div>`;
}
