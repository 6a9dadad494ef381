/**
 * Checker for the grammar of an Anthropic Messages streaming response:
 *
 *   stream   := message_start body
 *   body     := block* message_delta message_stop     (ping allowed anywhere after message_start)
 *             | block* [partial block] error          (error ends the stream; nothing may follow)
 *   block(i) := content_block_start(i) content_block_delta(i)* content_block_stop(i)
 *
 * with i = 0, 1, 2, … consecutive, blocks never interleaved, delta types matching the block
 * type, and a thinking block receiving its signature_delta before its stop. An `error` event
 * may also be the very first event (a stream that fails before anything was produced).
 *
 * `checkAnthropicStream` returns human-readable violations; an empty list means valid.
 */
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: any;
}

/** Parse raw SSE text into events; `data` is JSON-parsed when possible. Events without a name get `message`. */
export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = createParser({
    onEvent(msg) {
      let data: unknown = msg.data;
      try {
        data = JSON.parse(msg.data);
      } catch {
        /* keep the raw string */
      }
      out.push({ event: msg.event ?? 'message', data });
    },
  });
  parser.feed(text);
  return out;
}

/** Allowed delta types per content block type. Blocks that carry their whole content in content_block_start allow none. */
export const DELTAS_BY_BLOCK_TYPE: Readonly<Record<string, readonly string[]>> = {
  text: ['text_delta', 'citations_delta'],
  thinking: ['thinking_delta', 'signature_delta'],
  redacted_thinking: [],
  tool_use: ['input_json_delta'],
  server_tool_use: ['input_json_delta'],
  mcp_tool_use: ['input_json_delta'],
  mcp_tool_result: [],
  web_search_tool_result: [],
  web_fetch_tool_result: [],
  code_execution_tool_result: [],
  bash_code_execution_tool_result: [],
  text_editor_code_execution_tool_result: [],
  tool_search_tool_result: [],
  container_upload: [],
  // Model fallback marker (seen in a constructed vercel-ai example).
  fallback: [],
};

export const STOP_REASONS: readonly string[] = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
];

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkMessageStart(data: Record<string, any>, v: (msg: string) => void): void {
  const m = data.message;
  if (!isObj(m)) return v('message_start: "message" must be an object');
  if (!isStr(m.id) || m.id === '') v('message_start: message.id must be a non-empty string');
  if (m.type !== 'message') v(`message_start: message.type must be "message" (got ${JSON.stringify(m.type)})`);
  if (m.role !== 'assistant') v(`message_start: message.role must be "assistant" (got ${JSON.stringify(m.role)})`);
  if (!isStr(m.model) || m.model === '') v('message_start: message.model must be a non-empty string');
  if (!Array.isArray(m.content) || m.content.length !== 0) v('message_start: message.content must be []');
  if (!isObj(m.usage)) v('message_start: message.usage must be an object');
  else if (typeof m.usage.input_tokens !== 'number') v('message_start: message.usage.input_tokens must be a number');
}

function checkBlockStart(i: number, block: unknown, v: (msg: string) => void): string | undefined {
  if (!isObj(block) || !isStr(block.type)) {
    v(`#${i} content_block_start: content_block must be an object with a string "type"`);
    return undefined;
  }
  const t = block.type;
  if (!(t in DELTAS_BY_BLOCK_TYPE)) v(`#${i} content_block_start: unknown content block type "${t}"`);
  if (t === 'text' && !isStr(block.text)) v(`#${i} content_block_start: text block needs a string "text"`);
  if (t === 'thinking' && !isStr(block.thinking)) v(`#${i} content_block_start: thinking block needs a string "thinking"`);
  if (t === 'redacted_thinking' && !isStr(block.data)) v(`#${i} content_block_start: redacted_thinking block needs a string "data"`);
  if (t === 'tool_use' || t === 'server_tool_use' || t === 'mcp_tool_use') {
    if (!isStr(block.id) || block.id === '') v(`#${i} content_block_start: ${t} block needs a non-empty "id"`);
    if (!isStr(block.name) || block.name === '') v(`#${i} content_block_start: ${t} block needs a non-empty "name"`);
    if (!isObj(block.input)) v(`#${i} content_block_start: ${t} block needs an "input" object`);
  }
  return t;
}

function checkDeltaPayload(i: number, delta: Record<string, any>, v: (msg: string) => void): void {
  const need = (field: string) => {
    if (!isStr(delta[field])) v(`#${i} content_block_delta: ${delta.type} needs a string "${field}"`);
  };
  switch (delta.type) {
    case 'text_delta':
      return need('text');
    case 'input_json_delta':
      return need('partial_json');
    case 'thinking_delta':
      return need('thinking');
    case 'signature_delta':
      return need('signature');
    case 'citations_delta':
      if (!isObj(delta.citation)) v(`#${i} content_block_delta: citations_delta needs a "citation" object`);
      return;
  }
}

export function checkAnthropicStream(events: readonly SseEvent[]): string[] {
  const violations: string[] = [];
  const v = (msg: string) => violations.push(msg);

  if (events.length === 0) return ['stream is empty (expected message_start … message_stop)'];

  type Phase = 'start' | 'body' | 'after_delta' | 'ended';
  let phase: Phase = 'start';
  let endedBy = '';
  let nextIndex = 0;
  let open: { index: number; type: string | undefined; sawSignature: boolean } | undefined;
  let sawMessageDelta = false;

  for (const [i, ev] of events.entries()) {
    const data = ev.data;
    if (!isObj(data)) {
      v(`#${i} event "${ev.event}": data is not a JSON object`);
      continue;
    }
    const type = data.type;
    if (ev.event !== type) v(`#${i}: SSE event name "${ev.event}" differs from data.type ${JSON.stringify(type)}`);
    if (!isStr(type)) continue;

    if (phase === 'ended') {
      v(`#${i} ${type}: event after the stream ended with ${endedBy}`);
      continue;
    }

    if (type === 'error') {
      if (!isObj(data.error) || !isStr(data.error.type) || !isStr(data.error.message))
        v(`#${i} error: must be {type:"error", error:{type, message}}`);
      phase = 'ended';
      endedBy = 'error';
      continue;
    }

    if (phase === 'start') {
      if (type !== 'message_start') {
        v(`#${i} ${type}: the first event must be message_start`);
        // Carry on as if message_start had been seen, to report later problems too.
        phase = 'body';
      } else {
        checkMessageStart(data, v);
        phase = 'body';
        continue;
      }
    }

    switch (type) {
      case 'message_start':
        v(`#${i} message_start: repeated`);
        continue;
      case 'ping':
        continue;
      case 'content_block_start': {
        if (phase === 'after_delta') v(`#${i} content_block_start: content block after message_delta`);
        if (!isInt(data.index)) v(`#${i} content_block_start: index must be a non-negative integer`);
        if (open) v(`#${i} content_block_start(index=${String(data.index)}): block ${open.index} is still open (blocks must not interleave)`);
        else if (isInt(data.index) && data.index !== nextIndex)
          v(`#${i} content_block_start: index ${data.index}, expected ${nextIndex} (indices must be consecutive from 0)`);
        const blockType = checkBlockStart(i, data.content_block, v);
        open = { index: isInt(data.index) ? data.index : nextIndex, type: blockType, sawSignature: false };
        nextIndex = open.index + 1;
        continue;
      }
      case 'content_block_delta': {
        const delta = data.delta;
        if (!open) {
          v(`#${i} content_block_delta(index=${String(data.index)}): no content block is open`);
          continue;
        }
        if (data.index !== open.index) v(`#${i} content_block_delta: index ${String(data.index)}, but the open block is ${open.index}`);
        if (!isObj(delta) || !isStr(delta.type)) {
          v(`#${i} content_block_delta: delta must be an object with a string "type"`);
          continue;
        }
        if (open.type !== undefined && open.type in DELTAS_BY_BLOCK_TYPE) {
          const allowed = DELTAS_BY_BLOCK_TYPE[open.type];
          if (!allowed.includes(delta.type))
            v(
              `#${i} content_block_delta: ${delta.type} is not allowed in a ${open.type} block` +
                (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it takes no deltas)'),
            );
        }
        if (open.type === 'thinking') {
          if (delta.type === 'signature_delta') {
            if (open.sawSignature) v(`#${i} content_block_delta: second signature_delta in thinking block ${open.index}`);
            open.sawSignature = true;
          } else if (delta.type === 'thinking_delta' && open.sawSignature) {
            v(`#${i} content_block_delta: thinking_delta after the signature_delta of block ${open.index}`);
          }
        }
        checkDeltaPayload(i, delta, v);
        continue;
      }
      case 'content_block_stop': {
        if (!open) {
          v(`#${i} content_block_stop(index=${String(data.index)}): no content block is open`);
          continue;
        }
        if (data.index !== open.index) v(`#${i} content_block_stop: index ${String(data.index)}, but the open block is ${open.index}`);
        if (open.type === 'thinking' && !open.sawSignature) v(`#${i} content_block_stop: thinking block ${open.index} closed without a signature_delta`);
        open = undefined;
        continue;
      }
      case 'message_delta': {
        if (sawMessageDelta) v(`#${i} message_delta: repeated (exactly one is allowed)`);
        sawMessageDelta = true;
        if (open) {
          v(`#${i} message_delta: content block ${open.index} is still open`);
          open = undefined;
        }
        if (!isObj(data.delta)) v(`#${i} message_delta: "delta" must be an object`);
        else if (!isStr(data.delta.stop_reason)) v(`#${i} message_delta: delta.stop_reason must be set`);
        else if (!STOP_REASONS.includes(data.delta.stop_reason)) v(`#${i} message_delta: unknown stop_reason "${data.delta.stop_reason}"`);
        if (!isObj(data.usage) || typeof data.usage.output_tokens !== 'number') v(`#${i} message_delta: usage.output_tokens must be a number`);
        phase = 'after_delta';
        continue;
      }
      case 'message_stop': {
        if (open) v(`#${i} message_stop: content block ${open.index} is still open`);
        if (!sawMessageDelta) v(`#${i} message_stop: no message_delta before it`);
        phase = 'ended';
        endedBy = 'message_stop';
        continue;
      }
      default:
        v(`#${i}: unknown event type "${type}"`);
    }
  }

  if (phase !== 'ended') {
    if (open) v(`end of stream: content block ${open.index} was never stopped`);
    if (!sawMessageDelta) v('end of stream: no message_delta');
    v('end of stream: no message_stop (and no error event)');
  }
  return violations;
}

/** Convenience: wrap plain data objects (from a vercel `*.chunks.txt`) as SSE events named after their type. */
export function eventsFromData(datas: readonly unknown[]): SseEvent[] {
  return datas.map((d) => ({ event: isObj(d) && isStr(d.type) ? d.type : 'message', data: d }));
}

/**
 * Folds an Anthropic event stream (the events' data) into the Message it stands for, as the
 * Anthropic SDK's MessageStream does: blocks by index, text / thinking / signature / tool-input
 * deltas applied, the final stop reason and usage (a null count in message_delta leaves the
 * earlier one). Undefined when the stream never started.
 */
export function foldAnthropicStream(events: readonly any[]): any {
  let message: any;
  const json: string[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'message_start':
        message = structuredClone(event.message);
        break;
      case 'content_block_start':
        message.content[event.index] = structuredClone(event.content_block);
        json[event.index] = '';
        break;
      case 'content_block_delta': {
        const block = message.content[event.index];
        const delta = event.delta;
        if (delta.type === 'text_delta') block.text += delta.text;
        else if (delta.type === 'thinking_delta') block.thinking += delta.thinking;
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta') json[event.index] += delta.partial_json;
        break;
      }
      case 'content_block_stop': {
        const block = message.content[event.index];
        if ('input' in block && json[event.index] !== '') block.input = JSON.parse(json[event.index]);
        break;
      }
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        if (event.delta.stop_details !== undefined) message.stop_details = event.delta.stop_details;
        for (const [key, value] of Object.entries(event.usage ?? {})) if (value !== null) message.usage[key] = value;
        break;
    }
  }
  return message;
}
