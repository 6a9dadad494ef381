/**
 * Streaming through the responses pair (openai-responses-to-anthropic) with the official OpenAI
 * SDK: `responses.create({stream: true})` and the `responses.stream()` helper, against a fake
 * Anthropic upstream replaying recorded Anthropic streams byte for byte. Also Codex CLI's captured
 * requests, sent as Codex sent them.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { listRecordings, loadClientCapture, type Recording } from '../helpers/reference.js';
import { replyFromRecording } from '../helpers/fake-upstream.js';
import { parseSse } from '../helpers/anthropic-sse-grammar.js';
import { checkResponsesStream } from '../helpers/responses-sse-grammar.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';

type Json = Record<string, any>;

let h: Harness;
let client: OpenAI;
const anthropic = apiSchemaKit('anthropic-messages');
const openai = apiSchemaKit('openai-responses');
const streams = listRecordings('anthropic-messages').filter((r) => r.kind === 'stream');

beforeAll(async () => {
  h = await startHarness();
  client = new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0, timeout: 20_000 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

function recording(name: string): Recording {
  const found = streams.find((r) => r.name === name);
  if (!found) throw new Error(`no recorded stream ${name}`);
  return found;
}

/** The text an Anthropic stream writes, all text blocks joined. */
function recordedText(rec: Recording): string {
  return (rec.events as Json[]).filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta').map((e) => e.delta.text).join('');
}

describe('responses.create({stream: true})', () => {
  it('a recorded text stream arrives as Responses events in the real order, numbered, ending with response.completed', async () => {
    const rec = recording('vercel-ai/anthropic-text.chunks.txt');
    h.upstream.enqueue(replyFromRecording(rec));

    const stream = await client.responses.create({ model: 'gpt-5', input: 'Say hello', stream: true });
    const events: Json[] = [];
    for await (const event of stream) events.push(event as Json);

    expect(checkResponsesStream(events)).toEqual([]);
    for (const event of events) openai.expectValid('stream-event', event, event.type);
    expect(events.slice(0, 4).map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe(recordedText(rec));
    const final = events.at(-1)!;
    expect(final.type).toBe('response.completed');
    expect(final.response.model).toBe('gpt-5');
    // created_at: when the gateway received the request, the same in every event of the stream.
    expect(Math.abs(final.response.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect(events[0].response.created_at).toBe(final.response.created_at);
    expect(final.response.usage.output_tokens).toBeGreaterThan(0);

    const body = h.upstream.requests[0].body as Json;
    anthropic.expectValid('request', body, 'upstream request');
    expect(body.stream).toBe(true);
  });

  it('an Anthropic error event mid-stream makes the SDK throw an APIError', async () => {
    h.upstream.enqueue({
      sse: [
        { type: 'message_start', message: { id: 'msg_01Err', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Half an ans' } },
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      ],
    });
    const stream = await client.responses.create({ model: 'gpt-5', input: 'hi', stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('server_is_overloaded');
    expect((err as Error).message).toContain('Overloaded');
    expect(seen).toContain('response.output_text.delta');
    expect(seen).not.toContain('response.completed');
  });
});

describe('responses.stream() helper', () => {
  it('a recorded tool-call stream accumulates into a final Response with the function call', async () => {
    const rec = recording('vercel-ai/anthropic-json-tool.1.chunks.txt');
    h.upstream.enqueue(replyFromRecording(rec));
    const toolStart = (rec.events as Json[]).find((e) => e.content_block?.type === 'tool_use')!;
    const json = (rec.events as Json[]).filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json).join('');

    const argDeltas: string[] = [];
    const stream = client.responses.stream({
      model: 'gpt-5',
      input: 'Use the tool',
      tools: [{ type: 'function', name: toolStart.content_block.name, parameters: { type: 'object', properties: {} }, strict: false }],
    });
    stream.on('response.function_call_arguments.delta', (event) => argDeltas.push(event.delta));
    const final = await stream.finalResponse();

    const call = final.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ call_id: toolStart.content_block.id, name: toolStart.content_block.name, status: 'completed' });
    expect(JSON.parse((call as Json).arguments)).toEqual(JSON.parse(json));
    expect(argDeltas.join('')).toBe(json);
    expect(final.status).toBe('completed');
  });

  it('a recorded thinking stream gives reasoning summary events and a reasoning item that can be handed back', async () => {
    const rec = recording('pydantic-ai/test_anthropic_model_thinking_part_stream.yaml#0');
    h.upstream.enqueue(replyFromRecording(rec));
    const thinking = (rec.events as Json[]).filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking).join('');
    const signature = (rec.events as Json[]).find((e) => e.delta?.type === 'signature_delta')!.delta.signature;

    const summary: string[] = [];
    const stream = client.responses.stream({ model: 'gpt-5', input: 'Think first', reasoning: { effort: 'medium', summary: 'auto' } });
    stream.on('response.reasoning_summary_text.delta', (event) => summary.push(event.delta));
    const final = await stream.finalResponse();

    expect(summary.join('')).toBe(thinking);
    const reasoning = final.output.find((item) => item.type === 'reasoning') as Json;
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: thinking }]);
    expect(final.output_text).toBe(recordedText(rec));
    expect((h.upstream.requests[0].body as Json).thinking).toEqual({ type: 'enabled', budget_tokens: 10240 });

    // Next turn: the reasoning item goes back and Anthropic gets the thinking block with its signature.
    h.upstream.enqueue({ json: { id: 'msg_01Next', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'OK' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } });
    // (The helper's finalResponse adds client-side `parsed` fields to text parts, which the API does
    // not accept back; the reasoning item itself goes back unchanged.)
    await client.responses.create({
      model: 'gpt-5',
      reasoning: { effort: 'medium' },
      input: [{ role: 'user', content: 'Think first' }, reasoning as any, { role: 'assistant', content: final.output_text }, { role: 'user', content: 'Go on' }],
    });
    const sent = h.upstream.requests[1].body as Json;
    anthropic.expectValid('request', sent, 'second upstream request');
    expect(sent.messages[1].content[0]).toEqual({ type: 'thinking', thinking, signature });
  });

  it.each(streams.filter((r) => (r.events as Json[]).some((e) => e?.type === 'message_stop')).map((r) => [r.name, r] as const))(
    'replays %s through the SDK into a valid final Response',
    async (_name, rec) => {
      h.upstream.enqueue(replyFromRecording(rec));
      const names = [...new Set((rec.events as Json[]).filter((e) => e.content_block?.type === 'tool_use').map((e) => e.content_block.name as string))];
      const stream = client.responses.stream({
        model: 'gpt-5',
        input: 'Hello',
        ...(names.length ? { tools: names.map((name) => ({ type: 'function' as const, name, parameters: { type: 'object', properties: {} }, strict: false })) } : {}),
      });
      const events: Json[] = [];
      stream.on('event', (event) => events.push(event as Json));
      const final = await stream.finalResponse();
      expect(checkResponsesStream(events)).toEqual([]);
      openai.expectValid('response', final, 'final response');
      expect(final.output_text).toBe(recordedText(rec));
    },
  );
});

describe('Codex CLI captured requests', () => {
  it.each(['codex/text/001-POST-v1_responses.json', 'codex/text-gpt-5.5/001-POST-v1_responses.json', 'codex/tool/002-POST-v1_responses.json'])(
    '%s, sent as Codex sent it, gives a Responses stream Codex can read',
    async (capturePath) => {
      const capture = loadClientCapture(capturePath);
      h.upstream.enqueue(replyFromRecording(recording('vercel-ai/anthropic-text.chunks.txt')));
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${GATEWAY_KEY}` };
      for (const name of ['originator', 'user-agent', 'session-id', 'x-codex-beta-features']) if (capture.headers[name]) headers[name] = capture.headers[name];

      const response = await fetch(`${h.gateway.url}${capture.path}`, { method: 'POST', headers, body: JSON.stringify(capture.body) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const frames = parseSse(await response.text());
      expect(frames.every((f) => f.event === f.data.type)).toBe(true);
      const events = frames.map((f) => f.data as Json);
      expect(checkResponsesStream(events)).toEqual([]);
      expect(events.at(-1)!.type).toBe('response.completed');

      const body = h.upstream.requests[0].body as Json;
      anthropic.expectValid('request', body, 'upstream request');
      const sentBy = capture.body as Json;
      // Codex's developer messages are the system prompt; its function and custom tools (and the
      // functions of its namespace tool) are Anthropic tools; hosted tools (web_search,
      // tool_search) are left out. A custom tool takes its free-form text in the field `input`.
      const developerText = (sentBy.input as Json[]).find((i) => i.role === 'developer')!.content[0].text as string;
      expect(body.system.startsWith(developerText)).toBe(true);
      const expectedTools = (sentBy.tools as Json[]).flatMap((t) => (t.type === 'namespace' ? t.tools : t.type === 'function' || t.type === 'custom' ? [t] : [])).map((t) => t.name);
      expect(body.tools.map((t: Json) => t.name)).toEqual(expectedTools);
      for (const custom of (sentBy.tools as Json[]).filter((t) => t.type === 'custom')) {
        const tool = body.tools.find((t: Json) => t.name === custom.name);
        expect(tool.input_schema).toMatchObject({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
        expect(tool.input_schema.properties.input.description).toContain(custom.format.definition);
      }
      if (capturePath.includes('tool/002')) {
        const call = (sentBy.input as Json[]).find((i) => i.type === 'function_call')!;
        expect(body.messages.at(-2)).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: call.call_id, name: call.name, input: JSON.parse(call.arguments) }] });
        expect(body.messages.at(-1).content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call.call_id });
      }
    },
  );
});

describe('keep-alive during a silent upstream', () => {
  let slow: Harness;
  let slowClient: OpenAI;
  beforeAll(async () => {
    slow = await startHarness({ STREAM_PING_INTERVAL_MS: '40', HOT_RELOAD: 'off' });
    slowClient = new OpenAI({ baseURL: `${slow.gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0, timeout: 20_000 });
  });
  afterAll(async () => slow?.stop());

  it('the client sees comment lines while Claude is silent, and the SDK reads the stream as if there were none', async () => {
    const rec = recording('vercel-ai/anthropic-text.chunks.txt');
    slow.upstream.enqueue(replyFromRecording(rec, { delayMs: 60 }));
    const raw = await fetch(`${slow.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: 'gpt-5', input: 'Say hello', stream: true }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await raw.text();
    expect(text).toContain('\n: keep-alive\n\n');
    expect(checkResponsesStream(parseSse(text).map((e) => e.data as Json))).toEqual([]);

    slow.upstream.enqueue(replyFromRecording(rec, { delayMs: 60 }));
    const events: Json[] = [];
    for await (const event of await slowClient.responses.create({ model: 'gpt-5', input: 'Say hello', stream: true })) events.push(event as Json);
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe(recordedText(rec));
  });
});
