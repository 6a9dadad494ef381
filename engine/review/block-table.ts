/**
 * The field table of a mapping block (request, response, errors.upstream, errors.gateway): one row
 * per `fields` row and `rules` entry, in the order the engine applies them — the target, what it
 * comes from, the `describe` text, and the JSONata and the rule's own examples folded away.
 */
import type { BlockSpec, RuleExampleSpec } from '../spec/pair-spec.js';
import { sourcesOf } from './expression-sources.js';
import { html, ident, prose, slug, type SafeHtml } from './html.js';
import { jsonText } from './json-diff.js';
import { codeBlock, folded, muted } from './page.js';

/** What a page knows about its pair, to turn names into links. */
export interface PairContext {
  /** The pair's own functions (`functions:`), linked to their section. */
  functions: ReadonlySet<string>;
  /** The pair's tables (`config.tables`), linked to their section. */
  tables: ReadonlySet<string>;
}

export interface BlockRow {
  kind: 'field' | 'rule';
  /** Position in its list (fields or rules). */
  index: number;
  id?: string;
  target: string;
  from: string;
  describe?: string;
  covers?: string[];
  examples?: RuleExampleSpec[];
}

export function rowsOf(block: BlockSpec | undefined): BlockRow[] {
  return [
    ...(block?.fields ?? []).map((f, index): BlockRow => ({ kind: 'field', index, target: f.target, from: f.from, describe: f.describe, covers: f.covers })),
    ...(block?.rules ?? []).map((r, index): BlockRow => ({ kind: 'rule', index, id: r.id, target: r.target, from: r.from, describe: r.describe, covers: r.covers, examples: r.examples })),
  ];
}

/** The anchor of a row, stable across renders (rule id, else field position). */
export function rowAnchor(blockName: string, row: BlockRow): string {
  return row.kind === 'rule' ? slug(blockName, 'rule', row.id ?? String(row.index)) : slug(blockName, 'field', String(row.index));
}

export function blockTable(blockName: string, block: BlockSpec | undefined, inputLabel: string, ctx: PairContext): SafeHtml {
  const rows = rowsOf(block);
  if (rows.length === 0) return html`<p class="note">No rules.</p>`;
  return html`<table class="fields">
<thead><tr><th>#</th><th>Target field</th><th>Comes from</th><th>What it does</th><th>JSONata and examples</th></tr></thead>
<tbody>${rows.map((row, i) => html`<tr id="${rowAnchor(blockName, row)}">
<td class="num">${i + 1}</td>
<td class="target">${ident(row.target)}</td>
<td class="from">${sourceChips(row.from, row.covers ?? [], inputLabel, ctx)}</td>
<td>${row.kind === 'rule' ? html`<span class="rule-id">rule ${row.id}</span>` : html`<span class="rule-id">field row</span>`}${row.describe === undefined ? muted('(no description)') : prose(row.describe)}</td>
<td class="expr">${folded('JSONata', codeBlock(row.from))}${ruleExamples(row.examples)}</td>
</tr>`)}</tbody>
</table>`;
}

function ruleExamples(examples: RuleExampleSpec[] | undefined): SafeHtml | undefined {
  if (!examples || examples.length === 0) return undefined;
  return folded(`${examples.length} rule example${examples.length === 1 ? '' : 's'}`, html`<table class="rule-examples"><thead><tr><th>in</th><th>out</th></tr></thead><tbody>${examples.map((e) => html`<tr><td>${e.describe ? html`<div class="muted">${prose(e.describe)}</div>` : ''}${codeBlock(jsonText(e.in))}</td><td>${codeBlock(e.out === undefined ? '(nothing: the target is not set)' : jsonText(e.out))}</td></tr>`)}</tbody></table>`);
}

/** The inputs of an expression as chips: fields, the client's request, config, tables, functions, failures. */
export function sourceChips(expression: string | undefined, covers: readonly string[], inputLabel: string, ctx: PairContext): SafeHtml {
  const s = sourcesOf(expression);
  const input = [...new Set([...covers, ...s.input])];
  const chips: SafeHtml[] = [
    ...input.map((f) => (f === '$' ? html`<span class="chip" title="${inputLabel}">the whole ${inputLabel}</span>` : html`<span class="chip" title="${inputLabel}">${ident(f)}</span>`)),
    ...s.request.map((f) => html`<span class="chip kind-request" title="the client's request"><small>client request</small> ${ident(f)}</span>`),
    ...s.state.map((f) => html`<span class="chip" title="the stream's state"><small>state</small> <code>${f}</code></span>`),
    ...s.config.filter((c) => !c.startsWith('tables.')).map((c) => html`<span class="chip" title="config"><small>config</small> ${ident(c)}</span>`),
    ...[...s.tables, ...s.config.filter((c) => c.startsWith('tables.')).map((c) => c.split('.')[1])]
      .filter((t, i, all) => all.indexOf(t) === i)
      .map((t) => html`<span class="chip kind-table"><small>table</small> ${ctx.tables.has(t) ? html`<a href="#${slug('table', t)}">${t}</a>` : t}</span>`),
    ...(s.functions.includes('mapModel') ? [html`<span class="chip kind-table"><a href="#models">models map</a></span>`] : []),
    ...s.functions.filter((f) => ctx.functions.has(f)).map((f) => html`<span class="chip kind-function"><small>function</small> <a href="#${slug('fn', f)}">${f}()</a></span>`),
    ...s.fails.map((c) => html`<span class="chip kind-fail" title="may stop with this gateway error"><small>may fail</small> ${c}</span>`),
  ];
  return chips.length > 0 ? html`<div class="chips">${chips}</div>` : muted('a constant');
}
