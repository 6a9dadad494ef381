import { describe, expect, it } from 'vitest';
import { checkAnthropicStream, eventsFromData, parseSse, type SseEvent } from '../../helpers/anthropic-sse-grammar.js';
import { encodeSse, rawSse } from '../../helpers/fake-upstream.js';
import { listRecordings } from '../../helpers/reference.js';

const ev = (data: Record<string, unknown>): SseEvent => ({ event: String(data.type), data });

const messageStart = () =>
  ev({
    type: 'message_start',
    message: {
      id: 'msg_01Test',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  });
const blockStart = (index: number, content_block: Record<string, unknown>) => ev({ type: 'content_block_start', index, content_block });
const delta = (index: number, d: Record<string, unknown>) => ev({ type: 'content_block_delta', index, delta: d });
const blockStop = (index: number) => ev({ type: 'content_block_stop', index });
const messageDelta = (stop_reason: string | null = 'end_turn', usage: Record<string, unknown> = { output_tokens: 12 }) =>
  ev({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage });
const messageStop = () => ev({ type: 'message_stop' });
const ping = () => ev({ type: 'ping' });

/** thinking (0) → text (1) → tool_use (2), a valid stream. */
function validStream(): SseEvent[] {
  return [
    messageStart(),
    blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
    ping(),
    delta(0, { type: 'thinking_delta', thinking: 'Let me think' }),
    delta(0, { type: 'signature_delta', signature: 'EqQBCgIYAhIM' }),
    blockStop(0),
    blockStart(1, { type: 'text', text: '' }),
    delta(1, { type: 'text_delta', text: 'Hello' }),
    blockStop(1),
    blockStart(2, { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} }),
    delta(2, { type: 'input_json_delta', partial_json: '{"city":' }),
    delta(2, { type: 'input_json_delta', partial_json: '"Paris"}' }),
    blockStop(2),
    messageDelta('tool_use'),
    messageStop(),
  ];
}

function anthropicStreamRecordings() {
  return listRecordings('anthropic-messages').filter((r) => r.kind === 'stream');
}

describe('checkAnthropicStream on recorded Anthropic streams', () => {
  const recs = anthropicStreamRecordings();

  it('finds recorded streams from both sources', () => {
    expect(recs.some((r) => r.source === 'vercel-ai')).toBe(true);
    expect(recs.some((r) => r.source === 'pydantic-ai')).toBe(true);
  });

  it.each(recs.map((r) => [r.name, r] as const))('accepts the recorded stream %s', (_name, rec) => {
    // Go through real SSE text: the cassette's own bytes, or the vercel chunks re-framed.
    const events = parseSse(rec.sse ?? encodeSse(rawSse(rec.frames!)));
    expect(events).toHaveLength(rec.events!.length);
    expect(checkAnthropicStream(events)).toEqual([]);
  });
});

describe('checkAnthropicStream on hand-made streams', () => {
  it('accepts a thinking + text + tool_use stream with pings', () => {
    expect(checkAnthropicStream(validStream())).toEqual([]);
  });

  it('accepts a stream with no content blocks (e.g. a refusal)', () => {
    expect(checkAnthropicStream([messageStart(), ping(), messageDelta('refusal'), messageStop()])).toEqual([]);
  });

  it('accepts pings anywhere after message_start, including between message_delta and message_stop', () => {
    const s = validStream();
    s.splice(s.length - 1, 0, ping());
    s.splice(1, 0, ping(), ping());
    expect(checkAnthropicStream(s)).toEqual([]);
  });

  it('accepts an error event that ends the stream in the middle of a block', () => {
    const s = validStream().slice(0, 8);
    s.push(ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    expect(checkAnthropicStream(s)).toEqual([]);
  });

  it('accepts an error event as the only event', () => {
    expect(checkAnthropicStream([ev({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } })])).toEqual([]);
  });

  it('accepts citations_delta inside a text block and blocks that take no deltas', () => {
    const s = [
      messageStart(),
      blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"query":"x"}' }),
      blockStop(0),
      blockStart(1, { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }),
      blockStop(1),
      blockStart(2, { type: 'text', text: '', citations: [] }),
      delta(2, { type: 'citations_delta', citation: { type: 'web_search_result_location', cited_text: 'x', url: 'https://e.x', title: 't' } }),
      delta(2, { type: 'text_delta', text: 'cited' }),
      blockStop(2),
      blockStart(3, { type: 'redacted_thinking', data: 'EmwKAhgB' }),
      blockStop(3),
      messageDelta(),
      messageStop(),
    ];
    expect(checkAnthropicStream(s)).toEqual([]);
  });

  const broken: Array<[string, () => SseEvent[], RegExp]> = [
    ['an empty stream', () => [], /empty/],
    [
      'interleaved blocks (block 1 starts before block 0 stops)',
      () => {
        const s = validStream();
        // move blockStop(0) after the start of block 1
        const stop0 = s.splice(5, 1)[0];
        s.splice(6, 0, stop0);
        return s;
      },
      /still open|open block is/,
    ],
    ['a missing message_stop', () => validStream().slice(0, -1), /no message_stop/],
    ['a missing message_delta', () => [...validStream().slice(0, -2), messageStop()], /no message_delta/],
    [
      'a delta of the wrong type (input_json_delta in a text block)',
      () => {
        const s = validStream();
        s[7] = delta(1, { type: 'input_json_delta', partial_json: '{}' });
        return s;
      },
      /input_json_delta is not allowed in a text block/,
    ],
    [
      'a delta of the wrong type (text_delta in a tool_use block)',
      () => {
        const s = validStream();
        s[10] = delta(2, { type: 'text_delta', text: 'x' });
        return s;
      },
      /text_delta is not allowed in a tool_use block/,
    ],
    [
      'an index gap (0, 2)',
      () => [messageStart(), blockStart(0, { type: 'text', text: '' }), blockStop(0), blockStart(2, { type: 'text', text: '' }), blockStop(2), messageDelta(), messageStop()],
      /index 2, expected 1/,
    ],
    [
      'indices that do not start at 0',
      () => [messageStart(), blockStart(1, { type: 'text', text: '' }), blockStop(1), messageDelta(), messageStop()],
      /index 1, expected 0/,
    ],
    [
      'a delta whose index is not the open block',
      () => {
        const s = validStream();
        s[7] = delta(0, { type: 'text_delta', text: 'x' });
        return s;
      },
      /index 0, but the open block is 1/,
    ],
    [
      'a delta outside any block',
      () => [messageStart(), delta(0, { type: 'text_delta', text: 'x' }), messageDelta(), messageStop()],
      /no content block is open/,
    ],
    [
      'a block still open at message_delta',
      () => [messageStart(), blockStart(0, { type: 'text', text: '' }), messageDelta(), messageStop()],
      /content block 0 is still open/,
    ],
    [
      'an SSE event name that differs from data.type',
      () => {
        const s = validStream();
        s[7] = { event: 'content_block_start', data: s[7].data };
        return s;
      },
      /differs from data\.type/,
    ],
    ['a stream not starting with message_start', () => validStream().slice(1), /first event must be message_start/],
    [
      'a message_start whose message lacks an id and has content',
      () => {
        const s = validStream();
        const m = { ...(s[0].data.message as Record<string, unknown>), id: undefined, content: [{ type: 'text', text: 'x' }] };
        s[0] = ev({ type: 'message_start', message: m });
        return s;
      },
      /message\.id|message\.content must be \[\]/,
    ],
    [
      'a message_start with the wrong role',
      () => {
        const s = validStream();
        s[0] = ev({ type: 'message_start', message: { ...(s[0].data.message as Record<string, unknown>), role: 'user' } });
        return s;
      },
      /role must be "assistant"/,
    ],
    [
      'a thinking block stopped without its signature_delta',
      () => validStream().filter((e) => e.data.delta?.type !== 'signature_delta'),
      /closed without a signature_delta/,
    ],
    [
      'thinking_delta after the signature_delta',
      () => {
        const s = validStream();
        s.splice(5, 0, delta(0, { type: 'thinking_delta', thinking: 'more' }));
        return s;
      },
      /thinking_delta after the signature_delta/,
    ],
    ['two message_delta events', () => [...validStream().slice(0, -1), messageDelta(), messageStop()], /repeated/],
    ['a message_delta without stop_reason', () => [...validStream().slice(0, -2), messageDelta(null), messageStop()], /stop_reason must be set/],
    ['a message_delta without usage.output_tokens', () => [...validStream().slice(0, -2), messageDelta('end_turn', {}), messageStop()], /output_tokens/],
    [
      'a content block after message_delta',
      () => {
        const s = validStream().slice(0, -1);
        s.push(blockStart(3, { type: 'text', text: '' }), blockStop(3), messageStop());
        return s;
      },
      /after message_delta/,
    ],
    ['an event after message_stop', () => [...validStream(), ping()], /after the stream ended with message_stop/],
    [
      'an event after an error event',
      () => [messageStart(), ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), messageStop()],
      /after the stream ended with error/,
    ],
    ['an error event without error.message', () => [messageStart(), ev({ type: 'error', error: { type: 'api_error' } })], /error: must be/],
    ['a ping before message_start', () => [ping(), ...validStream()], /first event must be message_start/],
    ['an unknown event type', () => [messageStart(), ev({ type: 'content_block_finish', index: 0 }), messageDelta(), messageStop()], /unknown event type/],
    [
      'an unknown content block type',
      () => [messageStart(), blockStart(0, { type: 'image', source: {} }), blockStop(0), messageDelta(), messageStop()],
      /unknown content block type "image"/,
    ],
    ['a non-JSON data payload', () => [messageStart(), { event: 'ping', data: 'not json' }, messageDelta(), messageStop()], /not a JSON object/],
  ];

  it.each(broken)('reports %s', (_name, make, pattern) => {
    const violations = checkAnthropicStream(make());
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(pattern);
  });
});

describe('parseSse', () => {
  it('parses event names and JSON data, defaulting the name to "message"', () => {
    const text = 'event: ping\ndata: {"type":"ping"}\n\ndata: [DONE]\n\n';
    expect(parseSse(text)).toEqual([
      { event: 'ping', data: { type: 'ping' } },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('handles CRLF line endings, comments and multi-line data', () => {
    const text = ': keep-alive\r\nevent: x\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
    expect(parseSse(text)).toEqual([{ event: 'x', data: { a: 1 } }]);
  });

  it('does not emit a trailing event that lacks its blank line', () => {
    expect(parseSse('event: message_stop\ndata: {"type":"message_stop"}\n')).toEqual([]);
  });

  it('round-trips vercel chunks re-framed as SSE', () => {
    const rec = anthropicStreamRecordings().find((r) => r.source === 'vercel-ai')!;
    expect(parseSse(encodeSse(rawSse(rec.frames!)))).toEqual(eventsFromData(rec.events!));
  });
});
