/**
 * The change review as a page a reviewer approves (changes.html), and as a short text summary for
 * the terminal: whether each set loads, every entry added, removed or changed (old vs new, with
 * word or line diffs), and a before/after diff of every example output the change altered.
 */
import { formatProblem, type SpecProblem } from '../spec/yaml-file.js';
import type { ChangeReport, PairChange } from './change-report.js';
import { diffView, textChangeView } from './diff-view.js';
import type { ExampleOutputChange } from './example-outputs.js';
import { html, plural, prose, slug, type SafeHtml } from './html.js';
import { canonicalJson, jsonText, lineDiff } from './json-diff.js';
import { badge, codeBlock, folded, muted, renderPage, section, type TocEntry } from './page.js';
import type { ReviewLinks } from './pair-page.js';
import type { ChangedValue, SpecChange } from './spec-diff.js';

const PART_NAMES: Record<ExampleOutputChange['part'], string> = {
  upstream_request: 'upstream request',
  response: 'client response',
  error: 'client error',
  events: 'client events',
};

export function renderChangePage(report: ChangeReport, links: ReviewLinks): string {
  const shown = report.pairs.filter((p) => p.status !== 'unchanged');
  const unchanged = report.pairs.filter((p) => p.status === 'unchanged');
  const counts = countChanges(report);
  const body = html`${loadBox('The mappings at ' + report.ref, report.before.ok, report.before.problems)}
${loadBox('The working tree', report.after.ok, report.after.problems)}
${report.missingAtRef.length > 0 ? html`<div class="warn-box">Not present at ${report.ref}: ${report.missingAtRef.map((m, i) => html`${i > 0 ? ', ' : ''}<code>${m}</code>`)}.</div>` : ''}
${schemaBox(report.schemaFiles)}
${shown.length === 0 ? html`<div class="ok-box">No mapping changes since ${report.ref}.</div>` : shown.map(pairSection)}
${unchanged.length > 0 ? html`<p class="note">Unchanged: ${unchanged.map((p, i) => html`${i > 0 ? ', ' : ''}<a href="${links.pair(p.name)}">${p.name}</a>`)}.</p>` : ''}`;
  const toc: TocEntry[] = shown.map((p) => ({
    anchor: slug('pair', p.name),
    label: p.name,
    note: p.status,
    children: [
      ...p.sections.map((s) => ({ anchor: slug(p.name, s.id), label: s.title, note: String(s.changes.length) })),
      ...(p.examples && p.examples.changes.length > 0 ? [{ anchor: slug(p.name, 'example-outputs'), label: 'Example outputs', note: String(p.examples.changes.length) }] : []),
    ],
  }));
  return renderPage({
    title: `Changes since ${report.ref}`,
    crumbs: html`<a href="${links.index}">← review of the working tree</a> · <span class="muted">generated ${report.generatedAt.toISOString()}</span>`,
    lead: html`<p class="lead">The mappings at <code>${report.ref}</code> (commit <code>${report.commit.slice(0, 12)}</code>) compared with the working tree.</p>
<ul class="facts"><li><b>${counts.added}</b> added</li><li><b>${counts.removed}</b> removed</li><li><b>${counts.changed}</b> changed</li><li><b>${counts.outputs}</b> example outputs changed</li></ul>`,
    toc,
    body,
  });
}

function loadBox(what: string, ok: boolean, problems: readonly SpecProblem[]): SafeHtml {
  if (ok) return html`<div class="ok-box">${what} load${what.startsWith('The working') ? 's' : ''} without problems.</div>`;
  return html`<div class="problem"><b>${what} ${what.startsWith('The working') ? 'does' : 'do'} NOT load</b> (${plural(problems.length, 'problem')}). The text changes below are still complete; example outputs cannot be compared.<ul>${problems.map((p) => html`<li><code>${formatProblem(p)}</code></li>`)}</ul></div>`;
}

function schemaBox(files: ChangeReport['schemaFiles']): SafeHtml | undefined {
  const all = [...files.added.map((f) => ['added', f]), ...files.removed.map((f) => ['removed', f]), ...files.changed.map((f) => ['changed', f])];
  if (all.length === 0) return undefined;
  return html`<div class="warn-box">API schema files changed (they decide validation and coverage): ${all.map(([k, f], i) => html`${i > 0 ? ', ' : ''}${badge(k)} <code>${f}</code>`)}</div>`;
}

function pairSection(p: PairChange): SafeHtml {
  const content = html`${p.unreadable ? html`<div class="problem">The ${p.unreadable.side === 'before' ? 'old' : 'new'} version of this pair cannot be read, so its text cannot be compared:<ul>${p.unreadable.problems.map((x) => html`<li><code>${formatProblem(x)}</code></li>`)}</ul></div>` : ''}
${p.status === 'added' ? html`<p class="note">A new pair: every entry below is added.</p>` : p.status === 'removed' ? html`<p class="note">The pair was removed.</p>` : ''}
${p.sections.map((s) => section(slug(p.name, s.id), `${s.title} (${s.changes.length})`, s.changes.map(changeView), 3))}
${exampleOutputs(p)}`;
  return section(slug('pair', p.name), html`${p.name} ${badge(p.status === 'unchanged' ? 'ok' : p.status, p.status)}`, content);
}

function changeView(change: SpecChange): SafeHtml {
  return html`<div class="change"><div class="change-head">${badge(change.kind)} ${change.key}</div>
${change.note ? html`<div class="warn-box">${change.note}</div>` : ''}
<dl>${change.values.map((v) => html`<dt>${v.label}</dt><dd>${valueView(change.kind, v)}</dd>`)}</dl></div>`;
}

function valueView(kind: SpecChange['kind'], v: ChangedValue): SafeHtml {
  if (v.unchanged) return html`${muted('(unchanged) ')}${v.code ? codeBlock(v.after ?? '') : prose(v.after ?? '')}`;
  if (kind === 'added' || v.before === undefined) return html`${kind === 'changed' ? muted('(newly set) ') : ''}${v.code ? codeBlock(v.after ?? '') : prose(v.after ?? '')}`;
  if (kind === 'removed' || v.after === undefined) return html`${kind === 'changed' ? muted('(no longer set) ') : ''}${v.code ? codeBlock(v.before) : html`<del>${v.before}</del>`}`;
  const diff = textChangeView(v.before, v.after);
  const long = v.before.length + v.after.length > 400;
  return html`${diff}${long ? folded('old and new in full', html`<div class="before-after"><div><h4>before</h4>${codeBlock(v.before)}</div><div><h4>after</h4>${codeBlock(v.after)}</div></div>`) : ''}`;
}

function exampleOutputs(p: PairChange): SafeHtml | undefined {
  if (p.examplesNote) return html`<div class="warn-box">${p.examplesNote}</div>`;
  if (!p.examples) return undefined;
  const { compared, changes } = p.examples;
  if (changes.length === 0) return html`<div class="ok-box">The ${plural(compared, 'example')} present in both versions give the same outputs before and after.</div>`;
  return section(slug(p.name, 'example-outputs'), `Example outputs that changed (${changes.length})`, html`<p class="note">The ${plural(compared, 'example')} present in both versions were run with the same inputs through the old and the new mappings. These outputs differ (lines starting with − are the old output, + the new).</p>
${changes.map((c) => html`<div class="change" id="${slug(p.name, 'output', c.id, c.part)}"><div class="change-head">${badge('changed')} example <code>${c.id}</code> — ${PART_NAMES[c.part]}</div>
<p class="note">${prose(c.describe)}</p>
${c.inputChanged ? html`<div class="warn-box">The example's inputs were edited in this change too; both outputs are for the new inputs.</div>` : ''}
${diffView(lineDiff(jsonText(canonicalJson(c.before)), jsonText(canonicalJson(c.after))))}
${folded('old and new output in full', html`<div class="before-after"><div><h4>before</h4>${codeBlock(jsonText(c.before))}</div><div><h4>after</h4>${codeBlock(jsonText(c.after))}</div></div>`)}
</div>`)}`, 3);
}

function countChanges(report: ChangeReport) {
  const all = report.pairs.flatMap((p) => p.sections.flatMap((s) => s.changes));
  return {
    added: all.filter((c) => c.kind === 'added').length,
    removed: all.filter((c) => c.kind === 'removed').length,
    changed: all.filter((c) => c.kind === 'changed').length,
    outputs: report.pairs.reduce((n, p) => n + (p.examples?.changes.length ?? 0), 0),
  };
}

/** The same review in a few lines for the terminal. */
export function changeSummaryText(report: ChangeReport): string {
  const lines = [`changes since ${report.ref} (${report.commit.slice(0, 12)}) → working tree`];
  const load = (label: string, ok: boolean, problems: readonly SpecProblem[]) => {
    lines.push(`  ${label}: ${ok ? 'loads' : `does NOT load (${plural(problems.length, 'problem')})`}`);
    if (!ok) for (const p of problems) lines.push(`      ${formatProblem(p)}`);
  };
  load(`mappings at ${report.ref}`, report.before.ok, report.before.problems);
  load('working tree', report.after.ok, report.after.problems);
  for (const p of report.pairs) {
    lines.push(`  ${p.name}: ${p.status}`);
    if (p.unreadable) lines.push(`    the ${p.unreadable.side === 'before' ? 'old' : 'new'} version cannot be read: ${p.unreadable.problems.map(formatProblem).join('; ')}`);
    for (const s of p.sections) {
      lines.push(`    ${s.title}:`);
      for (const c of s.changes) lines.push(`      ${c.kind} ${c.key}${c.kind === 'changed' ? ` (${c.values.filter((v) => !v.unchanged).map((v) => v.label).join(', ')})` : ''}`);
    }
    if (p.examplesNote) lines.push(`    ${p.examplesNote}`);
    if (p.examples) {
      lines.push(`    example outputs: ${p.examples.changes.length} changed of ${plural(p.examples.compared, 'example')} compared`);
      for (const c of p.examples.changes) lines.push(`      ${c.id} (${PART_NAMES[c.part]})${c.inputChanged ? ' — inputs edited too' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
