/**
 * The shell of every review page: one self-contained HTML document with its style sheet inline,
 * no scripts and no external assets (the Content-Security-Policy says so, too — a defence in depth
 * behind the escaping), readable in any browser, printable, and diffable as a file.
 */
import { html, trustedHtml, type HtmlValue, type SafeHtml } from './html.js';

export interface TocEntry {
  anchor: string;
  label: string;
  /** A count or status shown after the label. */
  note?: string;
  children?: TocEntry[];
}

export interface PageParts {
  title: string;
  /** Shown above the title (e.g. a link back to the index). */
  crumbs?: SafeHtml;
  /** Under the title: what the page is about. */
  lead?: SafeHtml;
  toc?: TocEntry[];
  body: SafeHtml;
}

export function renderPage(parts: PageParts): string {
  const toc = parts.toc && parts.toc.length > 0
    ? html`<nav class="toc" aria-label="Contents"><h2>Contents</h2>${tocList(parts.toc)}</nav>`
    : undefined;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${parts.title}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="layout${toc ? '' : ' single'}">
${toc}
<main>
<header class="page-head">${parts.crumbs ? html`<p class="crumbs">${parts.crumbs}</p>` : ''}<h1>${parts.title}</h1>${parts.lead}</header>
${parts.body}
</main>
</div>
</body>
</html>`.text}\n`;
}

function tocList(entries: readonly TocEntry[]): SafeHtml {
  return html`<ol>${entries.map((e) => html`<li><a href="#${e.anchor}">${e.label}</a>${e.note ? html` <span class="count">${e.note}</span>` : ''}${e.children && e.children.length > 0 ? tocList(e.children) : ''}</li>`)}</ol>`;
}

export function section(anchor: string, title: HtmlValue, content: HtmlValue, level: 2 | 3 = 2): SafeHtml {
  const heading = level === 2 ? html`<h2 id="${anchor}"><a class="self" href="#${anchor}">${title}</a></h2>` : html`<h3 id="${anchor}"><a class="self" href="#${anchor}">${title}</a></h3>`;
  return html`<section class="level${level}">${heading}${content}</section>`;
}

export function mark(ok: boolean): SafeHtml {
  return ok ? html`<span class="mark pass" title="passes">✓ pass</span>` : html`<span class="mark fail" title="fails">✗ fail</span>`;
}

export function badge(kind: string, text: string = kind): SafeHtml {
  return html`<span class="badge ${kind.replace(/[^a-z-]/g, '')}">${text}</span>`;
}

/** A code block folded away under a summary line. */
export function folded(summary: HtmlValue, content: HtmlValue, open = false): SafeHtml {
  return open ? html`<details open><summary>${summary}</summary>${content}</details>` : html`<details><summary>${summary}</summary>${content}</details>`;
}

export function codeBlock(text: string, cls = ''): SafeHtml {
  return html`<pre class="code ${cls}">${text}</pre>`;
}

export function muted(text: string): SafeHtml {
  return html`<span class="muted">${text}</span>`;
}

// Constant markup of this file (not spec text), hence trusted.
const STYLE = trustedHtml(`
:root { --fg:#1d232b; --muted:#5d6875; --line:#d6dbe1; --soft:#f4f6f8; --accent:#1f5fa8;
  --pass:#17733a; --pass-bg:#e3f4e8; --fail:#b3261e; --fail-bg:#fbe7e5; --warn:#8a5a00; --warn-bg:#fff3d6;
  --add-bg:#e6f6ea; --del-bg:#fde9e7; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--fg); background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.45; }
.layout { display: grid; grid-template-columns: 17rem minmax(0, 1fr); gap: 2rem; max-width: 1500px; margin: 0 auto; padding: 1.5rem; }
.layout.single { grid-template-columns: minmax(0, 1fr); }
@media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } .toc { position: static !important; max-height: none !important; } }
.toc { position: sticky; top: 1rem; align-self: start; max-height: calc(100vh - 2rem); overflow: auto;
  border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; background: var(--soft); font-size: .9rem; }
.toc h2 { font-size: 1rem; margin: 0 0 .5rem; }
.toc ol { margin: 0; padding-left: 1.1rem; }
.toc ol ol { padding-left: 1rem; }
.toc li { margin: .15rem 0; }
.toc .count { color: var(--muted); font-size: .85em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.8rem; margin: 0 0 .4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h2 a.self, h3 a.self { color: inherit; }
.crumbs { margin: 0 0 .3rem; font-size: .9rem; }
.lead { font-size: 1.05rem; max-width: 70rem; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
p.note { color: var(--muted); margin: .3rem 0 .8rem; max-width: 70rem; }
.facts { display: flex; flex-wrap: wrap; gap: .6rem; margin: .8rem 0 0; padding: 0; list-style: none; }
.facts li { border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem; background: var(--soft); }
.facts b { font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .93rem; }
th, td { border: 1px solid var(--line); padding: .4rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num { width: 2.5rem; color: var(--muted); text-align: right; }
td.target { width: 16%; }
td.from { width: 20%; }
td.expr { width: 22%; }
table.examples td:nth-child(1) { width: 5.5rem; }
table.examples td:nth-child(2) { width: 15rem; }
table.examples td:nth-child(4) { width: 11rem; }
table.matrix td, table.matrix th { white-space: normal; }
table.kv td:first-child { width: 28%; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
code { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 .25rem; overflow-wrap: break-word; }
pre.code { margin: .3rem 0; padding: .55rem .7rem; background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 36rem; overflow: auto; }
.rule-id { display: block; font-size: .8rem; color: var(--muted); margin-bottom: .15rem; }
.chips { display: flex; flex-wrap: wrap; gap: .25rem; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 999px; padding: 0 .45rem; font-size: .82rem; background: #fff; }
.chip.kind-request { border-color: #b9cbe4; }
.chip.kind-table, .chip.kind-function { border-color: #c8bde6; }
.chip.kind-fail { border-color: #e6b9b5; color: var(--fail); }
.chip small { color: var(--muted); }
details { margin: .2rem 0; }
details > summary { cursor: pointer; color: var(--accent); }
details.example { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .8rem; margin: .6rem 0; }
details.example > summary { color: var(--fg); }
details.example > summary code { font-weight: 600; }
details.example[open] > summary { margin-bottom: .5rem; }
.mark { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-weight: 600; font-size: .85rem; white-space: nowrap; }
.mark.pass { color: var(--pass); background: var(--pass-bg); }
.mark.fail { color: var(--fail); background: var(--fail-bg); }
.badge { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.badge.mapped, .badge.added, .badge.ok { color: var(--pass); background: var(--pass-bg); }
.badge.missing, .badge.removed, .badge.failed { color: var(--fail); background: var(--fail-bg); }
.badge.ignored, .badge.changed { color: var(--warn); background: var(--warn-bg); }
.side-by-side { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .6rem; }
.side-by-side pre.code { font-size: .78rem; max-height: 40rem; }
ol.json-list { margin: .3rem 0; padding: .3rem .5rem .3rem 2.6rem; background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
  max-height: 40rem; overflow: auto; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .78rem; }
ol.json-list li { padding: .15rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
ol.json-list li:last-child { border-bottom: 0; }
ol.json-list li::marker { color: var(--muted); }
.side-by-side h4 { margin: .2rem 0; font-size: .9rem; color: var(--muted); font-weight: 600; }
.part { margin: .4rem 0 1rem; }
.part-head { font-weight: 600; margin: .3rem 0; }
.problem { border-left: 4px solid var(--fail); background: var(--fail-bg); padding: .5rem .8rem; margin: .6rem 0; border-radius: 0 6px 6px 0; }
.ok-box { border-left: 4px solid var(--pass); background: var(--pass-bg); padding: .5rem .8rem; margin: .6rem 0; border-radius: 0 6px 6px 0; }
.warn-box { border-left: 4px solid var(--warn); background: var(--warn-bg); padding: .5rem .8rem; margin: .6rem 0; border-radius: 0 6px 6px 0; }
.problem ul, .warn-box ul { margin: .3rem 0; }
tr.row-default td { font-style: italic; }
tr.status-missing td { background: var(--fail-bg) !important; }
.diff { margin: .3rem 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; font-size: .85rem; }
.diff .line { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; padding: 0 .6rem 0 2rem; text-indent: -1.4rem; }
.diff .removed { background: var(--del-bg); }
.diff .added { background: var(--add-bg); }
.diff .hunk { background: var(--soft); color: var(--muted); padding: .1rem .6rem; font-size: .8rem; }
.words del { background: var(--del-bg); text-decoration: line-through; }
.words ins { background: var(--add-bg); text-decoration: none; }
.change { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .8rem; margin: .6rem 0; }
.change-head { font-weight: 600; margin-bottom: .3rem; }
.change dl { margin: .2rem 0; display: grid; grid-template-columns: 9.5rem minmax(0, 1fr); gap: .3rem .8rem; }
.change dt { overflow-wrap: anywhere; }
.change dt { color: var(--muted); font-weight: 600; }
.change dd { margin: 0; }
.before-after { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .6rem; }
.before-after h4 { margin: .2rem 0; font-size: .85rem; color: var(--muted); }
`);
