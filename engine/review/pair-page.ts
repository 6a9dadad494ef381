/**
 * The review page of one pair, for a reviewer who does not read JSONata: what the pair is, its
 * routes and model map, a field table per direction, what it ignores and why, its tables, its
 * stream rules, the coverage summary and every whole example with its result. Rendered from a
 * CompiledPair, so the examples' marks are the results of running them.
 */
import type { ApiSchemas } from '../spec/api-schemas.js';
import type { CompiledPair } from '../spec/compile-pair.js';
import { coverageOf } from '../spec/coverage.js';
import type { PairSpec } from '../spec/pair-spec.js';
import { blockTable, rowAnchor, rowsOf, type PairContext } from './block-table.js';
import { modelsSection, otherConfigSection, otherSettingsSection, tableUsers, tablesOf, tablesSection } from './config-section.js';
import { coverageSection, missingCount } from './coverage-section.js';
import { examplesSection } from './examples-section.js';
import { html, ident, plural, prose, slug, type SafeHtml } from './html.js';
import { codeBlock, folded, muted, renderPage, section, type TocEntry } from './page.js';
import { streamSection } from './stream-section.js';

/** Where the pages of a review live, so the same renderer serves files and the gateway's /admin/review. */
export interface ReviewLinks {
  index: string;
  pair(name: string): string;
  /** The change review, when there is one. */
  changes?: string;
}

export interface PairPageOptions {
  links: ReviewLinks;
  /** e.g. "generated 2025-01-01T00:00:00Z" or "live set loaded at …". */
  note: string;
}

const BLOCKS = [
  { key: 'request', title: 'Request', input: 'client request', note: 'How the client\'s request becomes the upstream request. Each row sets one field of the upstream request, in this order; a row whose expression gives nothing sets nothing.' },
  { key: 'response', title: 'Response', input: 'upstream response', note: 'How the upstream\'s (non-streaming) response becomes the client\'s response. Rules also see the client\'s request.' },
  { key: 'errors.upstream', title: 'Errors from the upstream', input: 'upstream failure', note: 'When the upstream answers with an error, cannot be reached or times out. The input is {status, kind (http | network | timeout), body, headers, message}; the rules build the client\'s {status, body, headers}.' },
  { key: 'errors.gateway', title: 'Errors the gateway raises', input: 'gateway error', note: 'Errors the gateway raises itself (bad JSON, schema violation, auth, limits, a rule\'s $fail). The input is {status, category, code, message}; the rules build the client\'s {status, body, headers}.' },
] as const;

function blockOf(spec: PairSpec, key: (typeof BLOCKS)[number]['key']) {
  return key === 'request' ? spec.request : key === 'response' ? spec.response : key === 'errors.upstream' ? spec.errors?.upstream : spec.errors?.gateway;
}

export function renderPairPage(pair: CompiledPair, schemas: ApiSchemas, options: PairPageOptions): string {
  const spec = pair.spec;
  const ctx: PairContext = { functions: new Set(Object.keys(spec.functions ?? {})), tables: new Set(Object.keys(tablesOf(spec))) };
  const coverage = coverageOf(pair, schemas);
  const passed = pair.examples.filter((e) => e.failures.length === 0).length;
  const ruleCount = BLOCKS.reduce((n, b) => n + rowsOf(blockOf(spec, b.key)).length, 0);
  const allRows = BLOCKS.flatMap((b) => rowsOf(blockOf(spec, b.key)).map((row) => ({ block: b.key, row, anchor: rowAnchor(b.key, row) })));
  const ignored = Object.entries(spec.ignored ?? {});
  const upstreamIgnored = Object.entries(spec.upstream_ignored ?? {});
  const functions = Object.entries(spec.functions ?? {});

  const blockSections = BLOCKS.map((b) => {
    const block = blockOf(spec, b.key);
    const rows = rowsOf(block);
    const content = block ? html`<p class="note">${b.note}</p>${blockTable(b.key, block, b.input, ctx)}` : html`<p class="note">No ${b.key} block.</p>`;
    return { b, rows, html: section(slug(b.key), html`${b.title} <span class="muted">(<code>${b.key}</code>, ${plural(rows.length, 'row')})</span>`, content) };
  });

  const body = html`
${section('overview', 'Overview', overview(pair))}
${modelsSection(spec)}
${blockSections[0].html}
${section('ignored', `Ignored inbound fields (${ignored.length})`, reasonTable(ignored, 'Inbound field', 'Why it is not sent on', 'ignored', 'Every inbound field the rules do not use must be listed here with the reason.'))}
${blockSections[1].html}
${section('upstream-ignored', `Upstream response fields not used (${upstreamIgnored.length})`, reasonTable(upstreamIgnored, 'Upstream response field', 'Why it is not used', 'upstream-ignored', 'Fields of the upstream\'s response the response rules deliberately leave out.'))}
${blockSections[2].html}
${blockSections[3].html}
${streamSection(spec.stream, ctx)}
${section('functions', `Functions (${functions.length})`, functions.length === 0 ? html`<p class="note">None.</p>` : html`<p class="note">Reusable pieces the rules call as <code>$name(…)</code>.</p><table class="fields"><thead><tr><th>Function</th><th>What it does</th><th>JSONata</th></tr></thead><tbody>${functions.map(([name, fn]) => html`<tr id="${slug('fn', name)}"><td class="target"><code>${name}()</code></td><td>${prose(fn.describe)}${fn.examples?.length ? html` <span class="muted">(${plural(fn.examples.length, 'example')})</span>` : ''}</td><td class="expr">${folded('JSONata', codeBlock(fn.body))}</td></tr>`)}</tbody></table>`)}
${tablesSection(spec, tableUsers(spec, allRows))}
${otherConfigSection(spec)}
${otherSettingsSection(spec)}
${coverageSection(coverage)}
${examplesSection(spec.examples ?? [], pair.examples)}`;

  const toc: TocEntry[] = [
    { anchor: 'overview', label: 'Overview' },
    { anchor: 'models', label: 'Model map', note: String(Object.keys(spec.models ?? {}).length) },
    ...blockSections.slice(0, 1).map((s) => ({ anchor: slug(s.b.key), label: s.b.title, note: String(s.rows.length) })),
    { anchor: 'ignored', label: 'Ignored inbound fields', note: String(ignored.length) },
    ...blockSections.slice(1, 2).map((s) => ({ anchor: slug(s.b.key), label: s.b.title, note: String(s.rows.length) })),
    { anchor: 'upstream-ignored', label: 'Upstream fields not used', note: String(upstreamIgnored.length) },
    ...blockSections.slice(2).map((s) => ({ anchor: slug(s.b.key), label: s.b.title, note: String(s.rows.length) })),
    { anchor: 'stream', label: 'Stream', note: spec.stream ? String(Object.keys(spec.stream.events).length) : '—', children: spec.stream ? [
      { anchor: 'stream-events', label: 'Events' },
      { anchor: 'stream-ignored', label: 'Ignored events', note: String(Object.keys(spec.stream.ignored ?? {}).length) },
      { anchor: 'stream-end', label: 'Ends and failures' },
    ] : [] },
    { anchor: 'functions', label: 'Functions', note: String(functions.length) },
    { anchor: 'tables', label: 'Config tables', note: String(ctx.tables.size), children: [...ctx.tables].map((t) => ({ anchor: slug('table', t), label: t })) },
    { anchor: 'config', label: 'Other config' },
    ...(otherSettingsSection(spec) ? [{ anchor: 'other-settings', label: 'Other settings' }] : []),
    { anchor: 'coverage', label: 'Coverage', note: missingCount(coverage) === 0 ? 'complete' : `${missingCount(coverage)} missing` },
    { anchor: 'examples', label: 'Examples', note: `${passed}/${pair.examples.length} pass` },
  ];

  return renderPage({
    title: pair.name,
    crumbs: html`<a href="${options.links.index}">← all pairs</a>${options.links.changes ? html` · <a href="${options.links.changes}">changes</a>` : ''} · <span class="muted">${options.note}</span>`,
    lead: html`<p class="lead">${prose(pair.description)}</p>
<ul class="facts">
<li><code>${pair.inboundApi}</code> → <code>${pair.upstreamApi}</code></li>
<li><b>${ruleCount}</b> field rows and rules</li>
<li><b>${passed}</b> of ${pair.examples.length} examples pass</li>
<li>coverage: <b>${missingCount(coverage) === 0 ? 'complete' : `${missingCount(coverage)} missing`}</b></li>
</ul>`,
    toc,
    body,
  });
}

function overview(pair: CompiledPair): SafeHtml {
  const spec = pair.spec;
  const headers = Object.entries(spec.upstream.headers ?? {});
  return html`<table class="kv"><tbody>
<tr><td>Clients speak</td><td><code>${spec.inbound.api}</code> ${muted(`(schemas/${spec.inbound.api}/)`)}</td></tr>
<tr><td>Upstream speaks</td><td><code>${spec.upstream.api}</code> ${muted(`(schemas/${spec.upstream.api}/)`)}</td></tr>
<tr><td>Upstream base URL</td><td><code>${spec.upstream.base_url}</code> ${muted('(as written; ${VAR} comes from the environment)')}</td></tr>
<tr><td>Upstream headers</td><td>${headers.length === 0 ? muted('none') : headers.map(([name, template], i) => html`${i > 0 ? html`<br>` : ''}<code>${name}</code>: ${headerTemplate(template)}`)}</td></tr>
</tbody></table>
<h3 id="routes"><a class="self" href="#routes">Routes</a></h3>
<table><thead><tr><th>Client calls</th><th>Served by</th></tr></thead><tbody>${routesOf(spec).map((r) => html`<tr><td><code>${r.method ?? 'any method'} ${r.path}</code></td><td>${routeTarget(r)}</td></tr>`)}</tbody></table>`;
}

/** A route as written: a mapped route (upstream call) or a built-in service (files, batches, …). */
interface AnyRoute {
  method?: string;
  path: string;
  builtin?: string;
  run?: string;
  upstream?: { method: string; path: string };
}

export function routesOf(spec: PairSpec): AnyRoute[] {
  return (spec.routes as unknown as AnyRoute[]) ?? [];
}

function routeTarget(r: AnyRoute): SafeHtml {
  const upstream = r.upstream ? html`<code>${r.upstream.method} ${r.upstream.path}</code>` : undefined;
  if (r.builtin === undefined) return html`upstream ${upstream}`;
  return html`built-in <b>${r.builtin}</b>${r.run ? html`, each item through <code>${r.run}</code>` : ''}${upstream ? html`, upstream ${upstream}` : ''}`;
}

/**
 * The header as written in the spec, never the substituted value: the values come from the
 * environment and may be secrets. A template without any ${VAR} is a literal and is not shown either.
 */
function headerTemplate(template: string): SafeHtml {
  return /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/.test(template) ? html`<code>${template}</code>` : muted('a literal value (not shown)');
}

function reasonTable(entries: Array<[string, string]>, keyTitle: string, reasonTitle: string, prefix: string, note: string): SafeHtml {
  if (entries.length === 0) return html`<p class="note">None.</p>`;
  return html`<p class="note">${note}</p><table class="kv"><thead><tr><th>${keyTitle}</th><th>${reasonTitle}</th></tr></thead><tbody>${entries.map(([key, reason]) => html`<tr id="${slug(prefix, key)}"><td>${ident(key)}</td><td>${prose(reason)}</td></tr>`)}</tbody></table>`;
}
