/**
 * The pair's literal data, shown as tables: every `config.tables` entry as a lookup table (with the
 * rules that use it), the rest of `config` as nested key/value tables, and the model map.
 */
import type { PairSpec } from '../spec/pair-spec.js';
import type { BlockRow } from './block-table.js';
import { sourcesOf } from './expression-sources.js';
import { html, plural, prose, slug, type SafeHtml } from './html.js';
import { jsonText } from './json-diff.js';
import { codeBlock, folded, muted, section } from './page.js';

export function tablesOf(spec: PairSpec): Record<string, unknown> {
  const tables = (spec.config as { tables?: unknown } | undefined)?.tables;
  return tables && typeof tables === 'object' && !Array.isArray(tables) ? (tables as Record<string, unknown>) : {};
}

export function otherConfigOf(spec: PairSpec): Record<string, unknown> {
  const { tables: _tables, ...rest } = (spec.config ?? {}) as Record<string, unknown>;
  return rest;
}

/** Where each table is looked up (rule anchors and function names), for the "used by" line. */
export function tableUsers(spec: PairSpec, rows: ReadonlyArray<{ block: string; row: BlockRow; anchor: string }>): Map<string, Array<{ label: string; anchor: string }>> {
  const users = new Map<string, Array<{ label: string; anchor: string }>>();
  const note = (expression: string | undefined, label: string, anchor: string) => {
    const s = sourcesOf(expression);
    const names = [...s.tables, ...s.config.filter((c) => c.startsWith('tables.')).map((c) => c.split('.')[1])];
    for (const t of new Set(names)) users.set(t, [...(users.get(t) ?? []), { label, anchor }]);
  };
  for (const { block, row, anchor } of rows) note(row.from, `${block} ${row.kind === 'rule' ? row.id : row.target}`, anchor);
  for (const [name, fn] of Object.entries(spec.functions ?? {})) note(fn.body, `${name}()`, slug('fn', name));
  for (const [type, rule] of Object.entries(spec.stream?.events ?? {})) note(rule.emit, `stream ${type}`, slug('event', type));
  note(spec.stream?.end?.emit, 'stream end', 'stream-end');
  note(spec.stream?.on_error?.emit, 'stream on_error', 'stream-end');
  return users;
}

export function tablesSection(spec: PairSpec, users: Map<string, Array<{ label: string; anchor: string }>>): SafeHtml {
  const tables = Object.entries(tablesOf(spec));
  const body = tables.length === 0
    ? html`<p class="note">This pair has no lookup tables.</p>`
    : html`<p class="note">Lookup tables the rules read with <code>$table(name, key)</code>: the key's row, or the <code>_default</code> row for any other key.</p>
${tables.map(([name, table]) => section(slug('table', name), html`Table <code>${name}</code>`, html`${usedBy(users.get(name))}${lookupTable(table)}`, 3))}`;
  return section('tables', 'Config tables', body);
}

function usedBy(list: Array<{ label: string; anchor: string }> | undefined): SafeHtml {
  if (!list || list.length === 0) return html`<p class="note">Not looked up directly by any rule (it may be read through <code>$config</code>).</p>`;
  return html`<p class="note">Used by ${list.map((u, i) => html`${i > 0 ? ', ' : ''}<a href="#${u.anchor}">${u.label}</a>`)}.</p>`;
}

function lookupTable(table: unknown): SafeHtml {
  if (!table || typeof table !== 'object' || Array.isArray(table)) return codeBlock(jsonText(table));
  const entries = Object.entries(table as Record<string, unknown>);
  const ordered = [...entries.filter(([k]) => k !== '_default'), ...entries.filter(([k]) => k === '_default')];
  const keyCell = (k: string) => (k === '_default' ? html`<td>any other key <span class="muted">(_default)</span></td>` : html`<td><code>${k}</code></td>`);
  const columns = recordColumns(ordered.map(([, v]) => v));
  if (columns) {
    // Every row is a small record ({status, type}): one column per member reads like a spreadsheet.
    return html`<table class="kv matrix"><thead><tr><th>key</th>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${ordered.map(([k, v]) =>
      html`<tr class="${k === '_default' ? 'row-default' : ''}">${keyCell(k)}${columns.map((c) => html`<td>${c in (v as object) ? value((v as Record<string, unknown>)[c], 2, c) : ''}</td>`)}</tr>`)}</tbody></table>`;
  }
  return html`<table class="kv"><thead><tr><th>key</th><th>value</th></tr></thead><tbody>${ordered.map(([k, v]) =>
    html`<tr class="${k === '_default' ? 'row-default' : ''}">${keyCell(k)}<td>${value(v, 1)}</td></tr>`)}</tbody></table>`;
}

/** The member names when every value is a record of at most 6 scalars, else undefined. */
function recordColumns(values: readonly unknown[]): string[] | undefined {
  const columns = new Set<string>();
  for (const v of values) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    for (const [k, x] of Object.entries(v)) {
      if (x !== null && typeof x === 'object') return undefined;
      columns.add(k);
    }
  }
  return columns.size > 0 && columns.size <= 6 ? [...columns] : undefined;
}

/** Top-level spec keys this review renders in their own sections; any other key goes to "Other settings". */
const KNOWN_KEYS = new Set(['pair', 'description', 'inbound', 'upstream', 'models', 'routes', 'config', 'functions', 'request', 'response', 'errors', 'stream', 'ignored', 'upstream_ignored', 'examples']);

/** Spec sections the review has no special view for (e.g. a newer engine feature): shown generically, never hidden. */
export function otherSettingsSection(spec: PairSpec): SafeHtml | undefined {
  const entries = Object.entries(spec as unknown as Record<string, unknown>).filter(([k]) => !KNOWN_KEYS.has(k));
  if (entries.length === 0) return undefined;
  return section('other-settings', 'Other settings', html`<p class="note">Further sections of the spec, as written.</p>
<table class="kv"><thead><tr><th>section</th><th>value</th></tr></thead><tbody>${entries.map(([k, v]) => html`<tr id="${slug('setting', k)}"><td><code>${k}</code></td><td>${value(v, 0, k)}</td></tr>`)}</tbody></table>`);
}

export function otherConfigSection(spec: PairSpec): SafeHtml {
  const entries = Object.entries(otherConfigOf(spec));
  const body = entries.length === 0
    ? html`<p class="note">No other configuration.</p>`
    : html`<p class="note">Literal settings the rules read as <code>$config.…</code>.</p>
<table class="kv"><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>${entries.map(([k, v]) => html`<tr id="${slug('config', k)}"><td><code>${k}</code></td><td>${value(v, 0, k)}</td></tr>`)}</tbody></table>`;
  return section('config', 'Other config', body);
}

/** Keys whose values are JSONata (mappings/README.md), folded away like the rules' expressions. */
const EXPRESSION_KEYS = new Set(['from', 'emit', 'when', 'init', 'body']);

/** A value for people: scalars as text, small maps as nested tables, deep structures as folded JSON. */
function value(v: unknown, depth: number, key?: string): SafeHtml {
  if (v === null) return html`<code>null</code> ${muted('(nothing)')}`;
  if (typeof v === 'string') {
    if (v === '') return muted('(empty text)');
    if (key !== undefined && EXPRESSION_KEYS.has(key)) return folded('JSONata', codeBlock(v));
    if (key === 'describe' || v.length > 80) return prose(v);
    return html`<code>${v}</code>`;
  }
  if (typeof v !== 'object') return html`<code>${String(v)}</code>`;
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return html`${v.map((x, i) => html`${i > 0 ? ' ' : ''}<code>${JSON.stringify(x)}</code>`)}`;
    return folded(plural(v.length, 'item'), codeBlock(jsonText(v)));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (depth >= 2) return folded(plural(entries.length, 'entry', 'entries'), codeBlock(JSON.stringify(v, null, 2)));
  return html`<table class="kv nested"><tbody>${entries.map(([k, x]) => html`<tr><td><code>${k}</code></td><td>${value(x, depth + 1, k)}</td></tr>`)}</tbody></table>`;
}

export function modelsSection(spec: PairSpec): SafeHtml {
  const models = Object.entries(spec.models ?? {});
  const body = models.length === 0
    ? html`<p class="note">No model map: <code>$mapModel</code> finds nothing.</p>`
    : html`<p class="note">The client's model name → the upstream model. Patterns are globs (<code>*</code> is any text); the first pattern that matches wins.</p>
<table class="kv"><thead><tr><th>client model (glob)</th><th>upstream model</th></tr></thead><tbody>${models.map(([glob, target]) => html`<tr><td><code>${glob}</code></td><td>${target === '=' ? html`<code>=</code> ${muted('the client\'s model name, unchanged')}` : html`<code>${target}</code>`}</td></tr>`)}</tbody></table>`;
  return section('models', 'Model map', body);
}
