/**
 * The stream rules of a pair: its settings, the event table (upstream event type → what the client
 * gets, JSONata folded), the event types it ignores with the reasons, and what happens when the
 * stream ends early or fails.
 */
import type { StreamSpec } from '../spec/pair-spec.js';
import { sourceChips, type PairContext } from './block-table.js';
import { html, ident, prose, slug, type SafeHtml } from './html.js';
import { codeBlock, folded, muted, section } from './page.js';

export function streamSection(stream: StreamSpec | undefined, ctx: PairContext): SafeHtml {
  if (!stream) return section('stream', 'Stream', html`<p class="note">This pair has no stream rules: an upstream event stream is not translated.</p>`);
  const events = Object.entries(stream.events);
  const ignored = Object.entries(stream.ignored ?? {});
  return section('stream', 'Stream', html`<p class="lead">${prose(stream.describe)}</p>
${settings(stream)}
${section('stream-events', `Stream events (${events.length})`, html`<p class="note">Each upstream event goes to the rule for its type; a rule emits the client's events and carries the stream's state to the next event.</p>
<table class="fields"><thead><tr><th>#</th><th>Upstream event type</th><th>Reads</th><th>What the client gets</th><th>JSONata</th></tr></thead>
<tbody>${events.map(([type, rule], i) => html`<tr id="${slug('event', type)}"><td class="num">${i + 1}</td><td class="target">${ident(type)}</td><td class="from">${sourceChips(rule.emit, [], 'upstream event', ctx)}</td><td>${prose(rule.describe)}</td><td class="expr">${folded('JSONata', codeBlock(rule.emit))}</td></tr>`)}</tbody></table>`, 3)}
${section('stream-ignored', `Ignored stream events (${ignored.length})`, ignored.length === 0
    ? html`<p class="note">None. An event type with neither a rule nor an entry here is skipped (and logged at debug level).</p>`
    : html`<table class="kv"><thead><tr><th>Upstream event type</th><th>Why it is ignored</th></tr></thead><tbody>${ignored.map(([type, reason]) => html`<tr id="${slug('ignored-event', type)}"><td>${ident(type)}</td><td>${prose(reason)}</td></tr>`)}</tbody></table>`, 3)}
${section('stream-end', 'When the stream ends early or fails', html`<table class="fields"><thead><tr><th>Case</th><th>What the client gets</th><th>JSONata</th></tr></thead><tbody>
<tr><td><code>end</code> ${muted('the upstream stream ended without a rule finishing it')}</td><td>${stream.end ? prose(stream.end.describe) : muted('(no rule: the client stream just ends)')}</td><td class="expr">${stream.end ? folded('JSONata', codeBlock(stream.end.emit)) : ''}</td></tr>
<tr><td><code>on_error</code> ${muted('cut, idle timeout, malformed event, rule failure')}</td><td>${stream.on_error ? prose(stream.on_error.describe) : muted('(no rule)')}</td><td class="expr">${stream.on_error ? folded('JSONata', codeBlock(stream.on_error.emit)) : ''}</td></tr>
</tbody></table>`, 3)}`);
}

function settings(stream: StreamSpec): SafeHtml {
  return html`<table class="kv"><tbody>
<tr><td>SSE event name</td><td>${stream.framing?.event_name_from ? html`from each emitted event's <code>${stream.framing.event_name_from}</code> field` : muted('none (data lines only)')}</td></tr>
${stream.framing?.done ? html`<tr><td>end marker</td><td><code>${stream.framing.done}</code></td></tr>` : ''}
<tr><td>event type of an upstream event</td><td>${stream.event_type_from ? html`its <code>${stream.event_type_from}</code> field` : html`its <code>type</code> field`}</td></tr>
<tr><td>keep-alive ping</td><td>${stream.ping === undefined ? muted('none') : html`<code>${JSON.stringify(stream.ping)}</code>`}</td></tr>
<tr><td>initial state</td><td>${stream.init ? folded('JSONata', codeBlock(stream.init)) : muted('empty')}</td></tr>
</tbody></table>`;
}

