/**
 * Checker for the grammar of an OpenAI Responses streaming response, as real OpenAI streams are
 * ordered (recordings/openai-responses: azure-text, azure-tool-call, openai-reasoning-encrypted-content,
 * openai-error) and as the OpenAI SDKs' stream accumulators expect:
 *
 *   stream    := response.created response.in_progress item* end
 *              | error                                   (a stream that fails before it started)
 *   end       := response.completed | response.incomplete
 *              | [partial item] error [response.failed]  (nothing may follow)
 *   item(i)   := response.output_item.added(i) body response.output_item.done(i)
 *   message   := ( content_part.added(c) ( output_text.delta* output_text.done
 *                                        | refusal.delta* refusal.done ) content_part.done(c) )*
 *   function  := function_call_arguments.delta* function_call_arguments.done
 *   custom    := custom_tool_call_input.delta* custom_tool_call_input.done
 *   reasoning := ( reasoning_summary_part.added(s) reasoning_summary_text.delta*
 *                  reasoning_summary_text.done reasoning_summary_part.done(s) )*
 *
 * with sequence_number 0, 1, 2, … without gaps, output_index i = 0, 1, 2, … (items never
 * interleaved), item_id always the open item's id, every `.done` text equal to its deltas joined,
 * output_item.done carrying the same item (id, type) with the accumulated text / arguments, and
 * the final response's id equal to response.created's and its output equal to the items done.
 *
 * `checkResponsesStream` returns human-readable violations; an empty list means valid.
 */

type Json = Record<string, any>;

const BODY_EVENTS: Readonly<Record<string, readonly string[]>> = {
  message: ['response.content_part.added', 'response.output_text.delta', 'response.output_text.done', 'response.refusal.delta', 'response.refusal.done', 'response.content_part.done'],
  function_call: ['response.function_call_arguments.delta', 'response.function_call_arguments.done'],
  custom_tool_call: ['response.custom_tool_call_input.delta', 'response.custom_tool_call_input.done'],
  reasoning: ['response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done'],
};

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

interface OpenItem {
  index: number;
  item: Json;
  /** The part or summary part open inside the item, with its text so far. */
  part?: { index: number; text: string; done: boolean };
  /** Parts / summary parts finished so far (their texts). */
  texts: string[];
  args: string;
  argsDone?: string;
}

export interface GrammarOptions {
  /** Require sequence_number 0, 1, 2, … (default true; streams recorded before March 2025 carry none). */
  sequenceNumbers?: boolean;
}

export function checkResponsesStream(events: readonly Json[], options: GrammarOptions = {}): string[] {
  const sequenceNumbers = options.sequenceNumbers ?? true;
  const problems: string[] = [];
  const fail = (i: number, what: string) => problems.push(`#${i} ${events[i]?.type ?? '?'}: ${what}`);
  let phase: 'start' | 'created' | 'running' | 'ended' = 'start';
  let responseId: string | undefined;
  let open: OpenItem | undefined;
  const done: Json[] = [];
  let errored = false;

  events.forEach((e, i) => {
    if (sequenceNumbers && e.sequence_number !== i) fail(i, `sequence_number ${e.sequence_number}, expected ${i}`);
    if (phase === 'ended') {
      if (!(errored && e.type === 'response.failed')) fail(i, 'event after the end of the stream');
      else checkFinal(i, e);
      errored = false;
      return;
    }
    switch (e.type) {
      case 'response.created':
        if (phase !== 'start') fail(i, 'response.created must come first, once');
        responseId = e.response?.id;
        if (e.response?.status !== 'in_progress' && e.response?.status !== 'queued') fail(i, `status ${e.response?.status}`);
        phase = 'created';
        return;
      case 'response.in_progress':
        if (phase !== 'created') fail(i, 'response.in_progress must follow response.created');
        if (e.response?.id !== responseId) fail(i, 'response id differs from response.created');
        phase = 'running';
        return;
      case 'error':
        if (phase === 'created') fail(i, 'error between response.created and response.in_progress');
        if (!e.error && typeof e.message !== 'string') fail(i, 'error event without a message');
        phase = 'ended';
        errored = phase === 'ended' && responseId !== undefined;
        return;
      case 'response.output_item.added':
        if (phase !== 'running') return void fail(i, 'output before response.in_progress');
        if (open) fail(i, `item ${open.index} is still open`);
        if (e.output_index !== done.length) fail(i, `output_index ${e.output_index}, expected ${done.length}`);
        if (!BODY_EVENTS[e.item?.type]) fail(i, `unexpected item type ${e.item?.type}`);
        if (typeof e.item?.id !== 'string') fail(i, 'item without an id');
        open = { index: e.output_index, item: e.item, texts: [], args: '' };
        return;
      case 'response.output_item.done':
        if (!open) return void fail(i, 'no item is open');
        if (e.output_index !== open.index) fail(i, `output_index ${e.output_index}, expected ${open.index}`);
        if (e.item?.id !== open.item.id || e.item?.type !== open.item.type) fail(i, 'item differs from the one added');
        if (open.part && !open.part.done) fail(i, 'a part is still open');
        checkItemDone(i, e.item, open);
        done.push(e.item);
        open = undefined;
        return;
      default:
        if (TERMINAL.has(e.type)) {
          if (e.type === 'response.failed') fail(i, 'response.failed without an error event before it');
          if (open) fail(i, `item ${open.index} is still open`);
          checkFinal(i, e);
          phase = 'ended';
          return;
        }
        if (!open) return void fail(i, 'no item is open');
        if (!BODY_EVENTS[open.item.type]?.includes(e.type)) return void fail(i, `not allowed inside a ${open.item.type} item`);
        if (e.output_index !== open.index) fail(i, `output_index ${e.output_index}, expected ${open.index}`);
        if (e.item_id !== open.item.id) fail(i, `item_id ${e.item_id}, expected ${open.item.id}`);
        bodyEvent(i, e, open);
    }
  });
  // (A cast: TypeScript does not see the callback above change `phase`.)
  if ((phase as string) !== 'ended') problems.push(`the stream ends without a final event (phase ${phase})`);
  return problems;

  function bodyEvent(i: number, e: Json, item: OpenItem): void {
    const partIndex = e.content_index ?? e.summary_index;
    switch (e.type) {
      case 'response.content_part.added':
      case 'response.reasoning_summary_part.added':
        if (item.part && !item.part.done) fail(i, 'the previous part is still open');
        if (partIndex !== item.texts.length) fail(i, `part index ${partIndex}, expected ${item.texts.length}`);
        item.part = { index: partIndex, text: e.part?.text ?? '', done: false };
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
      case 'response.reasoning_summary_text.delta':
        if (!item.part || item.part.done || item.part.index !== partIndex) return void fail(i, 'no matching open part');
        item.part.text += e.delta;
        return;
      case 'response.output_text.done':
      case 'response.refusal.done':
      case 'response.reasoning_summary_text.done': {
        if (!item.part || item.part.done || item.part.index !== partIndex) return void fail(i, 'no matching open part');
        const text = e.text ?? e.refusal;
        if (text !== item.part.text) fail(i, `text ${JSON.stringify(text)} differs from its deltas ${JSON.stringify(item.part.text)}`);
        return;
      }
      case 'response.content_part.done':
      case 'response.reasoning_summary_part.done':
        if (!item.part || item.part.done || item.part.index !== partIndex) return void fail(i, 'no matching open part');
        if ((e.part?.text ?? e.part?.refusal) !== item.part.text) fail(i, 'part text differs from its deltas');
        item.part.done = true;
        item.texts.push(item.part.text);
        return;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        if (item.argsDone !== undefined) fail(i, 'delta after done');
        item.args += e.delta;
        return;
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const whole = e.arguments ?? e.input;
        // A call without arguments streams no delta; its done event says "{}".
        if (whole !== item.args && !(item.args === '' && whole === '{}')) fail(i, `${JSON.stringify(whole)} differs from its deltas ${JSON.stringify(item.args)}`);
        item.argsDone = whole;
        return;
      }
    }
  }

  function checkItemDone(i: number, item: Json, state: OpenItem): void {
    if (item.type === 'message') {
      const texts = (item.content ?? []).map((p: Json) => p.text ?? p.refusal);
      if (canonical(texts) !== canonical(state.texts)) fail(i, 'message content differs from the streamed parts');
    } else if (item.type === 'reasoning') {
      const texts = (item.summary ?? []).map((p: Json) => p.text);
      if (canonical(texts) !== canonical(state.texts)) fail(i, 'reasoning summary differs from the streamed summary parts');
    } else if (item.type === 'function_call') {
      if (state.argsDone === undefined) fail(i, 'function call without function_call_arguments.done');
      if (item.arguments !== state.argsDone) fail(i, 'arguments differ from function_call_arguments.done');
    } else if (item.type === 'custom_tool_call') {
      if (state.argsDone === undefined) fail(i, 'custom tool call without custom_tool_call_input.done');
      if (item.input !== state.argsDone) fail(i, 'input differs from custom_tool_call_input.done');
    }
  }

  function checkFinal(i: number, e: Json): void {
    const expected = e.type === 'response.completed' ? 'completed' : e.type === 'response.incomplete' ? 'incomplete' : 'failed';
    if (e.response?.status !== expected) fail(i, `status ${e.response?.status}, expected ${expected}`);
    if (e.response?.id !== responseId) fail(i, 'response id differs from response.created');
    // OpenAI encrypts reasoning afresh each time it serialises an item, so encrypted_content may
    // differ between output_item.done and the final response; everything else must be equal.
    if (canonical(withoutEncrypted(e.response?.output)) !== canonical(withoutEncrypted(done))) fail(i, 'final output differs from the items done');
    if (expected !== 'failed' && typeof e.response?.usage?.total_tokens !== 'number') fail(i, 'final response without usage');
  }
}

/** JSON with object keys sorted, so two values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function withoutEncrypted(items: unknown): unknown {
  return Array.isArray(items) ? items.map((item: Json) => (item && typeof item === 'object' ? { ...item, encrypted_content: undefined } : item)) : items;
}
