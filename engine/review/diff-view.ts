/** Renders line and word diffs (json-diff.ts) as HTML: hunks with context, removed red, added green. */
import { html, type SafeHtml } from './html.js';
import { diffHunks, lineDiff, wordDiff, type DiffOp } from './json-diff.js';

export function diffView(ops: readonly DiffOp[], context = 3): SafeHtml {
  const hunks = diffHunks(ops, context);
  if (hunks.length === 0) return html`<p class="note">No difference.</p>`;
  return html`<div class="diff">${hunks.map((h) => html`<div class="hunk">lines ${h.beforeLine} (before) / ${h.afterLine} (after)</div>${h.ops.map((op) =>
    html`<div class="line ${op.op === 'same' ? '' : op.op}">${op.op === 'removed' ? '- ' : op.op === 'added' ? '+ ' : '  '}${op.text}</div>`)}`)}</div>`;
}

/** A changed text: word diff for one-line texts, line diff for multi-line ones. */
export function textChangeView(before: string, after: string): SafeHtml {
  if (before.includes('\n') || after.includes('\n')) return diffView(lineDiff(before, after));
  return html`<div class="words">${readableWordDiff(wordDiff(before, after)).map((g) =>
    g.same !== undefined ? g.same : html`${g.removed ? html`<del>${g.removed}</del>` : ''}${g.added ? html`<ins>${g.added}</ins>` : ''}`)}</div>`;
}

type WordGroup = { same: string; removed?: undefined; added?: undefined } | { same?: undefined; removed: string; added: string };

/**
 * A word diff grouped for reading: each run of changes shows as "old words" then "new words", and a
 * space or a short word ("the", "a") between two changes joins them, instead of a patchwork of
 * one-word islands.
 */
function readableWordDiff(ops: readonly DiffOp[]): WordGroup[] {
  const groups: WordGroup[] = [];
  const small = (o: DiffOp | undefined) => o?.op === 'same' && (o.text.trim() === '' || o.text.length <= 3);
  const change = () => {
    const last = groups[groups.length - 1];
    if (last && last.same === undefined) return last;
    const fresh = { removed: '', added: '' };
    groups.push(fresh);
    return fresh;
  };
  ops.forEach((op, i) => {
    if (op.op === 'removed') change().removed += op.text;
    else if (op.op === 'added') change().added += op.text;
    else {
      let j = i + 1;
      while (small(ops[j])) j++;
      const between = small(op) && groups.length > 0 && groups[groups.length - 1].same === undefined && ops[j] !== undefined && ops[j].op !== 'same';
      if (between) {
        const c = change();
        c.removed += op.text;
        c.added += op.text;
      } else {
        groups.push({ same: op.text });
      }
    }
  });
  return groups;
}
