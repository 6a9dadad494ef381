/**
 * JSON Schemas for the OpenAI Responses API (schemas/openai-responses/*.json).
 *
 * Recordings are reality: every recorded request body, response body, stream event and error
 * body in the shared reference folder must validate. Table-driven negative cases pin down what
 * the schemas reject, with the expected instancePath. A few coverage checks compare the schemas
 * with the OpenAPI spec (every CreateResponse property, every ResponseStreamEvent member) and with
 * events.md.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { apiSchemaKit, SCHEMA_FILES, type SchemaName } from '../../helpers/api-schema-kit.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const referenceDir = path.resolve(repoRoot, '..', 'shared', 'reference');
const schemaDir = path.join(repoRoot, 'schemas', 'openai-responses');
const recordingsDir = path.join(referenceDir, 'recordings', 'openai-responses');

// ---------------------------------------------------------------------------
// Schemas

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

const { schemaDocs, errorsOf, describeErrors, expectValid } = apiSchemaKit('openai-responses');

// ---------------------------------------------------------------------------
// Reference data

interface Sample {
  name: string;
  data: unknown;
}

interface StreamSample {
  name: string;
  /** SSE `event:` names, where the recording keeps them (pydantic-ai raw SSE). */
  eventNames?: (string | undefined)[];
  events: unknown[];
}

interface CassetteInteraction {
  request?: { method?: string; uri?: string; parsed_body?: unknown };
  response?: { status?: { code?: number }; parsed_body?: unknown; body?: { string?: unknown } };
}

function listFiles(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

/** Minimal SSE splitter: frames separated by blank lines, `event:` and `data:` fields. */
function parseSse(text: string): { event?: string; data: string }[] {
  const frames: { event?: string; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return frames;
}

function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'error' in body && !('object' in body) && !('id' in body);
}

const requests: Sample[] = [];
const responses: Sample[] = [];
const streams: StreamSample[] = [];
const errorBodies: Sample[] = [];
const skipped: string[] = [];

// vercel-ai: *.json = non-streaming response or HTTP error body, *.chunks.txt = one event per line
{
  const dir = path.join(recordingsDir, 'vercel-ai');
  for (const f of listFiles(dir, '.json')) {
    const body = readJson(path.join(dir, f));
    (isErrorBody(body) ? errorBodies : responses).push({ name: `vercel-ai/${f}`, data: body });
  }
  for (const f of listFiles(dir, '.chunks.txt')) {
    const lines = fs
      .readFileSync(path.join(dir, f), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    streams.push({ name: `vercel-ai/${f}`, events: lines.map((l) => JSON.parse(l) as unknown) });
  }
}

// pydantic-ai VCR cassettes: real request bodies + JSON responses / raw SSE / error bodies
{
  const dir = path.join(recordingsDir, 'pydantic-ai');
  for (const f of listFiles(dir, '.yaml')) {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { interactions?: CassetteInteraction[] };
    (doc.interactions ?? []).forEach((it, i) => {
      const name = `pydantic-ai/${f}#${i}`;
      const uri = new URL(String(it.request?.uri ?? 'http://invalid/'));
      if (it.request?.method !== 'POST' || uri.pathname !== '/v1/responses') {
        // e.g. POST /v1/responses/input_tokens: a different endpoint with its own body schema
        skipped.push(`${name} (${it.request?.method} ${uri.pathname})`);
        return;
      }
      requests.push({ name, data: it.request.parsed_body });
      const status = it.response?.status?.code ?? 0;
      const parsed = it.response?.parsed_body;
      const raw = it.response?.body?.string;
      if (status >= 400) errorBodies.push({ name, data: parsed ?? JSON.parse(String(raw)) });
      else if (parsed !== undefined) responses.push({ name, data: parsed });
      else if (typeof raw === 'string') {
        const frames = parseSse(raw);
        streams.push({ name, eventNames: frames.map((fr) => fr.event), events: frames.map((fr) => JSON.parse(fr.data) as unknown) });
      }
    });
  }
}

// Codex CLI captures: the request bodies it sends to POST /v1/responses
{
  const dir = path.join(referenceDir, 'clients', 'codex');
  for (const scenario of fs.readdirSync(dir).sort()) {
    const sdir = path.join(dir, scenario);
    if (!fs.statSync(sdir).isDirectory()) continue;
    for (const f of listFiles(sdir, '.json').filter((x) => /^\d{3}-POST-v1_responses\.json$/.test(x))) {
      const capture = readJson(path.join(sdir, f)) as { body?: unknown };
      requests.push({ name: `codex/${scenario}/${f}`, data: capture.body });
    }
  }
}

// The same HTTP error body format, recorded on Chat Completions
errorBodies.push({
  name: 'openai-chat-completions/vercel-ai/reasoning-model-legacy-parameter-error.json',
  data: readJson(path.join(referenceDir, 'recordings', 'openai-chat-completions', 'vercel-ai', 'reasoning-model-legacy-parameter-error.json')),
});

/**
 * Known deviations, each asserted rather than skipped:
 * - requests the real API answered 4xx must be rejected, at the parameter the API named;
 * - pydantic-ai cassettes whose response was written by hand (ids like resp_1234, status "complete",
 *   which the API never sends) must differ only in `status`;
 * - streams recorded before the API added sequence_number (March 2025) and one hand-made vercel-ai
 *   fixture must differ only in the missing sequence_number.
 */
const rejectedRequests = new Map<string, string>(
  errorBodies.flatMap((e) => {
    const param = ((e.data as Json).error as Json | undefined)?.param;
    return e.name.startsWith('pydantic-ai/') && typeof param === 'string' ? [[e.name, param] as [string, string]] : [];
  }),
);
const CONSTRUCTED_RESPONSES: Record<string, string> = {
  'pydantic-ai/test_openai_previous_response_id.yaml#0': 'hand-made, status "complete"',
  'pydantic-ai/test_openai_previous_response_id.yaml#1': 'hand-made, status "complete"',
  'pydantic-ai/test_openai_responses_verbosity.yaml#0': 'hand-made, status "complete"',
};
const WITHOUT_SEQUENCE_NUMBER: Record<string, string> = {
  'pydantic-ai/test_openai_responses_stream.yaml#0': 'recorded 2025-03-27, before sequence_number existed',
  'pydantic-ai/test_openai_responses_stream.yaml#1': 'recorded 2025-03-27, before sequence_number existed',
  'vercel-ai/openai-custom-tool.1.chunks.txt': 'hand-made fixture (ids like ct_abc123def456)',
};

/** Response objects embedded in lifecycle events (response.created, .in_progress, .completed, ...). */
const embeddedResponses: Sample[] = streams.flatMap((s) =>
  s.events.flatMap((e, i) => {
    const ev = e as Json;
    return typeof ev.type === 'string' && ev.type.startsWith('response.') && typeof ev.response === 'object' && ev.response !== null
      ? [{ name: `${s.name} event ${i} (${ev.type})`, data: ev.response }]
      : [];
  }),
);

const allEvents = streams.flatMap((s) => s.events.map((e, i) => ({ stream: s.name, index: i, event: e as Json })));

// ---------------------------------------------------------------------------
// The spec (for coverage checks)

const spec = YAML.parse(fs.readFileSync(path.join(referenceDir, 'openai', 'openapi.yaml'), 'utf8')) as {
  components: { schemas: Record<string, Json> };
};
const specSchemas = spec.components.schemas;

function specRef(s: unknown): Json {
  let cur = s as Json;
  while (typeof cur.$ref === 'string') cur = specSchemas[cur.$ref.split('/').pop() as string];
  return cur;
}

/** Property names of a spec object schema, following allOf. */
function specProperties(s: unknown): string[] {
  const cur = specRef(s);
  const own = Object.keys((cur.properties as Json | undefined) ?? {});
  const inherited = ((cur.allOf as unknown[] | undefined) ?? []).flatMap((p) => specProperties(p));
  return [...new Set([...own, ...inherited])];
}

function specEventTypes(): string[] {
  const union = specSchemas.ResponseStreamEvent.anyOf as unknown[];
  return union.map((m) => {
    const t = (specRef(m).properties as Json).type as Json;
    return (t.const as string | undefined) ?? (t.enum as string[])[0];
  });
}

const schemaEventTypes = ((schemaDocs['stream-event'].properties as Json).type as { enum: string[] }).enum;

// ---------------------------------------------------------------------------
// Recordings validate

describe('openai-responses schemas: recordings validate', () => {
  it('found the reference data', () => {
    expect(requests.length).toBeGreaterThanOrEqual(40);
    expect(responses.length).toBeGreaterThanOrEqual(40);
    expect(streams.length).toBeGreaterThanOrEqual(15);
    expect(allEvents.length).toBeGreaterThanOrEqual(1000);
    expect(embeddedResponses.length).toBeGreaterThanOrEqual(40);
    expect(errorBodies.length).toBeGreaterThanOrEqual(4);
    // Only the /v1/responses/input_tokens calls are left out.
    expect(skipped.every((s) => s.includes('/v1/responses/input_tokens'))).toBe(true);
    // the known-deviation lists point at existing recordings
    expect(rejectedRequests.size).toBeGreaterThanOrEqual(1);
    for (const n of Object.keys(CONSTRUCTED_RESPONSES)) expect(responses.some((s) => s.name === n), n).toBe(true);
    for (const n of Object.keys(WITHOUT_SEQUENCE_NUMBER)) expect(streams.some((s) => s.name === n), n).toBe(true);
  });

  describe('request.json accepts every real request body the API answered 2xx', () => {
    it.each(requests.filter((s) => !rejectedRequests.has(s.name)).map((s) => [s.name, s.data] as const))('%s', (name, data) =>
      expectValid('request', data, name),
    );
  });

  describe('request.json rejects the recorded requests the API answered 4xx, at the param the API named', () => {
    it.each([...rejectedRequests].map(([name, param]) => [name, param] as const))('%s (param %s)', (name, param) => {
      const body = requests.find((s) => s.name === name)?.data;
      const errors = errorsOf('request', body);
      expect(errors.some((e) => e.instancePath === `/${param}`), describeErrors(errors)).toBe(true);
    });
  });

  describe('response.json accepts every recorded non-streaming response', () => {
    it.each(responses.filter((s) => !(s.name in CONSTRUCTED_RESPONSES)).map((s) => [s.name, s.data] as const))('%s', (name, data) =>
      expectValid('response', data, name),
    );
  });

  describe('hand-made cassette responses differ from the API only where expected', () => {
    it.each(Object.entries(CONSTRUCTED_RESPONSES))('%s: %s', (name) => {
      const body = responses.find((s) => s.name === name)?.data as Json;
      expect(body, name).toBeDefined();
      const errors = errorsOf('response', body);
      expect(errors.filter((e) => e.instancePath !== '/status'), describeErrors(errors)).toEqual([]);
      expectValid('response', { ...body, status: 'completed' }, name);
    });
  });

  describe('response.json accepts the response inside every lifecycle event', () => {
    it.each(streams.map((s) => [s.name] as const))('%s', (name) => {
      for (const r of embeddedResponses.filter((x) => x.name.startsWith(`${name} `))) expectValid('response', r.data, r.name);
    });
  });

  describe('stream-event.json accepts every recorded stream event', () => {
    it.each(streams.map((s) => [s.name, s] as const))('%s', (_name, s) => {
      const legacy = s.name in WITHOUT_SEQUENCE_NUMBER;
      s.events.forEach((e, i) => {
        const ev = e as Json;
        if (legacy) {
          // the only deviation is the missing sequence_number: it is rejected as is, accepted once added
          expect(ev.sequence_number, `${s.name} event ${i}`).toBeUndefined();
          expect(errorsOf('stream-event', ev).some((x) => x.keyword === 'required' && x.params.missingProperty === 'sequence_number')).toBe(true);
          expectValid('stream-event', { ...ev, sequence_number: i }, `${s.name} event ${i} (+sequence_number)`);
        } else {
          expectValid('stream-event', ev, `${s.name} event ${i}`);
        }
      });
      // the SSE event name equals the JSON type
      s.eventNames?.forEach((n, i) => expect(n).toBe((s.events[i] as Json).type));
      // sequence numbers start at 0 and increase (openai-reasoning-encrypted-content.1 holds four
      // consecutive responses; openai-phase.1 was trimmed, so it has gaps)
      if (!legacy) {
        const seq = s.events.map((e) => (e as Json).sequence_number as number);
        seq.forEach((n, i) => expect(n === 0 || n > seq[i - 1], `${s.name} sequence_number at ${i}`).toBe(true));
      }
    });
  });

  describe('error.json accepts every recorded HTTP error body', () => {
    it.each(errorBodies.map((s) => [s.name, s.data] as const))('%s', (name, data) => expectValid('error', data, name));
  });

  it('the recorded in-stream error event has the nested shape (spec has it flat)', () => {
    const errs = allEvents.filter((e) => e.event.type === 'error');
    expect(errs.length).toBeGreaterThan(0);
    for (const e of errs) expect(typeof e.event.error).toBe('object');
  });
});

// ---------------------------------------------------------------------------
// Coverage against the spec and events.md

describe('openai-responses schemas: coverage', () => {
  it('request.json defines every CreateResponse property of the spec', () => {
    const mine = Object.keys(schemaDocs.request.properties as Json);
    const missing = specProperties(specSchemas.CreateResponse).filter((p) => !mine.includes(p));
    expect(missing).toEqual([]);
  });

  it('response.json defines every Response property of the spec', () => {
    const mine = Object.keys(schemaDocs.response.properties as Json);
    const missing = specProperties(specSchemas.Response).filter((p) => !mine.includes(p));
    expect(missing).toEqual([]);
  });

  it('stream-event.json covers every member of the spec union ResponseStreamEvent', () => {
    const types = specEventTypes();
    expect(types.length).toBeGreaterThanOrEqual(58);
    expect(types.filter((t) => !schemaEventTypes.includes(t))).toEqual([]);
  });

  it('stream-event.json covers every event type seen in the recordings', () => {
    const seen = [...new Set(allEvents.map((e) => e.event.type as string))];
    expect(seen.filter((t) => !schemaEventTypes.includes(t))).toEqual([]);
  });

  it('events.md lists exactly the event types of stream-event.json', () => {
    const md = fs.readFileSync(path.join(schemaDir, 'events.md'), 'utf8');
    const listed = [...md.matchAll(/^\|\s*`([a-z_.]+)`\s*\|/gm)].map((m) => m[1]);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...schemaEventTypes].sort());
  });

  it('events.md names, for each event type, recordings that really contain it', () => {
    const md = fs.readFileSync(path.join(schemaDir, 'events.md'), 'utf8');
    const typesIn = (prefix: string): Set<string> => {
      const t = new Set<string>();
      for (const s of streams) if (s.name.startsWith(prefix)) for (const e of s.events) t.add((e as Json).type as string);
      return t;
    };
    const seenAnywhere = typesIn('');
    for (const m of md.matchAll(/^\|\s*`([a-z_.]+)`\s*\|.*\|\s*([^|]*)\|\s*$/gm)) {
      const [, type, recordingCell] = m;
      const refs = [...recordingCell.matchAll(/\b([vp]):([\w.[\]-]+)/g)];
      if (refs.length === 0) {
        expect(seenAnywhere.has(type), `${type} is in the recordings but events.md says "—"`).toBe(false);
      }
      for (const [, src, file] of refs) {
        const prefix = `${src === 'v' ? 'vercel-ai' : 'pydantic-ai'}/${file}`;
        expect(typesIn(prefix).has(type), `${type} not found in ${prefix}`).toBe(true);
      }
    }
  });

  it('every schema declares draft 2020-12, its $id, a title and a description', () => {
    for (const n of SCHEMA_FILES) {
      const d = schemaDocs[n];
      expect(d.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(d.$id).toBe(`openai-responses/${n}`);
      expect(typeof d.title).toBe('string');
      expect(typeof d.description).toBe('string');
    }
  });
});

// ---------------------------------------------------------------------------
// Hand-written valid documents: features the recordings do not show

const fnTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const kitchenSinkRequest = {
  model: 'gpt-5',
  instructions: 'Be brief.',
  input: [
    { role: 'system', content: 'sys' },
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev' }] },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'look' },
        { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
        { type: 'input_image', file_id: 'file-abc', detail: 'high' },
        { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
        { type: 'input_file', file_url: 'https://example.com/a.pdf' },
      ],
    },
    {
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'thinking' }],
      encrypted_content: 'gAAAA',
      content: [{ type: 'reasoning_text', text: 'raw' }],
    },
    {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'hi', annotations: [] }],
    },
    { role: 'assistant', content: 'short assistant turn', phase: 'final_answer' },
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
    { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{}' },
    {
      type: 'function_call_output',
      call_id: 'call_2',
      output: [
        { type: 'input_text', text: 'see image' },
        { type: 'input_image', image_url: 'https://example.com/x.png', detail: 'low' },
        { type: 'input_file', file_id: 'file-xyz' },
      ],
    },
    { type: 'custom_tool_call', call_id: 'call_3', name: 'patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: 'call_3', output: 'ok' },
    { type: 'item_reference', id: 'msg_old' },
  ],
  tools: [
    fnTool,
    { type: 'custom', name: 'patch', description: 'free-form' },
    { type: 'web_search' },
    { type: 'file_search', vector_store_ids: ['vs_1'] },
    { type: 'code_interpreter', container: { type: 'auto' } },
    { type: 'image_generation' },
  ],
  tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }] },
  parallel_tool_calls: false,
  reasoning: { effort: 'xhigh', summary: 'detailed' },
  text: {
    format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' },
    verbosity: 'low',
  },
  include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
  max_output_tokens: 1024,
  temperature: 0.2,
  top_p: 0.9,
  top_logprobs: 3,
  user: 'u-1',
  safety_identifier: 'sid',
  prompt_cache_key: 'pck',
  metadata: { trace: 'x' },
  service_tier: 'flex',
  store: false,
  stream: true,
  stream_options: { include_obfuscation: false },
  truncation: 'auto',
  background: false,
  max_tool_calls: 5,
};

describe('openai-responses schemas: hand-written documents that must validate', () => {
  const cases: [string, SchemaName, unknown][] = [
    ['a request using most documented parameters and item types', 'request', kitchenSinkRequest],
    ['a plain string input', 'request', { model: 'gpt-4o', input: 'hello' }],
    [
      'an assistant replay with only role and output_text content (as vercel/ai and VS Code send it)',
      'request',
      { model: 'm', input: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'output_text', text: 'hello' }] }, { role: 'user', content: 'again' }] },
    ],
    ['an item_reference without type', 'request', { model: 'm', input: [{ id: 'msg_1' }] }],
    [
      'a developer message with an id (as the Codex CLI sends it)',
      'request',
      { model: 'm', input: [{ type: 'message', id: 'msg_1', role: 'developer', content: [{ type: 'input_text', text: 'x' }] }] },
    ],
    [
      'a reasoning item replayed with content null (as the Codex CLI sends it)',
      'request',
      { model: 'm', input: [{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 's' }], content: null, encrypted_content: 'e' }] },
    ],
    ['a function_call replayed with status null (as pydantic-ai sends it)', 'request', { model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}', status: null }] }],
    ['a namespace tool with nested function tools', 'request', { model: 'm', input: 'x', tools: [{ type: 'namespace', name: 'crm', description: 'CRM tools', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }] }] }],
    ['tool_choice "required"', 'request', { model: 'm', input: 'x', tools: [fnTool], tool_choice: 'required' }],
    ['tool_choice naming one function', 'request', { model: 'm', input: 'x', tools: [fnTool], tool_choice: { type: 'function', name: 'get_weather' } }],
    ['tool_choice forcing a hosted tool', 'request', { model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } }],
    ['text.format json_object', 'request', { model: 'm', input: 'x', text: { format: { type: 'json_object' } } }],
    ['reasoning.effort none with deprecated generate_summary', 'request', { model: 'm', input: 'x', reasoning: { effort: 'none', generate_summary: 'auto' } }],
    ['previous_response_id continuation', 'request', { model: 'm', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'c', output: '1' }] }],
    ['a prompt template reference', 'request', { prompt: { id: 'pmpt_1', version: '2', variables: { city: 'Paris' } } }],
    ['a conversation id', 'request', { model: 'm', input: 'x', conversation: 'conv_1' }],
    ['context_management compaction', 'request', { model: 'm', input: 'x', context_management: [{ type: 'compaction', compact_threshold: 20000 }] }],
    ['metadata with 16 keys', 'request', { model: 'm', input: 'x', metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])) }],
    ['a function tool name of exactly 64 characters', 'request', { model: 'm', input: 'x', tools: [{ ...fnTool, name: 'a'.repeat(64) }] }],
    [
      'an Azure-style response with extra fields (content_filters)',
      'response',
      {
        id: 'resp_1',
        object: 'response',
        created_at: 1,
        status: 'completed',
        model: 'gpt-5.1',
        output: [
          {
            type: 'message',
            id: 'msg_1',
            role: 'assistant',
            status: 'completed',
            phase: 'final_answer',
            content: [{ type: 'output_text', text: 'hi', annotations: [], logprobs: [], extra: 1 }],
            vendor_field: true,
          },
        ],
        content_filters: [{ blocked: false }],
        usage: {
          input_tokens: 1,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 1,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 2,
        },
      },
    ],
    [
      'an incomplete response',
      'response',
      { id: 'r', object: 'response', created_at: 1, model: 'gpt-5', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [], error: null },
    ],
    [
      'a failed response with error',
      'response',
      { id: 'r', object: 'response', created_at: 1, model: 'gpt-5', status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } },
    ],
    ['the spec\'s flat error event', 'stream-event', { type: 'error', code: 'ERR_SOMETHING', message: 'Something went wrong', param: null, sequence_number: 1 }],
    [
      'the recorded nested error event',
      'stream-event',
      { type: 'error', sequence_number: 2, error: { type: 'server_error', code: 'server_error', message: 'x', param: null } },
    ],
    ['a refusal delta', 'stream-event', { type: 'response.refusal.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'no', sequence_number: 3 }],
    [
      'a reasoning text delta',
      'stream-event',
      { type: 'response.reasoning_text.delta', item_id: 'rs_1', output_index: 0, content_index: 0, delta: 'hm', sequence_number: 4 },
    ],
    ['an error body with null param and code', 'error', { error: { message: 'm', type: 'server_error', param: null, code: null } }],
  ];
  it.each(cases)('%s', (name, schema, data) => expectValid(schema, data, name));
});

// ---------------------------------------------------------------------------
// Negative cases

interface Negative {
  name: string;
  schema: SchemaName;
  data: unknown;
  /** instancePath that must carry an error */
  at: string;
  /** the failing keyword at that path, when it matters */
  keyword?: string;
}

const baseRequest = { model: 'gpt-5', input: [{ role: 'user', content: 'hi' }] };
const req = (patch: Json): Json => ({ ...baseRequest, ...patch });
const withInput = (...items: unknown[]): Json => ({ ...baseRequest, input: items });

const baseResponse = (patch: Json = {}): Json => ({
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'gpt-5',
  output: [],
  ...patch,
});

const negatives: Negative[] = [
  // request: top level
  { name: 'an unknown top-level parameter is rejected', schema: 'request', data: req({ max_tokens: 10 }), at: '', keyword: 'additionalProperties' },
  { name: 'a Chat Completions style messages array is rejected', schema: 'request', data: req({ messages: [] }), at: '', keyword: 'additionalProperties' },
  { name: 'temperature above 2 is rejected', schema: 'request', data: req({ temperature: 2.5 }), at: '/temperature' },
  { name: 'top_p above 1 is rejected', schema: 'request', data: req({ top_p: 1.5 }), at: '/top_p' },
  { name: 'top_logprobs above 20 is rejected', schema: 'request', data: req({ top_logprobs: 21 }), at: '/top_logprobs' },
  { name: 'max_output_tokens below 16 is rejected', schema: 'request', data: req({ max_output_tokens: 8 }), at: '/max_output_tokens' },
  { name: 'a non-integer max_output_tokens is rejected', schema: 'request', data: req({ max_output_tokens: 100.5 }), at: '/max_output_tokens' },
  { name: 'an unknown service_tier is rejected', schema: 'request', data: req({ service_tier: 'turbo' }), at: '/service_tier' },
  { name: 'an unknown include value is rejected', schema: 'request', data: req({ include: ['reasoning.raw'] }), at: '/include/0' },
  { name: 'an unknown reasoning effort is rejected', schema: 'request', data: req({ reasoning: { effort: 'extreme' } }), at: '/reasoning/effort' },
  { name: 'an unknown reasoning summary mode is rejected', schema: 'request', data: req({ reasoning: { summary: 'verbose' } }), at: '/reasoning/summary' },
  { name: 'an unknown field in reasoning is rejected', schema: 'request', data: req({ reasoning: { budget_tokens: 1024 } }), at: '/reasoning', keyword: 'additionalProperties' },
  { name: 'an unknown truncation mode is rejected', schema: 'request', data: req({ truncation: 'middle' }), at: '/truncation' },
  { name: 'metadata with 17 keys is rejected', schema: 'request', data: req({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }), at: '/metadata', keyword: 'maxProperties' },
  { name: 'a metadata value longer than 512 characters is rejected', schema: 'request', data: req({ metadata: { k: 'x'.repeat(513) } }), at: '/metadata/k', keyword: 'maxLength' },
  { name: 'a non-string metadata value is rejected', schema: 'request', data: req({ metadata: { k: 1 } }), at: '/metadata/k', keyword: 'type' },
  { name: 'a metadata key longer than 64 characters is rejected', schema: 'request', data: req({ metadata: { ['k'.repeat(65)]: 'v' } }), at: '/metadata', keyword: 'propertyNames' },
  { name: 'stream as a string is rejected', schema: 'request', data: req({ stream: 'true' }), at: '/stream' },
  { name: 'an unknown field in stream_options is rejected', schema: 'request', data: req({ stream_options: { include_usage: true } }), at: '/stream_options', keyword: 'additionalProperties' },
  // request: text
  { name: 'an unknown text.format type is rejected', schema: 'request', data: req({ text: { format: { type: 'xml' } } }), at: '/text/format/type' },
  { name: 'a json_schema text.format without name is rejected', schema: 'request', data: req({ text: { format: { type: 'json_schema', schema: {} } } }), at: '/text/format', keyword: 'required' },
  { name: 'a json_schema text.format without schema is rejected', schema: 'request', data: req({ text: { format: { type: 'json_schema', name: 'x' } } }), at: '/text/format', keyword: 'required' },
  { name: 'an unknown text.verbosity is rejected', schema: 'request', data: req({ text: { verbosity: 'chatty' } }), at: '/text/verbosity' },
  // request: tools
  { name: 'a function tool name longer than 64 characters is rejected at /tools/0/name', schema: 'request', data: req({ tools: [{ ...fnTool, name: 'a'.repeat(65) }] }), at: '/tools/0/name', keyword: 'maxLength' },
  { name: 'a function tool name with a dot is rejected', schema: 'request', data: req({ tools: [{ ...fnTool, name: 'ns.get_weather' }] }), at: '/tools/0/name', keyword: 'pattern' },
  { name: 'an empty function tool name is rejected', schema: 'request', data: req({ tools: [{ ...fnTool, name: '' }] }), at: '/tools/0/name' },
  { name: 'a function tool without name is rejected', schema: 'request', data: req({ tools: [{ type: 'function', parameters: {} }] }), at: '/tools/0', keyword: 'required' },
  { name: 'a Chat Completions style nested function tool is rejected', schema: 'request', data: req({ tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }), at: '/tools/0', keyword: 'additionalProperties' },
  { name: 'an Anthropic style input_schema on a function tool is rejected', schema: 'request', data: req({ tools: [{ ...fnTool, input_schema: {} }] }), at: '/tools/0', keyword: 'additionalProperties' },
  { name: 'an unknown tool type is rejected', schema: 'request', data: req({ tools: [{ type: 'bash_20250124', name: 'bash' }] }), at: '/tools/0/type' },
  { name: 'function parameters that are not an object are rejected', schema: 'request', data: req({ tools: [{ ...fnTool, parameters: 'x' }] }), at: '/tools/0/parameters' },
  // request: tool_choice
  { name: 'an unknown tool_choice mode is rejected', schema: 'request', data: req({ tool_choice: 'any' }), at: '/tool_choice' },
  { name: 'a function tool_choice without name is rejected', schema: 'request', data: req({ tool_choice: { type: 'function' } }), at: '/tool_choice', keyword: 'required' },
  { name: 'an Anthropic style tool_choice {type:"tool"} is rejected', schema: 'request', data: req({ tool_choice: { type: 'tool', name: 'f' } }), at: '/tool_choice/type' },
  { name: 'an allowed_tools tool_choice with an unknown mode is rejected', schema: 'request', data: req({ tool_choice: { type: 'allowed_tools', mode: 'any', tools: [] } }), at: '/tool_choice/mode' },
  // request: input items
  { name: 'an input message with role tool is rejected', schema: 'request', data: withInput({ role: 'tool', content: 'x' }), at: '/input/0/role' },
  { name: 'an input message without content is rejected', schema: 'request', data: withInput({ role: 'user' }), at: '/input/0', keyword: 'required' },
  { name: 'an unknown field on an input message is rejected', schema: 'request', data: withInput({ role: 'user', content: 'x', name: 'bob' }), at: '/input/0', keyword: 'additionalProperties' },
  { name: 'an unknown input item type is rejected', schema: 'request', data: withInput({ type: 'tool_result', tool_use_id: 'x' }), at: '/input/0/type' },
  { name: 'an unknown content part type is rejected', schema: 'request', data: withInput({ role: 'user', content: [{ type: 'text', text: 'x' }] }), at: '/input/0/content/0/type' },
  { name: 'an input_text part without text is rejected', schema: 'request', data: withInput({ role: 'user', content: [{ type: 'input_text' }] }), at: '/input/0/content/0', keyword: 'required' },
  { name: 'an input_text part with an extra field is rejected', schema: 'request', data: withInput({ role: 'user', content: [{ type: 'input_text', text: 'x', cache_control: {} }] }), at: '/input/0/content/0', keyword: 'additionalProperties' },
  { name: 'an input_image part with an unknown detail is rejected', schema: 'request', data: withInput({ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png', detail: 'max' }] }), at: '/input/0/content/0/detail' },
  { name: 'an input_file part with an extra field is rejected', schema: 'request', data: withInput({ role: 'user', content: [{ type: 'input_file', file_id: 'f', media_type: 'application/pdf' }] }), at: '/input/0/content/0', keyword: 'additionalProperties' },
  { name: 'an output_text part in a user message is rejected', schema: 'request', data: withInput({ type: 'message', role: 'user', content: [{ type: 'output_text', text: 'x', annotations: [] }] }), at: '/input/0/content/0/type' },
  { name: 'function_call without call_id is rejected', schema: 'request', data: withInput({ type: 'function_call', name: 'f', arguments: '{}' }), at: '/input/0', keyword: 'required' },
  { name: 'function_call with object arguments is rejected', schema: 'request', data: withInput({ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }), at: '/input/0/arguments' },
  { name: 'function_call_output without call_id is rejected', schema: 'request', data: withInput({ type: 'function_call_output', output: 'x' }), at: '/input/0', keyword: 'required' },
  { name: 'function_call_output without output is rejected', schema: 'request', data: withInput({ type: 'function_call_output', call_id: 'c' }), at: '/input/0', keyword: 'required' },
  { name: 'function_call_output with an unknown field is rejected', schema: 'request', data: withInput({ type: 'function_call_output', call_id: 'c', output: 'x', is_error: true }), at: '/input/0', keyword: 'additionalProperties' },
  { name: 'function_call_output with an output_text part in its output list is rejected', schema: 'request', data: withInput({ type: 'function_call_output', call_id: 'c', output: [{ type: 'output_text', text: 'x' }] }), at: '/input/0/output/0/type' },
  { name: 'function_call_output with a numeric output is rejected', schema: 'request', data: withInput({ type: 'function_call_output', call_id: 'c', output: 42 }), at: '/input/0/output' },
  { name: 'a reasoning item without summary is rejected', schema: 'request', data: withInput({ type: 'reasoning', id: 'rs_1' }), at: '/input/0', keyword: 'required' },
  { name: 'a reasoning item with an Anthropic signature field is rejected', schema: 'request', data: withInput({ type: 'reasoning', id: 'rs_1', summary: [], signature: 'x' }), at: '/input/0', keyword: 'additionalProperties' },
  { name: 'a reasoning summary part of the wrong type is rejected', schema: 'request', data: withInput({ type: 'reasoning', id: 'rs_1', summary: [{ type: 'reasoning_text', text: 'x' }] }), at: '/input/0/summary/0/type' },
  { name: 'an item_reference without id is rejected', schema: 'request', data: withInput({ type: 'item_reference' }), at: '/input/0', keyword: 'required' },
  { name: 'a custom_tool_call_output without call_id is rejected', schema: 'request', data: withInput({ type: 'custom_tool_call_output', output: 'x' }), at: '/input/0', keyword: 'required' },
  // response
  { name: 'an unknown response status is rejected', schema: 'response', data: baseResponse({ status: 'done' }), at: '/status' },
  { name: 'a response whose object is not "response" is rejected', schema: 'response', data: baseResponse({ object: 'chat.completion' }), at: '/object' },
  { name: 'an unknown output item type is rejected', schema: 'response', data: baseResponse({ output: [{ type: 'tool_use', id: 'x' }] }), at: '/output/0/type' },
  { name: 'a function_call output item without arguments is rejected', schema: 'response', data: baseResponse({ output: [{ type: 'function_call', id: 'fc', call_id: 'c', name: 'f' }] }), at: '/output/0', keyword: 'required' },
  { name: 'a message output item with an unknown content part is rejected', schema: 'response', data: baseResponse({ output: [{ type: 'message', id: 'm', role: 'assistant', status: 'completed', content: [{ type: 'text', text: 'x' }] }] }), at: '/output/0/content/0/type' },
  { name: 'a message output item with an unknown phase is rejected', schema: 'response', data: baseResponse({ output: [{ type: 'message', id: 'm', role: 'assistant', status: 'completed', phase: 'draft', content: [] }] }), at: '/output/0/phase' },
  { name: 'usage without output_tokens is rejected', schema: 'response', data: baseResponse({ usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1 } }), at: '/usage', keyword: 'required' },
  { name: 'usage with a string token count is rejected', schema: 'response', data: baseResponse({ usage: { input_tokens: '1', input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1 } }), at: '/usage/input_tokens' },
  { name: 'an unknown incomplete_details.reason is rejected', schema: 'response', data: baseResponse({ status: 'incomplete', incomplete_details: { reason: 'stop' } }), at: '/incomplete_details/reason' },
  { name: 'a response without id is rejected', schema: 'response', data: (() => { const r = baseResponse(); delete r.id; return r; })(), at: '', keyword: 'required' },
  // stream events
  { name: 'an unknown stream event type is rejected', schema: 'stream-event', data: { type: 'response.unknown', sequence_number: 0 }, at: '/type' },
  { name: 'an Anthropic event type is rejected', schema: 'stream-event', data: { type: 'content_block_delta', index: 0, delta: {} }, at: '/type' },
  { name: 'an output_text.delta without sequence_number is rejected', schema: 'stream-event', data: { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'x', logprobs: [] }, at: '', keyword: 'required' },
  { name: 'an output_text.delta without delta is rejected', schema: 'stream-event', data: { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, logprobs: [], sequence_number: 1 }, at: '', keyword: 'required' },
  { name: 'a function_call_arguments.delta with a non-string delta is rejected', schema: 'stream-event', data: { type: 'response.function_call_arguments.delta', item_id: 'fc', output_index: 0, delta: {}, sequence_number: 1 }, at: '/delta' },
  { name: 'a response.completed event without response is rejected', schema: 'stream-event', data: { type: 'response.completed', sequence_number: 9 }, at: '', keyword: 'required' },
  { name: 'a response.completed event whose response has an unknown status is rejected', schema: 'stream-event', data: { type: 'response.completed', sequence_number: 9, response: baseResponse({ status: 'finished' }) }, at: '/response/status' },
  { name: 'an output_item.added with an unknown item type is rejected', schema: 'stream-event', data: { type: 'response.output_item.added', output_index: 0, sequence_number: 1, item: { type: 'thinking', id: 'x' } }, at: '/item/type' },
  { name: 'an error event with neither the flat nor the nested shape is rejected', schema: 'stream-event', data: { type: 'error', sequence_number: 1 }, at: '', keyword: 'required' },
  { name: 'a nested error event whose error lacks message is rejected', schema: 'stream-event', data: { type: 'error', sequence_number: 1, error: { type: 'server_error', code: null, param: null } }, at: '/error', keyword: 'required' },
  // error body
  { name: 'an error body without error is rejected', schema: 'error', data: { message: 'x' }, at: '', keyword: 'required' },
  { name: 'an error without param is rejected', schema: 'error', data: { error: { message: 'x', type: 't', code: null } }, at: '/error', keyword: 'required' },
  { name: 'a numeric error code is rejected', schema: 'error', data: { error: { message: 'x', type: 't', param: null, code: 400 } }, at: '/error/code' },
  { name: 'an Anthropic error body is rejected', schema: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, at: '/error', keyword: 'required' },
];

describe('openai-responses schemas: rejected documents', () => {
  it.each(negatives.map((n) => [n.name, n] as const))('%s', (_name, n) => {
    const errors = errorsOf(n.schema, n.data);
    expect(errors.length, `${n.name}: expected errors`).toBeGreaterThan(0);
    const hit = errors.some((e) => e.instancePath === n.at && (n.keyword === undefined || e.keyword === n.keyword));
    expect(hit, `${n.name}: no ${n.keyword ?? 'error'} at "${n.at}"; got:\n${describeErrors(errors)}`).toBe(true);
  });
});
