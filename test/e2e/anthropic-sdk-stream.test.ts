/**
 * Streaming through the gateway, as the official SDK sees it: every recorded upstream stream,
 * the event grammar, no buffering, and each fault case (cut, silence, malformed data, client gone).
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAnthropicStream, parseSse } from '../helpers/anthropic-sse-grammar.js';
import { replyFromRecording, withTimeout } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { listRecordings, type Recording } from '../helpers/reference.js';

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await startHarness({ UPSTREAM_IDLE_TIMEOUT_MS: '1500', STREAM_PING_INTERVAL_MS: '200' });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

type Event = { type: string; [k: string]: any };

const streams = listRecordings('openai-responses').filter((r) => r.kind === 'stream' && r.status === 200);
const terminal = (r: Recording) => (r.events as Event[]).find((e) => e.type === 'response.completed' || e.type === 'response.incomplete');

/** A request that fits the recording: the function tools it calls, so names can be restored. */
function requestFor(rec: Recording, stream: boolean): Anthropic.MessageCreateParams {
  const names = new Set<string>();
  for (const e of rec.events as Event[]) if (e.item?.type === 'function_call' && e.item.name) names.add(e.item.name);
  return {
    model: 'claude-opus-5-5',
    max_tokens: 2000,
    messages: [{ role: 'user', content: 'Go.' }],
    ...(names.size > 0 ? { tools: [...names].map((name) => ({ name, input_schema: { type: 'object' as const, properties: {} } })) } : {}),
    stream,
  } as Anthropic.MessageCreateParams;
}

async function rawStream(body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${h.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

function withoutPings(text: string) {
  return parseSse(text).filter((e) => e.event !== 'ping');
}

describe('every recorded upstream stream', () => {
  it('there are recorded streams to replay', () => expect(streams.length).toBeGreaterThan(10));

  for (const rec of streams) {
    it(`${rec.name}: the SDK's finalMessage() equals the non-streaming message for the same output, and the grammar holds`, async () => {
      h.upstream.enqueue(replyFromRecording(rec));
      const raw = await rawStream(requestFor(rec, true));
      expect(raw.status).toBe(200);
      const events = parseSse(raw.text);
      expect(checkAnthropicStream(events)).toEqual([]);

      const final = terminal(rec);
      if (!final) {
        // A stream that fails upstream (error / response.failed) ends with one Anthropic error event.
        expect(events.at(-1)?.event).toBe('error');
        expect(events.filter((e) => e.event === 'error')).toHaveLength(1);
        return;
      }
      h.upstream.enqueue(replyFromRecording(rec));
      const streamed = await client.messages.stream(requestFor(rec, false) as Anthropic.MessageStreamParams).finalMessage();
      h.upstream.enqueue({ json: final.response });
      const whole = await client.messages.create(requestFor(rec, false) as Anthropic.MessageCreateParamsNonStreaming);
      // The SDK's stream helper adds its own `parsed_output` (structured-output parsing); not on the wire.
      const { parsed_output: _parsed, ...wire } = streamed as typeof streamed & { parsed_output?: unknown };
      expect(wire).toEqual(whole);
    });
  }
});

describe('streaming behaviour', () => {
  const textStream = streams.find((r) => r.name.startsWith('vercel-ai/azure-text'))!;
  const upToFirstDelta = (rec: Recording) => (rec.events as Event[]).findIndex((e) => e.type === 'response.output_text.delta') + 1;

  it('no buffering: the client has the first text delta while the upstream still holds the rest', async () => {
    const events = textStream.events as Event[];
    h.upstream.enqueue({ fault: 'silence-after', events, after: upToFirstDelta(textStream) });
    const controller = new AbortController();
    const response = await fetch(`${h.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
      body: JSON.stringify(requestFor(textStream, true)),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    await withTimeout((async () => {
      while (!text.includes('text_delta')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended before the first delta');
        text += decoder.decode(value, { stream: true });
      }
    })(), 5000, 'first text delta');
    expect(text).toContain('message_start');

    // The client goes away: the upstream request must be aborted promptly.
    const upstreamRequest = h.upstream.requests[0];
    const leftAt = performance.now();
    controller.abort();
    const abortedAt = await withTimeout(upstreamRequest.aborted, 3000, 'upstream abort');
    const latencyMs = abortedAt - leftAt;
    console.log(`upstream aborted ${latencyMs.toFixed(1)} ms after the client disconnected`);
    expect(latencyMs).toBeLessThan(1000);
  });

  it('pings keep a silent stream alive, then the idle timeout ends it with an error event', async () => {
    h.upstream.enqueue({ fault: 'silence-after', events: textStream.events as Event[], after: upToFirstDelta(textStream) });
    const raw = await withTimeout(rawStream(requestFor(textStream, true)), 10_000, 'stream end');
    const events = parseSse(raw.text);
    expect(events.some((e) => e.event === 'ping')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: expect.any(String) } } });
    expect(checkAnthropicStream(events)).toEqual([]);
  });

  it('an upstream stream cut before its final event ends with an error event, not a hang', async () => {
    h.upstream.enqueue({ fault: 'cut-after', events: textStream.events as Event[], after: upToFirstDelta(textStream) + 1 });
    const raw = await withTimeout(rawStream(requestFor(textStream, true)), 5000, 'stream end');
    const events = withoutPings(raw.text);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error' } });
    expect(checkAnthropicStream(events)).toEqual([]);
  });

  it('malformed SSE from the upstream becomes an error event with a clear message', async () => {
    h.upstream.enqueue({ fault: 'malformed-sse', raw: 'event: response.created\ndata: {"type":"response.created", oops\n\n' });
    const raw = await withTimeout(rawStream(requestFor(textStream, true)), 5000, 'stream end');
    const events = withoutPings(raw.text);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { message: expect.stringMatching(/JSON/) } } });
  });

  it('the SDK surfaces an upstream error event as an error, and the gateway keeps serving', async () => {
    const failing = streams.find((r) => (r.events as Event[]).some((e) => e.type === 'response.failed'));
    expect(failing).toBeDefined();
    h.upstream.enqueue(replyFromRecording(failing!), replyFromRecording(textStream));
    await expect(client.messages.stream(requestFor(failing!, false) as Anthropic.MessageStreamParams).finalMessage()).rejects.toThrow();
    const ok = await client.messages.stream(requestFor(textStream, false) as Anthropic.MessageStreamParams).finalMessage();
    expect(ok.type).toBe('message');
  });

  it('stop_sequences cut a stream across deltas: text before the match, stop_reason stop_sequence, upstream request closed', async () => {
    const events = structuredClone(textStream.events as Event[]);
    const at = events.findIndex((e) => e.type === 'response.output_text.delta');
    const pieces = ['one, t', 'wo, th', 'ree, four', ' five'];
    const deltas = pieces.map((delta, i) => ({ ...events[at], delta, sequence_number: events[at].sequence_number + i }));
    events.splice(at, 1, ...deltas);
    // The upstream keeps the connection open after the deltas: only the gateway can end it.
    h.upstream.enqueue({ fault: 'silence-after', events, after: at + deltas.length });
    const message = await withTimeout(
      client.messages.stream({ ...(requestFor(textStream, false) as Anthropic.MessageStreamParams), stop_sequences: ['four', ', three'] }).finalMessage(),
      5000,
      'stopped stream',
    );
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe(', three');
    expect(message.content).toEqual([{ type: 'text', text: 'one, two' }]);
    await withTimeout(h.upstream.requests[0].aborted, 3000, 'upstream request closed by the gateway');
  });
});
