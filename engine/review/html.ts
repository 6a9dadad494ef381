/**
 * HTML built by tagged templates that escape by construction. Specs are edited by people and the
 * review page is served by the live gateway, so no string from a spec may reach the page as markup:
 * every interpolated value is escaped unless it is already a SafeHtml made by `html` itself. The
 * only way to get unescaped text in is `trustedHtml`, used for this folder's constant CSS.
 */

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Anything `html` accepts: strings and numbers are escaped, arrays are joined, nothing renders empty. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Markup written in this folder (the style sheet), never text from a spec. */
export function trustedHtml(text: string): SafeHtml {
  return new SafeHtml(text);
}

/**
 * A fragment id made of [a-z0-9-] only, so it is safe in `id` and `href` whatever the spec says.
 * Distinct names can share a slug; callers prefix it with the section so ids stay unique in practice.
 */
export function slug(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';
}

/**
 * Spec prose (a `describe` or a reason): text, with `backticked` spans shown as code, the way the
 * specs write field names. Everything is escaped.
 */
export function prose(text: string): SafeHtml {
  return html`${text.split(/`([^`\n]+)`/).map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

/** An identifier (`response.output_text.delta`, `usage.cache_read_input_tokens`) that may wrap after its dots. */
export function ident(text: string): SafeHtml {
  return html`<code>${text.split('.').map((part, i) => (i === 0 ? part : html`.<wbr>${part}`))}</code>`;
}

/** `1 rule`, `2 rules`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
