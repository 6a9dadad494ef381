/**
 * The coverage summary (engine/spec/coverage.ts): every field of the inbound request schema, every
 * upstream response field and every upstream stream event type is mapped, ignored with a reason, or
 * missing. Counts first; missing entries listed openly; the full tables folded.
 */
import type { CoverageReport, FieldCoverage } from '../spec/coverage.js';
import { html, ident, type SafeHtml } from './html.js';
import { badge, folded, section } from './page.js';

const PARTS: ReadonlyArray<{ key: keyof CoverageReport; title: string; where: string }> = [
  { key: 'inbound', title: 'Inbound request fields', where: 'ignored:' },
  { key: 'upstreamResponse', title: 'Upstream response fields', where: 'upstream_ignored:' },
  { key: 'streamEvents', title: 'Upstream stream event types', where: 'stream.ignored:' },
  { key: 'streamFields', title: 'Upstream stream event fields', where: 'stream.ignored_fields:' },
];

export function coverageCounts(fields: readonly FieldCoverage[]): Record<FieldCoverage['status'], number> {
  return {
    mapped: fields.filter((f) => f.status === 'mapped').length,
    ignored: fields.filter((f) => f.status === 'ignored').length,
    missing: fields.filter((f) => f.status === 'missing').length,
  };
}

export function missingCount(report: CoverageReport): number {
  return PARTS.reduce((n, p) => n + coverageCounts(report[p.key]).missing, 0);
}

export function coverageSection(report: CoverageReport): SafeHtml {
  const parts = PARTS.filter((p) => report[p.key].length > 0);
  const missing = missingCount(report);
  return section('coverage', 'Coverage', html`<p class="note">Every field of the APIs' schemas must be used by a rule or listed as ignored with a reason; nothing passes through unseen. A field counts as mapped when a rule names it in <code>covers:</code> or reads it (or one of its parents).</p>
${missing === 0 ? html`<div class="ok-box">Nothing is missing.</div>` : html`<div class="problem">${missing} field(s) are neither mapped nor ignored with a reason.</div>`}
<table><thead><tr><th>What</th><th>Total</th><th>Mapped</th><th>Ignored with a reason</th><th>Missing</th></tr></thead><tbody>${parts.map((p) => {
    const c = coverageCounts(report[p.key]);
    return html`<tr><td><a href="#coverage-${p.key}">${p.title}</a></td><td>${report[p.key].length}</td><td>${c.mapped}</td><td>${c.ignored}</td><td>${c.missing > 0 ? badge('missing', String(c.missing)) : '0'}</td></tr>`;
  })}</tbody></table>
${parts.map((p) => coverageTable(p.key, p.title, p.where, report[p.key]))}`);
}

function coverageTable(key: string, title: string, where: string, fields: readonly FieldCoverage[]): SafeHtml {
  const order = { missing: 0, mapped: 1, ignored: 2 } as const;
  const rows = [...fields].sort((a, b) => order[a.status] - order[b.status] || a.path.localeCompare(b.path));
  const missing = rows.filter((f) => f.status === 'missing');
  const table = html`<table><thead><tr><th>Field</th><th>Status</th><th>By (rules) or why (reason)</th></tr></thead><tbody>${rows.map((f) => html`<tr class="status-${f.status}"><td>${ident(f.path)}</td><td>${badge(f.status)}</td><td>${f.status === 'missing' ? html`add a rule, or list it under <code>${where}</code> with the reason` : f.by.join(f.status === 'mapped' ? ', ' : ' ')}</td></tr>`)}</tbody></table>`;
  return section(`coverage-${key}`, title, html`${missing.length > 0 ? html`<div class="problem">Missing: ${missing.map((f, i) => html`${i > 0 ? ', ' : ''}<code>${f.path}</code>`)}</div>` : ''}${folded(`All ${fields.length} (${coverageCounts(fields).mapped} mapped, ${coverageCounts(fields).ignored} ignored)`, table)}`, 3);
}
