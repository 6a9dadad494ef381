/**
 * Every recorded OpenAI Responses stream, run through the stream rules of
 * anthropic-to-openai-responses, gives a stream an Anthropic client accepts, and the message that
 * stream folds into equals the non-streaming answer for the same upstream output.
 *
 * For each recording (listRecordings('openai-responses'), kind 'stream'):
 *   - the emitted events follow Anthropic's event grammar (checkAnthropicStream: no violations);
 *   - every event validates against schemas/anthropic-messages/stream-event.json;
 *   - folding the events the way the Anthropic SDK does (text concatenated, input_json parsed,
 *     thinking + signature, message_delta usage overwriting message_start's) gives the same
 *     message as `translator.response(<the final response object>, request)`;
 *   - a stream that fails (error / response.failed) ends with exactly one error event.
 *
 * The request is a plausible Anthropic request: model claude-sonnet-4-5 and one client tool per
 * tool name the upstream called. `MAPPINGS_DIR` may point the test at a copy of the mappings
 * (e.g. to test a pair in isolation while other files are being edited).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import YAML from 'yaml';
import fs from 'node:fs';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { formatProblem } from '../../../engine/spec/yaml-file.js';
import { runStream } from '../../../engine/translate/stream-program.js';
import { checkAnthropicStream, foldAnthropicStream } from '../../helpers/anthropic-sse-grammar.js';
import { listRecordings, type Recording } from '../../helpers/reference.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';
import { invalidEvents } from '../../helpers/api-schema-kit.js';

type Json = Record<string, any>;

const PAIR = 'anthropic-to-openai-responses';
const mappingsDir = process.env.MAPPINGS_DIR ? path.resolve(process.env.MAPPINGS_DIR) : path.join(REPO_ROOT, 'mappings');
const recordings = listRecordings('openai-responses').filter((r) => r.kind === 'stream');
const FINAL_TYPES = new Set(['response.completed', 'response.incomplete']);

let set: MappingSet;
let pair: CompiledPair;
let validateEvent: ValidateFunction;

beforeAll(async () => {
  const result = await loadMappingSet({ mappingsDir, schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!result.set) throw new Error(`the mappings do not load:\n${result.problems.map(formatProblem).join('\n')}`);
  set = result.set;
  const found = set.pairs.find((p) => p.name === PAIR);
  if (!found?.stream) throw new Error(`${PAIR} has no stream rules`);
  pair = found;
  const validator = set.schemas.validator('anthropic-messages', 'stream-event');
  if (!validator) throw new Error('no anthropic-messages stream-event schema');
  validateEvent = validator;
});

/**
 * A plausible Anthropic request for a recording: one client tool per tool name the upstream
 * called, and thinking enabled or not (recordings with reasoning run both ways).
 */
function requestFor(recording: Recording, thinking: boolean): Json {
  const names = new Set<string>();
  for (const event of recording.events as Json[]) {
    const item = event?.item;
    if (item && (item.type === 'function_call' || item.type === 'custom_tool_call') && typeof item.name === 'string') names.add(item.name);
  }
  const request: Json = {
    model: 'claude-sonnet-4-5',
    max_tokens: 4096,
    stream: true,
    messages: [{ role: 'user', content: 'Hello' }],
  };
  if (names.size > 0) {
    request.tools = [...names].map((name) => ({ name, description: `The ${name} tool.`, input_schema: { type: 'object', properties: {} } }));
  }
  if (thinking) request.thinking = { type: 'enabled', budget_tokens: 2048 };
  return request;
}

/**
 * A thinking signature in comparable form. The gateway's envelope ("rosetta.v1." + base64 of
 * {id, encrypted_content}) is compared by the reasoning id only: OpenAI encrypts the reasoning
 * afresh each time it serialises an item, so the encrypted_content in output_item.done (which the
 * stream must use, before the block closes) differs byte for byte from the one in the final
 * response.completed (which the non-streaming side uses), though both carry the same reasoning.
 */
function signatureOf(signature: string): unknown {
  if (!signature.startsWith('rosetta.v1.')) return signature;
  const envelope = JSON.parse(Buffer.from(signature.slice('rosetta.v1.'.length), 'base64').toString('utf8'));
  return { envelope_of: envelope.id, encrypted: typeof envelope.encrypted_content === 'string' && envelope.encrypted_content !== '' };
}

/** The parts of a message a streaming client can know: everything but what only arrives non-streamed. */
function comparable(message: Json): Json {
  const usage = message.usage ?? {};
  return {
    id: message.id,
    type: message.type,
    role: message.role,
    model: message.model,
    content: (message.content as Json[]).map((block) => (block.type === 'thinking' ? { ...block, signature: signatureOf(block.signature) } : block)),
    stop_reason: message.stop_reason,
    stop_sequence: message.stop_sequence ?? null,
    stop_details: message.stop_details,
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_creation: usage.cache_creation,
      server_tool_use: usage.server_tool_use ?? null,
      // The tier the upstream announced at the start; both recorded values map to "standard".
      service_tier: usage.service_tier,
    },
  };
}

describe(`${PAIR} stream rules over every recorded Responses stream`, () => {
  it('finds the recorded streams', () => {
    expect(recordings.length).toBeGreaterThan(10);
  });

  const cases = recordings.flatMap((recording) => {
    const reasons = (recording.events as Json[]).some((e) => e?.item?.type === 'reasoning');
    return reasons
      ? [{ recording, thinking: true, name: `${recording.name} (thinking enabled)` }, { recording, thinking: false, name: `${recording.name} (thinking not enabled)` }]
      : [{ recording, thinking: false, name: recording.name }];
  });

  for (const { recording, thinking, name } of cases) {
    describe(name, () => {
      const upstreamEvents = recording.events as Json[];
      const request = requestFor(recording, thinking);
      const final = upstreamEvents.find((e) => FINAL_TYPES.has(e?.type));
      const fails = upstreamEvents.some((e) => e?.type === 'error' || e?.type === 'response.failed');
      let emitted: Json[];
      let finished: boolean;

      beforeAll(async () => {
        const result = await runStream(pair.stream!, upstreamEvents, request);
        emitted = result.emitted as Json[];
        finished = result.finished;
      });

      it('follows the Anthropic event grammar', () => {
        const violations = checkAnthropicStream(emitted.map((e) => ({ event: e.type, data: e })));
        expect(violations).toEqual([]);
        expect(finished).toBe(true);
      });

      it('emits only events valid against the Anthropic stream-event schema', () => {
        expect(invalidEvents(validateEvent, emitted)).toEqual([]);
      });

      if (final) {
        it('folds into the same message as the non-streaming answer', async () => {
          const streamed = foldAnthropicStream(emitted);
          expect(streamed).toBeDefined();
          const direct = await pair.translator.response(final.response, request);
          expect(comparable(streamed!)).toEqual(comparable(direct));
        });
      }

      if (fails) {
        it('ends with exactly one error event', () => {
          expect(emitted.filter((e) => e.type === 'error')).toHaveLength(1);
          expect(emitted.at(-1)?.type).toBe('error');
        });
      }
    });
  }
});

/** The answer text parts of a final response, in order. */
function textParts(response: Json): string[] {
  return ((response.output ?? []) as Json[])
    .filter((item) => item.type === 'message')
    .flatMap((item) => (item.content as Json[]).filter((part) => part.type === 'output_text').map((part) => part.text as string));
}

/**
 * Interleaves the events of the recording's output items round-robin (each item's own events
 * keep their order), as an upstream that streamed its items in parallel would.
 */
function interleaved(events: Json[]): Json[] {
  const head = events.filter((e) => e.output_index === undefined && !FINAL_TYPES.has(e.type));
  const tail = events.filter((e) => FINAL_TYPES.has(e.type));
  const byItem = new Map<number, Json[]>();
  for (const e of events) if (typeof e.output_index === 'number') byItem.set(e.output_index, [...(byItem.get(e.output_index) ?? []), e]);
  const queues = [...byItem.values()];
  const mixed: Json[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) mixed.push(q.shift()!);
  return [...head, ...mixed, ...tail];
}

describe(`${PAIR} stream rules: stop sequences cut the same text as the non-streaming side`, () => {
  const withText = recordings.filter((r) => {
    const final = (r.events as Json[]).find((e) => FINAL_TYPES.has(e?.type));
    return final && textParts(final.response).some((t) => t.length >= 12);
  });

  for (const recording of withText) {
    const upstreamEvents = recording.events as Json[];
    const final = upstreamEvents.find((e) => FINAL_TYPES.has(e.type))!;
    const longest = textParts(final.response).reduce((a, b) => (b.length > a.length ? b : a));
    const at = Math.floor(longest.length * 0.6);
    const stop = longest.slice(at, at + Math.min(8, Math.floor(longest.length / 3)));
    // A decoy that starts like the stop sequence, so text is held back and released on the way.
    const decoy = `${stop.slice(0, 2)}\u00a7\u00a7`;

    it(`${recording.name}: a stop sequence written mid-answer`, async () => {
      const request = { ...requestFor(recording, false), stop_sequences: [decoy, stop] };
      const { emitted, finished } = await runStream(pair.stream!, upstreamEvents, request);
      expect(checkAnthropicStream((emitted as Json[]).map((e) => ({ event: e.type, data: e })))).toEqual([]);
      expect(finished).toBe(true);
      const streamed = comparable(foldAnthropicStream(emitted as Json[])!);
      const direct = comparable(await pair.translator.response(final.response, request));
      expect(direct.stop_reason).toBe('stop_sequence');
      expect({ content: streamed.content, stop_reason: streamed.stop_reason, stop_sequence: streamed.stop_sequence }).toEqual({
        content: direct.content,
        stop_reason: direct.stop_reason,
        stop_sequence: direct.stop_sequence,
      });
    });

    it(`${recording.name}: a stop sequence that is only begun`, async () => {
      const request = { ...requestFor(recording, false), stop_sequences: [decoy] };
      const { emitted } = await runStream(pair.stream!, upstreamEvents, request);
      expect(comparable(foldAnthropicStream(emitted as Json[])!)).toEqual(comparable(await pair.translator.response(final.response, request)));
    });
  }
});

describe(`${PAIR} stream rules: output items interleaved by the upstream still give ordered blocks`, () => {
  const multi = recordings.filter((r) => {
    const items = new Set((r.events as Json[]).map((e) => e?.output_index).filter((i) => typeof i === 'number'));
    return items.size >= 2 && (r.events as Json[]).some((e) => FINAL_TYPES.has(e?.type));
  });

  it('finds recordings with several output items', () => {
    expect(multi.length).toBeGreaterThan(3);
  });

  for (const recording of multi) {
    it(`${recording.name}: round-robin interleaving folds into the same message`, async () => {
      const events = interleaved(recording.events as Json[]);
      const request = requestFor(recording, true);
      const { emitted, finished } = await runStream(pair.stream!, events, request);
      expect(checkAnthropicStream((emitted as Json[]).map((e) => ({ event: e.type, data: e })))).toEqual([]);
      expect(finished).toBe(true);
      const final = events.find((e) => FINAL_TYPES.has(e.type))!;
      expect(comparable(foldAnthropicStream(emitted as Json[])!)).toEqual(comparable(await pair.translator.response(final.response, request)));
    });
  }
});

describe(`${PAIR} stream rules: the rule table and the queue's handler table agree`, () => {
  it('every queued event type is released to the same handler its rule uses', () => {
    const dir = path.join(mappingsDir, PAIR);
    const stream = YAML.parse(fs.readFileSync(path.join(dir, 'stream.yaml'), 'utf8')).stream;
    const functions = YAML.parse(fs.readFileSync(path.join(dir, 'functions-stream.yaml'), 'utf8')).functions;
    const table = Object.fromEntries(
      [...String(functions.sseHandlerOf.body).matchAll(/"([a-z_.]+)":\s*\$(sseOn[A-Za-z]+)/g)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(table).length).toBeGreaterThan(5);
    for (const [type, handler] of Object.entries(table)) {
      const rule = stream.events[type];
      expect(rule, `${type} is in sseHandlerOf but has no rule`).toBeDefined();
      expect(String(rule.emit)).toContain(`$${handler})`);
    }
  });
});

describe(`${PAIR} stream rules: failures outside the upstream's events`, () => {
  const request = { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] };

  it.each([
    ['timeout', 'timeout_error'],
    ['overloaded', 'overloaded_error'],
    ['upstream', 'api_error'],
    ['internal', 'api_error'],
  ])('a %s failure mid-stream becomes one %s event', async (category, type) => {
    const program = pair.stream!;
    let state = await program.init(request);
    const created = recordings[0].events![0] as Json;
    state = (await program.step(created.type, created, state, request))!.state;
    const step = await program.onError({ status: 504, category, code: 'GW_ERR_TEST', message: 'the stream failed' }, state, request);
    expect(step.emit).toEqual([{ type: 'error', error: { type, message: 'the stream failed' } }]);
    expect(step.finish).toBe(true);
  });

  it('a stream cut before its final event ends with an api_error and no made-up block stop', async () => {
    const recording = recordings.find((r) => r.name.includes('azure-text'))!;
    const events = (recording.events as Json[]).filter((e) => e.type !== 'response.completed' && e.type !== 'response.output_text.done' && e.type !== 'response.content_part.done' && e.type !== 'response.output_item.done');
    const { emitted } = await runStream(pair.stream!, events, request);
    const tail = (emitted as Json[]).slice(-2);
    expect(tail[0].type).toBe('content_block_delta');
    expect(tail[1]).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream stream ended before it was complete' } });
    expect(checkAnthropicStream((emitted as Json[]).map((e) => ({ event: e.type, data: e })))).toEqual([]);
  });
});
