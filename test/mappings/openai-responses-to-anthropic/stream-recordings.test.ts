/**
 * Every recorded Anthropic Messages stream, run through the stream rules of
 * openai-responses-to-anthropic, gives a stream an OpenAI Responses client accepts, and the
 * response it ends with equals the non-streaming answer for the same upstream message.
 *
 * For each recording (listRecordings('anthropic-messages'), kind 'stream'):
 *   - the emitted events follow the Responses event grammar (checkResponsesStream: no violations);
 *   - every event validates against schemas/openai-responses/stream-event.json;
 *   - the final response.completed / response.incomplete carries the same Response as
 *     `translator.response(<the message the stream folds into>, request)`;
 *   - a stream that fails ends with an error event (and response.failed once it had started).
 *
 * The request is a plausible Responses request: model gpt-5 and one function tool per tool name
 * the upstream called; recordings with thinking run with and without reasoning summaries.
 * `MAPPINGS_DIR` may point the test at a copy of the mappings.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { formatProblem } from '../../../engine/spec/yaml-file.js';
import { runStream } from '../../../engine/translate/stream-program.js';
import { foldAnthropicStream } from '../../helpers/anthropic-sse-grammar.js';
import { checkResponsesStream } from '../../helpers/responses-sse-grammar.js';
import { listRecordings, type Recording } from '../../helpers/reference.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';
import { invalidEvents } from '../../helpers/api-schema-kit.js';

type Json = Record<string, any>;

const PAIR = 'openai-responses-to-anthropic';
const mappingsDir = process.env.MAPPINGS_DIR ? path.resolve(process.env.MAPPINGS_DIR) : path.join(REPO_ROOT, 'mappings');
const recordings = listRecordings('anthropic-messages').filter((r) => r.kind === 'stream');

let pair: CompiledPair;
let validateEvent: ValidateFunction;
let validateResponse: ValidateFunction;

beforeAll(async () => {
  const result = await loadMappingSet({ mappingsDir, schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!result.set) throw new Error(`the mappings do not load:\n${result.problems.map(formatProblem).join('\n')}`);
  const found = result.set.pairs.find((p) => p.name === PAIR);
  if (!found?.stream) throw new Error(`${PAIR} has no stream rules`);
  pair = found;
  validateEvent = result.set.schemas.validator('openai-responses', 'stream-event')!;
  validateResponse = result.set.schemas.validator('openai-responses', 'response')!;
});

/** A plausible Responses request for a recording: a function tool per tool the upstream called. */
function requestFor(recording: Recording, summary: boolean, customTools = false): Json {
  const names = new Set<string>();
  for (const event of recording.events as Json[]) {
    const block = event?.content_block;
    if (block?.type === 'tool_use' && typeof block.name === 'string') names.add(block.name);
  }
  const request: Json = { model: 'gpt-5', stream: true, input: [{ role: 'user', content: 'Hello' }] };
  if (names.size > 0) {
    request.tools = [...names].map((name) =>
      customTools ? { type: 'custom', name } : { type: 'function', name, description: `The ${name} tool.`, parameters: { type: 'object', properties: {} }, strict: false },
    );
  }
  if (summary) request.reasoning = { effort: 'medium', summary: 'auto' };
  return request;
}

/** A Response with function arguments parsed: streamed arguments keep Anthropic's spacing. */
function comparable(response: Json): Json {
  return {
    ...response,
    output: (response.output as Json[]).map((item) => (item.type === 'function_call' ? { ...item, arguments: JSON.parse(item.arguments) } : item)),
  };
}

describe(`${PAIR} stream rules over every recorded Anthropic stream`, () => {
  it('finds the recorded streams', () => {
    expect(recordings.length).toBeGreaterThan(10);
  });

  const cases = recordings.flatMap((recording) => {
    const thinks = (recording.events as Json[]).some((e) => e?.content_block?.type === 'thinking');
    const calls = (recording.events as Json[]).some((e) => e?.content_block?.type === 'tool_use');
    return [
      { recording, summary: false, custom: false, name: recording.name },
      ...(thinks ? [{ recording, summary: true, custom: false, name: `${recording.name} (reasoning summary)` }] : []),
      ...(calls ? [{ recording, summary: false, custom: true, name: `${recording.name} (custom tools)` }] : []),
    ];
  });

  for (const { recording, summary, custom, name } of cases) {
    describe(name, () => {
      const upstreamEvents = recording.events as Json[];
      const request = requestFor(recording, summary, custom);
      const completes = upstreamEvents.some((e) => e?.type === 'message_stop');
      let emitted: Json[];
      let finished: boolean;

      beforeAll(async () => {
        const result = await runStream(pair.stream!, upstreamEvents, request);
        emitted = result.emitted as Json[];
        finished = result.finished;
      });

      it('follows the Responses event grammar', () => {
        expect(checkResponsesStream(emitted)).toEqual([]);
        expect(finished).toBe(true);
      });

      it('emits only events valid against the Responses stream-event schema', () => {
        expect(invalidEvents(validateEvent, emitted)).toEqual([]);
      });

      if (completes) {
        it('ends with the same Response as the non-streaming answer', async () => {
          const final = emitted.at(-1)!;
          expect(['response.completed', 'response.incomplete']).toContain(final.type);
          const direct = await pair.translator.response(foldAnthropicStream(upstreamEvents)!, request);
          expect(validateResponse(direct), JSON.stringify(validateResponse.errors)).toBe(true);
          expect(comparable(final.response)).toEqual(comparable(direct));
        });
      } else {
        it('ends with an error event, then response.failed', () => {
          const types = emitted.map((e) => e.type);
          expect(types.filter((t) => t === 'error')).toHaveLength(1);
          expect(types.slice(-2)).toEqual(['error', 'response.failed']);
        });
      }
    });
  }
});

describe(`${PAIR} stream rules: failures`, () => {
  const request = { model: 'gpt-5', stream: true, input: 'Hi' };
  const start = { type: 'message_start', message: { id: 'msg_01Fail', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } };
  const textStart = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
  const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Par' } };

  it('an Anthropic error event mid-answer becomes an error event and response.failed, classified as without streaming', async () => {
    const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const { emitted, finished } = await runStream(pair.stream!, [start, textStart, delta, overloaded], request);
    expect(finished).toBe(true);
    expect(checkResponsesStream(emitted as Json[])).toEqual([]);
    const [error, failed] = (emitted as Json[]).slice(-2);
    expect(error.error).toEqual({ type: 'service_unavailable_error', code: 'server_is_overloaded', message: 'Upstream error (overloaded_error): Overloaded', param: null });
    expect(failed.response).toMatchObject({ id: 'resp_01Fail', status: 'failed', error: { code: 'server_is_overloaded' }, output: [] });
  });

  it('a stream cut before message_stop ends with an error, never a made-up completion', async () => {
    const { emitted, finished } = await runStream(pair.stream!, [start, textStart, delta], request);
    expect(finished).toBe(false);
    const types = (emitted as Json[]).map((e) => e.type);
    expect(types).not.toContain('response.completed');
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(checkResponsesStream(emitted as Json[])).toEqual([]);
  });

  it('an error before message_start is a lone error event', async () => {
    const { emitted } = await runStream(pair.stream!, [{ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } }], request);
    expect(emitted).toEqual([{ type: 'error', sequence_number: 0, error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Upstream error (rate_limit_error): Slow down', param: null } }]);
  });

  it.each([
    ['timeout', 'server_error', 'timeout'],
    ['overloaded', 'service_unavailable_error', 'server_is_overloaded'],
    ['upstream', 'server_error', 'server_error'],
  ])('a %s failure inside the gateway becomes an error event of type %s', async (category, type, code) => {
    const program = pair.stream!;
    let state = await program.init(request);
    state = (await program.step('message_start', start, state, request))!.state;
    const step = await program.onError({ status: 504, category, code: 'GW_ERR_TEST', message: 'the stream failed' }, state, request);
    expect(step.finish).toBe(true);
    expect(step.emit.map((e: any) => e.type)).toEqual(['error', 'response.failed']);
    expect((step.emit[0] as Json).error).toMatchObject({ type, code, message: 'the stream failed' });
    expect((step.emit as Json[]).map((e) => e.sequence_number)).toEqual([2, 3]);
  });
});

describe(`${PAIR} stream rules: a text block that starts with text`, () => {
  it('sends that text as the first delta, so the deltas add up to the whole text', async () => {
    const request = { model: 'gpt-5', stream: true, input: 'Hi' };
    const events = [
      { type: 'message_start', message: { id: 'msg_01X', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ];
    const { emitted } = await runStream(pair.stream!, events, request);
    expect(checkResponsesStream(emitted as Json[])).toEqual([]);
    expect((emitted as Json[]).filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Hel', 'lo']);
    expect((emitted as Json[]).at(-1)!.response.output[0].content[0].text).toBe('Hello');
  });
});

describe('the Responses grammar checker accepts real OpenAI streams and rejects broken ones', () => {
  const real = listRecordings('openai-responses').filter(
    (r) => r.kind === 'stream' && /azure-text|azure-tool-call|reasoning-encrypted-content|openai-error|test_openai_responses_stream/.test(r.name),
  );

  it('finds the recorded OpenAI streams', () => {
    expect(real.length).toBeGreaterThanOrEqual(5);
  });

  for (const recording of real) {
    it(`${recording.name} is valid`, () => {
      const numbered = (recording.events as Json[]).every((e) => typeof e.sequence_number === 'number');
      expect(checkResponsesStream(recording.events as Json[], { sequenceNumbers: numbered })).toEqual([]);
    });
  }

  it('rejects a gap in sequence_number, an out-of-order item and a text that differs from its deltas', () => {
    const events = structuredClone(real.find((r) => r.name.includes('azure-text'))!.events as Json[]);
    const gap = events.map((e, i) => (i > 3 ? { ...e, sequence_number: e.sequence_number + 1 } : e));
    expect(checkResponsesStream(gap).join('\n')).toMatch(/sequence_number/);
    const wrongText = events.map((e) => (e.type === 'response.output_text.done' ? { ...e, text: `${e.text}!` } : e));
    expect(checkResponsesStream(wrongText).join('\n')).toMatch(/differs from its deltas/);
    const noEnd = events.filter((e) => e.type !== 'response.completed');
    expect(checkResponsesStream(noEnd).join('\n')).toMatch(/without a final event/);
  });
});
