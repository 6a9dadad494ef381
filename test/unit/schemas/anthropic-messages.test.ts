/**
 * JSON Schemas for the Anthropic Messages API (schemas/anthropic-messages/*.json).
 *
 * Recordings are reality: every real request body (pydantic-ai cassettes, captured Claude Code and
 * Anthropic SDK traffic), every recorded non-streaming Message, every recorded stream event and every
 * recorded error body must validate. Table-driven negative cases pin down what the schemas reject and
 * where (instancePath). Coverage checks compare the schemas with the OpenAPI spec (every property and
 * member type of the Beta* schemas) and with the recorded traffic (every key real clients send or the
 * API returns is a listed property, so the gateway's coverage report sees it).
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadApiSchemas } from '../../../engine/spec/api-schemas.js';
import { apiSchemaKit, SCHEMA_FILES, type SchemaName } from '../../helpers/api-schema-kit.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const referenceDir = path.resolve(repoRoot, '..', 'shared', 'reference');
const schemaDir = path.join(repoRoot, 'schemas', 'anthropic-messages');
const recordingsDir = path.join(referenceDir, 'recordings', 'anthropic-messages');
const clientsDir = path.join(referenceDir, 'clients');

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// Schemas


const { schemaDocs, errorsOf, describeErrors, expectValid } = apiSchemaKit('anthropic-messages');

// ---------------------------------------------------------------------------
// Reference data

interface Sample {
  name: string;
  data: unknown;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const rel = (file: string): string => path.relative(referenceDir, file);

interface CassetteInteraction {
  request: { method: string; uri: string; parsed_body?: unknown };
  response: { status: { code: number }; parsed_body?: unknown; body?: { string?: string } };
}

interface SseFrame {
  event?: string;
  data: unknown;
}

/** Split raw SSE text into frames (event name + JSON data). */
function parseSse(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const chunk of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of chunk.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) frames.push({ event, data: JSON.parse(data.join('\n')) as unknown });
  }
  return frames;
}

const cassetteFiles = walk(path.join(recordingsDir, 'pydantic-ai')).filter((f) => f.endsWith('.yaml'));
const cassettes = cassetteFiles.map((file) => ({
  file,
  interactions: (YAML.parse(fs.readFileSync(file, 'utf8')) as { interactions: CassetteInteraction[] }).interactions,
}));

/** Request bodies sent to POST /v1/messages, and count_tokens bodies (same shape minus max_tokens). */
const messageRequests: Sample[] = [];
const countTokensRequests: Sample[] = [];
const batchRequestParams: Sample[] = [];
const recordedResponses: Sample[] = [];
const countTokensResponses: Sample[] = [];
const recordedEvents: Sample[] = [];
const recordedFrames: { name: string; frame: SseFrame }[] = [];
const recordedErrors: Sample[] = [];
/** Everything read from the reference folder but deliberately not validated, with the reason. */
const notValidated: { name: string; reason: string }[] = [];

for (const { file, interactions } of cassettes) {
  interactions.forEach((it, i) => {
    const name = `${rel(file)}#${i}`;
    const url = new URL(it.request.uri);
    if (url.hostname !== 'api.anthropic.com') {
      notValidated.push({ name, reason: `not an Anthropic call (${it.request.method} ${url.hostname})` });
      return;
    }
    const body = it.request.parsed_body;
    if (url.pathname === '/v1/messages') messageRequests.push({ name, data: body });
    else if (url.pathname === '/v1/messages/count_tokens') countTokensRequests.push({ name, data: body });
    else throw new Error(`${name}: unexpected endpoint ${url.pathname}`);

    const status = it.response.status.code;
    if (status >= 400) {
      recordedErrors.push({ name, data: it.response.parsed_body });
    } else if (it.response.parsed_body !== undefined) {
      if (url.pathname === '/v1/messages') recordedResponses.push({ name, data: it.response.parsed_body });
      else countTokensResponses.push({ name, data: it.response.parsed_body });
    } else {
      const sse = it.response.body?.string;
      if (typeof sse !== 'string') throw new Error(`${name}: 2xx response with neither parsed_body nor SSE text`);
      parseSse(sse).forEach((frame, j) => {
        recordedEvents.push({ name: `${name} event ${j}`, data: frame.data });
        recordedFrames.push({ name: `${name} event ${j}`, frame });
      });
    }
  });
}

for (const file of walk(path.join(recordingsDir, 'vercel-ai'))) {
  if (file.endsWith('.chunks.txt')) {
    fs.readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (line.trim() !== '') recordedEvents.push({ name: `${rel(file)}:${i + 1}`, data: JSON.parse(line) as unknown });
      });
  } else if (file.endsWith('.json')) {
    const data = readJson(file);
    if (isObject(data) && data.type === 'error') recordedErrors.push({ name: rel(file), data });
    else recordedResponses.push({ name: rel(file), data });
  } else {
    throw new Error(`unexpected vercel-ai fixture ${file}`);
  }
}

/** Captured client traffic: `body` of every POST to a /v1/messages endpoint. */
const clientFiles = walk(clientsDir).filter((f) => /\/\d{3}-POST-v1_messages[^/]*\.json$/.test(f));
for (const file of clientFiles) {
  const capture = readJson(file) as { path: string; body: unknown };
  const name = rel(file);
  if (capture.path === '/v1/messages') messageRequests.push({ name, data: capture.body });
  else if (capture.path === '/v1/messages/count_tokens') countTokensRequests.push({ name, data: capture.body });
  else if (capture.path === '/v1/messages/batches') {
    const requests = (capture.body as { requests: { custom_id: string; params: unknown }[] }).requests;
    for (const r of requests) batchRequestParams.push({ name: `${name} requests[${r.custom_id}].params`, data: r.params });
  } else if (capture.body === null) notValidated.push({ name, reason: `${capture.path} has no body` });
  else throw new Error(`${name}: unexpected endpoint ${capture.path}`);
}

/** The Anthropic part (§1) of errors-and-status-codes.md: its JSON error example and its in-stream error event. */
const errorsDoc = fs.readFileSync(path.join(referenceDir, 'errors-and-status-codes.md'), 'utf8');
const anthropicErrorsSection = errorsDoc.slice(0, errorsDoc.indexOf('## 2.'));
const documentedErrorBodies: Sample[] = [...anthropicErrorsSection.matchAll(/```json\n([\s\S]*?)```/g)].map((m, i) => ({
  name: `errors-and-status-codes.md json block ${i}`,
  data: JSON.parse(m[1] ?? '') as unknown,
}));
const documentedStreamErrors: Sample[] = [...anthropicErrorsSection.matchAll(/^data: (.*)$/gm)].map((m, i) => ({
  name: `errors-and-status-codes.md data line ${i}`,
  data: JSON.parse(m[1] ?? '') as unknown,
}));

// ---------------------------------------------------------------------------
// Schema navigation (for the coverage checks)

function def(schema: SchemaName, name: string): Json {
  const d = (schemaDocs[schema].$defs as Record<string, Json>)[name];
  if (!d) throw new Error(`${schema}: no $defs/${name}`);
  return d;
}

function propsOf(s: Json): string[] {
  return Object.keys((s.properties as Json | undefined) ?? {});
}

/** The member tags of a union def (the enum of its `type` property). */
function unionTags(s: Json, tag = 'type'): unknown[] {
  return ((s.properties as Record<string, Json>)[tag]?.enum as unknown[]) ?? [];
}

/** The def a union dispatches `tag` to (follows `allOf[].if/then`). */
function unionMember(schema: SchemaName, s: Json, tag: unknown): Json | undefined {
  for (const branch of (s.allOf as Json[] | undefined) ?? []) {
    const cond = ((branch.if as Json | undefined)?.properties as Record<string, Json> | undefined)?.type;
    if (!cond) continue;
    const matches = 'const' in cond ? cond.const === tag : ((cond.enum as unknown[] | undefined) ?? []).includes(tag);
    const target = (branch.then as Json | undefined)?.$ref;
    if (matches && typeof target === 'string') return def(schema, target.replace('#/$defs/', ''));
  }
  return undefined;
}

// The OpenAPI spec
const spec = readJson(path.join(referenceDir, 'anthropic', 'anthropic-openapi.json')) as {
  components: { schemas: Record<string, Json> };
};
const specSchemas = spec.components.schemas;
function specSchema(name: string): Json {
  const s = specSchemas[name];
  if (!s) throw new Error(`spec has no schema ${name}`);
  return s;
}
const specRef = (r: unknown): Json => specSchema(String((r as Json).$ref).split('/').pop() ?? '');

/** The `type` values a spec object schema accepts (const, enum, or anyOf of those). */
function specTypeValues(s: Json): unknown[] {
  const t = (s.properties as Record<string, Json>).type;
  if (!t) return [];
  if ('const' in t) return [t.const];
  if (Array.isArray(t.enum)) return t.enum as unknown[];
  return ((t.anyOf as Json[] | undefined) ?? []).flatMap((a) => ('const' in a ? [a.const] : []));
}

// ---------------------------------------------------------------------------

describe('anthropic-messages schema documents', () => {
  it.each(SCHEMA_FILES)('%s.json is a draft 2020-12 schema with $id anthropic-messages/%s, a title and a description', (n) => {
    const doc = schemaDocs[n];
    expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.$id).toBe(`anthropic-messages/${n}`);
    expect(typeof doc.title).toBe('string');
    expect(typeof doc.description).toBe('string');
    expect(doc.$defs === undefined || isObject(doc.$defs)).toBe(true);
  });

  it('every local $ref points at an existing $defs entry and every $defs entry is used', () => {
    for (const n of SCHEMA_FILES) {
      const doc = schemaDocs[n];
      const defs = new Set(Object.keys((doc.$defs as Json | undefined) ?? {}));
      const used = new Set<string>();
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (isObject(v)) {
          for (const [k, x] of Object.entries(v)) {
            if (k === '$ref' && typeof x === 'string') {
              expect(x, `${n}: ${x}`).toMatch(/^#\/\$defs\//);
              const target = x.replace('#/$defs/', '');
              expect(defs.has(target), `${n}: dangling ${x}`).toBe(true);
              used.add(target);
            } else visit(x);
          }
        }
      };
      visit(doc);
      expect([...defs].filter((d) => !used.has(d)), `${n}: unused $defs`).toEqual([]);
    }
  });

  it('does not rely on the non-standard discriminator keyword', () => {
    for (const n of SCHEMA_FILES) expect(JSON.stringify(schemaDocs[n])).not.toContain('"discriminator"');
  });

  it('compiles with the engine\'s own loader and options', async () => {
    const schemas = await loadApiSchemas(path.join(repoRoot, 'schemas'));
    for (const n of SCHEMA_FILES) expect(schemas.validator('anthropic-messages', n)).toBeTypeOf('function');
  });
});

describe('request.json accepts every real request body', () => {
  it('found the recorded and captured request bodies', () => {
    // 38 pydantic-ai /v1/messages calls + 8 SDK calls x 2 SDK versions + 8 Claude Code requests.
    expect(messageRequests.length).toBe(62);
    expect(countTokensRequests.length).toBe(6);
    expect(batchRequestParams.length).toBe(4);
    expect(notValidated.map((n) => n.name).sort()).toEqual([
      'clients/anthropic-sdk/sdk-0.128.0/011-POST-v1_messages_batches_msgbatch_fake000010_cancel.json',
      'clients/anthropic-sdk/sdk-0.128.0/021-POST-v1_messages_batches_msgbatch_fake000023_cancel.json',
      'clients/anthropic-sdk/sdk-1.14.0/011-POST-v1_messages_batches_msgbatch_fake000010_cancel.json',
      'clients/anthropic-sdk/sdk-1.14.0/021-POST-v1_messages_batches_msgbatch_fake000023_cancel.json',
      'recordings/anthropic-messages/pydantic-ai/test_text_document_url_input.yaml#0',
    ]);
  });

  it.each(messageRequests.map((s) => [s.name, s.data] as const))('POST /v1/messages body %s', (name, body) => {
    expectValid('request', body, name);
  });

  it.each(batchRequestParams.map((s) => [s.name, s.data] as const))('Message Batches %s', (name, params) => {
    expectValid('request', params, name);
  });

  // count_tokens takes the same body as /v1/messages minus max_tokens (CountMessageTokensParams).
  it.each(countTokensRequests.map((s) => [s.name, s.data] as const))(
    'count_tokens body %s validates once max_tokens is added (the only field it lacks)',
    (name, body) => {
      expect(isObject(body) && !('max_tokens' in body)).toBe(true);
      expectValid('request', { ...(body as Json), max_tokens: 1 }, name);
    },
  );
});

describe('response.json accepts every recorded non-streaming Message', () => {
  it('found the recorded responses', () => {
    // 15 vercel-ai fixtures + 33 pydantic-ai /v1/messages responses (count_tokens answers are not Messages).
    expect(recordedResponses.length).toBe(48);
    expect(countTokensResponses.length).toBe(1);
  });

  it.each(recordedResponses.map((s) => [s.name, s.data] as const))('%s', (name, body) => {
    expectValid('response', body, name);
  });

  it.each(countTokensResponses.map((s) => [s.name, s.data] as const))(
    'count_tokens answer %s is {input_tokens} (no Message schema applies)',
    (_name, body) => {
      expect(body).toEqual({ input_tokens: expect.any(Number) as number });
    },
  );
});

describe('stream-event.json accepts every recorded stream event', () => {
  it('found the recorded events', () => {
    expect(recordedEvents.length).toBe(1032);
  });

  it.each(recordedEvents.map((s) => [s.name, s.data] as const))('%s', (name, event) => {
    expectValid('stream-event', event, name);
  });

  it('the SSE event name of every recorded frame equals the JSON type', () => {
    expect(recordedFrames.length).toBeGreaterThan(200);
    for (const { name, frame } of recordedFrames) expect(frame.event, name).toBe((frame.data as Json).type);
  });

  it('every recorded message_start carries a Message that response.json accepts', () => {
    const starts = recordedEvents.filter((s) => (s.data as Json).type === 'message_start');
    expect(starts.length).toBeGreaterThan(10);
    for (const s of starts) expectValid('response', (s.data as Json).message, s.name);
  });

  it.each(documentedStreamErrors.map((s) => [s.name, s.data] as const))('documented in-stream error %s', (name, event) => {
    expectValid('stream-event', event, name);
  });
});

describe('error.json accepts every recorded error body', () => {
  it('found the recorded and documented error bodies', () => {
    expect(recordedErrors.length).toBe(2);
    expect(documentedErrorBodies.length).toBe(1);
    expect(documentedStreamErrors.length).toBe(1);
  });

  it.each([...recordedErrors, ...documentedErrorBodies].map((s) => [s.name, s.data] as const))('%s', (name, body) => {
    expectValid('error', body, name);
  });

  it.each([
    ['invalid_request_error', 400],
    ['authentication_error', 401],
    ['billing_error', 402],
    ['permission_error', 403],
    ['not_found_error', 404],
    ['conflict_error', 409],
    ['request_too_large', 413],
    ['rate_limit_error', 429],
    ['api_error', 500],
    ['timeout_error', 504],
    ['overloaded_error', 529],
  ])('accepts error.type %s (HTTP %i), as a body and as an in-stream error event', (type) => {
    const error = { type, message: 'something went wrong' };
    expectValid('error', { type: 'error', error, request_id: 'req_011CVEA3SF7rnb3DuBZytqQa' });
    expectValid('error', { type: 'error', error, request_id: null });
    expectValid('stream-event', { type: 'error', error });
  });

  it('accepts the spend-limit 429 with error.details', () => {
    expectValid('error', {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'spend limit', details: { error_code: 'enforced_spend_limit_reached' } },
      request_id: 'req_1',
    });
  });
});

// ---------------------------------------------------------------------------
// Positive cases for features the recordings do not exercise

const user = (content: unknown): Json => ({ role: 'user', content });
const assistant = (content: unknown): Json => ({ role: 'assistant', content });
const req = (extra: Json = {}, messages: unknown[] = [user('Hi')]): Json => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages,
  ...extra,
});
const PDF = 'JVBERi0xLjQK';
const PNG = 'iVBORw0KGgo=';
const SRV = 'srvtoolu_01ABCdef';
const citationsAll = [
  { type: 'char_location', cited_text: 'a', document_index: 0, document_title: 'Doc', start_char_index: 0, end_char_index: 1 },
  { type: 'page_location', cited_text: 'a', document_index: 0, document_title: null, start_page_number: 1, end_page_number: 2 },
  { type: 'content_block_location', cited_text: 'a', document_index: 1, document_title: 'C', start_block_index: 0, end_block_index: 1 },
  { type: 'web_search_result_location', cited_text: 'a', encrypted_index: 'Eo8B', title: 'T', url: 'https://example.com' },
  { type: 'search_result_location', cited_text: 'a', search_result_index: 0, source: 'kb://1', title: null, start_block_index: 0, end_block_index: 0 },
];

const positiveRequests: [string, Json][] = [
  ['document blocks with base64 PDF, PDF URL, plain text, custom content and file sources', req({}, [user([
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'Report', context: 'Q3', citations: { enabled: true }, cache_control: { type: 'ephemeral', ttl: '1h' } },
    { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
    { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain text' }, citations: null },
    { type: 'document', source: { type: 'content', content: 'a string' } },
    { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'part 1' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] } },
    { type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } },
    { type: 'text', text: 'Summarise these.' },
  ])])],
  ['image blocks with base64, URL and file sources', req({}, [user([
    { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' }, cache_control: { type: 'ephemeral' } },
    { type: 'image', source: { type: 'file', file_id: 'file_abc' } },
    { type: 'text', text: 'What is in these?' },
  ])])],
  ['search_result blocks at top level and inside a tool_result', req({}, [
    user([{ type: 'search_result', source: 'https://kb/1', title: 'KB 1', content: [{ type: 'text', text: 'fact' }], citations: { enabled: true } }]),
    assistant([{ type: 'tool_use', id: 'toolu_1', name: 'kb', input: { q: 'x' } }]),
    user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [
      { type: 'search_result', source: 'kb://2', title: 'KB 2', content: [{ type: 'text', text: 'more' }] },
      { type: 'text', text: 'done' },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: PNG } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
      { type: 'tool_reference', tool_name: 'get_weather' },
    ], is_error: false }]),
  ])],
  ['text blocks carrying every citation type', req({}, [user('q'), assistant([{ type: 'text', text: 'cited', citations: citationsAll }]), user('more')])],
  ['thinking and redacted_thinking blocks sent back in an assistant turn', req({ thinking: { type: 'enabled', budget_tokens: 2048 } }, [
    user('q'),
    assistant([
      { type: 'thinking', thinking: 'hmm', signature: 'EqQBCkYIARgCKkA' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' },
      { type: 'text', text: 'answer' },
    ]),
    user('next'),
  ])],
  ['server tool calls and results sent back (web search, web fetch, code execution, bash, text editor, tool search, advisor)', req({}, [
    user('q'),
    assistant([
      { type: 'server_tool_use', id: SRV, name: 'web_search', input: { query: 'x' } },
      { type: 'web_search_tool_result', tool_use_id: SRV, content: [{ type: 'web_search_result', url: 'https://a', title: 'A', encrypted_content: 'E', page_age: null }] },
      { type: 'web_search_tool_result', tool_use_id: SRV, content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' } },
      { type: 'web_fetch_tool_result', tool_use_id: SRV, content: { type: 'web_fetch_result', url: 'https://a', retrieved_at: null, content: { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } } } },
      { type: 'web_fetch_tool_result', tool_use_id: SRV, content: { type: 'web_fetch_tool_result_error', error_code: 'url_not_accessible' } },
      { type: 'code_execution_tool_result', tool_use_id: SRV, content: { type: 'code_execution_result', stdout: '1', stderr: '', return_code: 0, content: [{ type: 'code_execution_output', file_id: 'f' }] } },
      { type: 'code_execution_tool_result', tool_use_id: SRV, content: { type: 'encrypted_code_execution_result', encrypted_stdout: 'x', stderr: '', return_code: 0, content: [] } },
      { type: 'code_execution_tool_result', tool_use_id: SRV, content: { type: 'code_execution_tool_result_error', error_code: 'unavailable' } },
      { type: 'bash_code_execution_tool_result', tool_use_id: SRV, content: { type: 'bash_code_execution_result', stdout: '', stderr: '', return_code: 1, content: [{ type: 'bash_code_execution_output', file_id: 'f' }] } },
      { type: 'bash_code_execution_tool_result', tool_use_id: SRV, content: { type: 'bash_code_execution_tool_result_error', error_code: 'output_file_too_large' } },
      { type: 'text_editor_code_execution_tool_result', tool_use_id: SRV, content: { type: 'text_editor_code_execution_view_result', content: 'x', file_type: 'text', num_lines: 1, start_line: 1, total_lines: 1 } },
      { type: 'text_editor_code_execution_tool_result', tool_use_id: SRV, content: { type: 'text_editor_code_execution_create_result', is_file_update: true } },
      { type: 'text_editor_code_execution_tool_result', tool_use_id: SRV, content: { type: 'text_editor_code_execution_str_replace_result', lines: ['a'], new_lines: 1, new_start: 1, old_lines: 1, old_start: 1 } },
      { type: 'text_editor_code_execution_tool_result', tool_use_id: SRV, content: { type: 'text_editor_code_execution_tool_result_error', error_code: 'file_not_found', error_message: null } },
      { type: 'tool_search_tool_result', tool_use_id: SRV, content: { type: 'tool_search_tool_search_result', tool_references: [{ type: 'tool_reference', tool_name: 'x' }] } },
      { type: 'tool_search_tool_result', tool_use_id: SRV, content: { type: 'tool_search_tool_result_error', error_code: 'too_many_requests' } },
      { type: 'advisor_tool_result', tool_use_id: SRV, content: { type: 'advisor_result', text: 'do x' } },
      { type: 'advisor_tool_result', tool_use_id: SRV, content: { type: 'advisor_redacted_result', encrypted_content: 'x' } },
      { type: 'advisor_tool_result', tool_use_id: SRV, content: { type: 'advisor_tool_result_error', error_code: 'overloaded' } },
      { type: 'tool_use', id: 'toolu_2', name: 'calc', input: {}, caller: { type: 'code_execution_20250825', tool_id: SRV } },
    ]),
    user([{ type: 'tool_result', tool_use_id: 'toolu_2', content: '4' }]),
  ])],
  ['MCP, container upload, compaction and fallback blocks', req({}, [
    user([{ type: 'container_upload', file_id: 'file_1' }, { type: 'text', text: 'q' }]),
    assistant([
      { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'echo', server_name: 'echo', input: { m: 'hi' } },
      { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_1', content: [{ type: 'text', text: 'hi' }], is_error: false },
      { type: 'compaction', content: 'summary of earlier turns' },
      { type: 'fallback', from: { model: 'claude-fable-5' }, to: { model: 'claude-opus-4-8' } },
    ]),
    user('next'),
  ])],
  ['a system turn inside messages, with string content, output_config and mid-conversation tool changes', req({}, [
    user('q'),
    { role: 'system', content: 'Now be brief.', output_config: { effort: 'low' }, clear_at: 'next_user_message' },
    { role: 'system', content: [
      { type: 'text', text: 'Tools changed.', cache_control: { type: 'ephemeral' } },
      { type: 'tool_addition', tool: { type: 'tool_reference', name: 'get_weather' } },
      { type: 'tool_removal', tool: { type: 'mcp_toolset_reference', server_name: 'echo' } },
    ] },
  ])],
  ['every tool type of the spec (and the SDK 1.14.0 additions)', req({
    tools: [
      { name: 'get_weather', description: 'Weather', input_schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true, cache_control: { type: 'ephemeral' }, defer_loading: true, input_examples: [{ city: 'Paris' }], eager_input_streaming: true, allowed_callers: ['direct', 'code_execution_20250825'] },
      { type: 'custom', name: 'plain', input_schema: { type: 'object' } },
      { type: null, name: 'nullish', input_schema: { type: 'object', properties: null, required: null } },
      { type: 'bash_20241022', name: 'bash' },
      { type: 'bash_20250124', name: 'bash' },
      { type: 'code_execution_20250522', name: 'code_execution' },
      { type: 'code_execution_20250825', name: 'code_execution' },
      { type: 'code_execution_20260120', name: 'code_execution' },
      { type: 'code_execution_20260521', name: 'code_execution' },
      { type: 'computer_20241022', name: 'computer', display_width_px: 1024, display_height_px: 768, display_number: 1 },
      { type: 'computer_20250124', name: 'computer', display_width_px: 1024, display_height_px: 768 },
      { type: 'computer_20251124', name: 'computer', display_width_px: 1024, display_height_px: 768, enable_zoom: true },
      { type: 'memory_20250818', name: 'memory' },
      { type: 'text_editor_20241022', name: 'str_replace_editor' },
      { type: 'text_editor_20250124', name: 'str_replace_editor' },
      { type: 'text_editor_20250429', name: 'str_replace_based_edit_tool' },
      { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool', max_characters: 10000 },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5, allowed_domains: ['example.com'], blocked_domains: null, user_location: { type: 'approximate', city: 'Paris', country: 'FR', region: null, timezone: 'Europe/Paris' } },
      { type: 'web_search_20260209', name: 'web_search' },
      { type: 'web_search_20260318', name: 'web_search', response_inclusion: 'excluded' },
      { type: 'web_fetch_20250910', name: 'web_fetch', max_content_tokens: 5000, citations: { enabled: true } },
      { type: 'web_fetch_20260209', name: 'web_fetch' },
      { type: 'web_fetch_20260309', name: 'web_fetch', use_cache: false },
      { type: 'web_fetch_20260318', name: 'web_fetch' },
      { type: 'advisor_20260301', name: 'advisor', model: 'claude-opus-4-7', max_uses: 2 },
      { type: 'tool_search_tool_bm25_20251119', name: 'tool_search_tool_bm25' },
      { type: 'tool_search_tool_bm25', name: 'tool_search_tool_bm25' },
      { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' },
      { type: 'tool_search_tool_regex', name: 'tool_search_tool_regex' },
      { type: 'mcp_toolset', mcp_server_name: 'echo', default_config: { enabled: true }, configs: { echo: { defer_loading: true } } },
      { type: 'browser_toolset_20260801' },
      { type: 'computer_toolset_20260801', configs: null },
    ],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'echo', authorization_token: null, tool_configuration: { enabled: true, allowed_tools: ['echo'] } }],
  })],
  ['every tool_choice type', req({ tools: [{ name: 't', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 't', disable_parallel_tool_use: false } })],
  ['tool_choice none and auto', req({ tool_choice: { type: 'none' } })],
  ['every thinking type, including adaptive with display "updates" (Claude Code)', req({ thinking: { type: 'adaptive', display: 'updates', block_binding: { prefix_mismatch_behavior: 'drop_block' } } })],
  ['thinking enabled with display summarized', req({ thinking: { type: 'enabled', budget_tokens: 1024, display: 'summarized' } })],
  ['thinking disabled', req({ thinking: { type: 'disabled' } })],
  ['thinking between_tools (SDK 1.14.0)', req({ thinking: { type: 'between_tools' } })],
  ['sampling, stop sequences, service tier, metadata, stream and a system prompt string', req({
    temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['\n\nHuman:'], service_tier: 'standard_only', stream: true,
    metadata: { user_id: JSON.stringify({ device_id: 'x'.repeat(64), account_uuid: '', session_id: '711110fa-be96-42b8-a992-3358e61d1d07' }) },
    system: 'You are terse.', max_tokens: 128000,
  })],
  ['max_tokens 0 (cache pre-warm)', req({ max_tokens: 0 })],
  ['structured output via output_format (deprecated beta) and via output_config.format with effort and task budget', req({
    output_format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'integer' } } } },
    output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } }, task_budget: { type: 'tokens', total: 20000, remaining: null } },
  })],
  ['container as a string and as parameters with skills, plus inference_geo, speed, cache_control and user_profile_id', req({
    container: { id: null, skills: [{ type: 'anthropic', skill_id: 'pptx', version: 'latest' }] },
    inference_geo: 'us', speed: 'fast', cache_control: { type: 'ephemeral', ttl: '5m' }, user_profile_id: null,
  })],
  ['container id string', req({ container: 'container_011CU6rVteVhydYXRyNs6G1M' })],
  ['context_management with every edit type', req({ context_management: { edits: [
    { type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 30000 }, keep: { type: 'tool_uses', value: 3 }, clear_at_least: { type: 'input_tokens', value: 5000 }, clear_tool_inputs: ['bash'], exclude_tools: ['memory'] },
    { type: 'clear_thinking_20251015', keep: { type: 'thinking_turns', value: 2 } },
    { type: 'clear_thinking_20251015', keep: 'all' },
    { type: 'compact_20260112', trigger: { type: 'input_tokens', value: 100000 }, instructions: null, pause_after_compaction: true },
  ] } })],
  ['SDK 1.14.0 top-level beta fields (fallbacks, compaction, diagnostics, thread, billing_policy, fallback_credit_token)', req({
    fallbacks: [{ model: 'claude-opus-4-7', max_tokens: 2048, thinking: { type: 'adaptive' } }],
    compaction: { type: 'summarize', instructions: null },
    diagnostics: { previous_message_id: 'msg_1' },
    thread: { type: 'continue', previous_message_id: 'msg_1' },
    billing_policy: { type: 'billing_policy', bill_to: 'self' },
    fallback_credit_token: { token: 'fct_1', mode: 'strict' },
  })],
  ['fallbacks "default"', req({ fallbacks: 'default' })],
  ['safeguards (Claude Code interactive) and unknown future top-level, message, block and tool fields', req({
    safeguards: [{ type: 'dangerous_tool_use', classifier_context: { v: 1 } }],
    some_future_field: { x: 1 },
    tools: [{ name: 't', input_schema: { type: 'object' }, future_tool_field: true }],
  }, [{ role: 'user', content: [{ type: 'text', text: 'hi', future_block_field: 1 }], future_message_field: 'x' }])],
];

describe('request.json accepts every spec feature', () => {
  it.each(positiveRequests)('accepts %s', (name, body) => {
    expectValid('request', body, name);
  });
});

const baseMessage = (extra: Json = {}): Json => ({
  id: 'msg_01VdEjxAP5ahtHKrrRdNBteQ',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 29 },
  ...extra,
});

const positiveResponses: [string, Json][] = [
  ['stop_reason end_turn', baseMessage()],
  ...['max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'compaction', 'refusal', 'model_context_window_exceeded'].map(
    (r): [string, Json] => [`stop_reason ${r}`, baseMessage({ stop_reason: r, stop_sequence: r === 'stop_sequence' ? '###' : null })],
  ),
  ['a full usage object', baseMessage({ usage: {
    input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: null,
    cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0 },
    server_tool_use: { web_search_requests: 1, web_fetch_requests: 0 }, service_tier: 'priority', inference_geo: 'global',
    speed: 'standard', output_tokens_details: { thinking_tokens: 3 },
    iterations: [{ type: 'compaction', input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: null }],
    fallback_credit: null,
  } })],
  ['every content block type', baseMessage({ content: [
    { type: 'text', text: 'cited', citations: citationsAll.map((c) => ('document_index' in c ? { ...c, file_id: null } : c)) },
    { type: 'thinking', thinking: 't', signature: 's' },
    { type: 'redacted_thinking', data: 'd' },
    { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 }, caller: { type: 'direct' } },
    { type: 'server_tool_use', id: SRV, name: 'code_execution', input: { code: 'print(1)' } },
    { type: 'web_search_tool_result', tool_use_id: SRV, content: { type: 'web_search_tool_result_error', error_code: 'query_too_long' } },
    { type: 'web_fetch_tool_result', tool_use_id: SRV, content: { type: 'web_fetch_result', url: 'https://a', retrieved_at: '2025-07-17T21:38:38Z', content: { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: null, citations: { enabled: false } } } },
    { type: 'advisor_tool_result', tool_use_id: SRV, content: { type: 'advisor_result', text: 'x' } },
    { type: 'code_execution_tool_result', tool_use_id: SRV, content: { type: 'code_execution_result', stdout: '1', stderr: '', return_code: 0, content: [] } },
    { type: 'bash_code_execution_tool_result', tool_use_id: SRV, content: { type: 'bash_code_execution_tool_result_error', error_code: 'unavailable' } },
    { type: 'text_editor_code_execution_tool_result', tool_use_id: SRV, content: { type: 'text_editor_code_execution_view_result', content: 'x', file_type: 'pdf', num_lines: null, start_line: null, total_lines: null } },
    { type: 'tool_search_tool_result', tool_use_id: SRV, content: { type: 'tool_search_tool_search_result', tool_references: [] } },
    { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'echo', server_name: 'echo', input: {} },
    { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_1', content: 'hi', is_error: false },
    { type: 'mcp_tool_listing', mcp_server_name: 'echo', tools: [{ name: 'echo', input_schema: { type: 'object' } }] },
    { type: 'container_upload', file_id: 'file_1' },
    { type: 'compaction', content: 'summary', encrypted_content: null },
    { type: 'fallback', from: { model: 'a' }, to: { model: 'b' }, trigger: { type: 'refusal', category: 'cyber' } },
  ] })],
  ['refusal stop_details, container and context_management', baseMessage({
    content: [], stop_reason: 'refusal',
    stop_details: { type: 'refusal', category: 'bio', explanation: null, recommended_model: null },
    container: { id: 'container_1', expires_at: '2025-10-14T10:28:40.590791Z', skills: null },
    context_management: { applied_edits: [
      { type: 'clear_tool_uses_20250919', cleared_tool_uses: 2, cleared_input_tokens: 500 },
      { type: 'clear_thinking_20251015', cleared_thinking_turns: 1, cleared_input_tokens: 80 },
    ] },
  })],
];

describe('response.json accepts every spec feature', () => {
  it.each(positiveResponses)('accepts %s', (name, body) => {
    expectValid('response', body, name);
  });
});

const positiveEvents: [string, Json][] = [
  ['a compaction_delta', { type: 'content_block_delta', index: 0, delta: { type: 'compaction_delta', content: 'sum', encrypted_content: null } }],
  ['a citations_delta with a char_location citation', { type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: { type: 'char_location', cited_text: 'x', document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1, file_id: null } } }],
  ['a message_delta with container, stop_details and context_management', {
    type: 'message_delta',
    delta: { stop_reason: 'pause_turn', stop_sequence: null, stop_details: null, container: { id: 'c', expires_at: '2026-01-01T00:00:00Z' } },
    usage: { output_tokens: 10, input_tokens: null, server_tool_use: { web_search_requests: 2, web_fetch_requests: 0 }, iterations: null },
    context_management: { applied_edits: [] },
  }],
  ['an in-stream error with a request_id', { type: 'error', error: { type: 'api_error', message: 'Internal server error' }, request_id: 'req_1' }],
];

describe('stream-event.json accepts every event and delta type', () => {
  it.each(positiveEvents)('accepts %s', (name, event) => {
    expectValid('stream-event', event, name);
  });
});

// ---------------------------------------------------------------------------
// Negative cases: each must fail, with an error at `path` (and, when given, of `keyword`), and
// every error must sit on that path or one of its ancestors/descendants (errors stay local).

interface Negative {
  name: string;
  data: unknown;
  path: string;
  keyword?: string;
  missing?: string;
}

function expectRejected(schema: SchemaName, c: Negative): void {
  const errors = errorsOf(schema, c.data);
  const dump = describeErrors(errors);
  expect(errors.length, `${c.name}: expected errors`).toBeGreaterThan(0);
  const hit = errors.find(
    (e) =>
      e.instancePath === c.path &&
      (c.keyword === undefined || e.keyword === c.keyword) &&
      (c.missing === undefined || (e.params as { missingProperty?: string }).missingProperty === c.missing),
  );
  expect(hit, `${c.name}: no ${c.keyword ?? 'error'} at "${c.path}"\n${dump}`).toBeDefined();
  for (const e of errors) {
    const local = e.instancePath === c.path || c.path.startsWith(`${e.instancePath}/`) || e.instancePath.startsWith(`${c.path}/`) || e.instancePath === '';
    expect(local, `${c.name}: unrelated error at "${e.instancePath}"\n${dump}`).toBe(true);
  }
}

const img = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } };
const withBlocks = (...blocks: unknown[]): Json => req({}, [user(blocks)]);
const withAssistantBlocks = (...blocks: unknown[]): Json => req({}, [user('q'), assistant(blocks)]);
const withTool = (t: unknown): Json => req({ tools: [t] });
const { model: _model, ...noModel } = req();
const { max_tokens: _mt, ...noMaxTokens } = req();

const requestNegatives: Negative[] = [
  { name: 'a body without model is rejected at the root', data: noModel, path: '', keyword: 'required', missing: 'model' },
  { name: 'a body without max_tokens is rejected at the root', data: noMaxTokens, path: '', keyword: 'required', missing: 'max_tokens' },
  { name: 'a body without messages is rejected at the root', data: { model: 'm', max_tokens: 1 }, path: '', keyword: 'required', missing: 'messages' },
  { name: 'a body that is an array is rejected at the root', data: [req()], path: '', keyword: 'type' },
  { name: 'an empty model string is rejected at /model', data: req({ model: '' }), path: '/model', keyword: 'minLength' },
  { name: 'max_tokens that is not an integer is rejected at /max_tokens', data: req({ max_tokens: 1.5 }), path: '/max_tokens', keyword: 'type' },
  { name: 'max_tokens given as a string is rejected at /max_tokens', data: req({ max_tokens: '1024' }), path: '/max_tokens', keyword: 'type' },
  { name: 'a negative max_tokens is rejected at /max_tokens', data: req({ max_tokens: -1 }), path: '/max_tokens', keyword: 'minimum' },
  { name: 'an empty messages array is rejected at /messages', data: req({}, []), path: '/messages', keyword: 'minItems' },
  { name: 'messages that is an object is rejected at /messages', data: req({ messages: { role: 'user', content: 'x' } }), path: '/messages', keyword: 'type' },
  { name: 'a message without role is rejected at /messages/0', data: req({}, [{ content: 'hi' }]), path: '/messages/0', keyword: 'required', missing: 'role' },
  { name: 'an unknown role is rejected at /messages/0/role', data: req({}, [{ role: 'human', content: 'hi' }]), path: '/messages/0/role', keyword: 'enum' },
  { name: 'a user message without content is rejected at /messages/0', data: req({}, [{ role: 'user' }]), path: '/messages/0', keyword: 'required', missing: 'content' },
  { name: 'message content that is a number is rejected at /messages/0/content', data: req({}, [user(42)]), path: '/messages/0/content', keyword: 'type' },
  { name: 'a content block without type is rejected at /messages/0/content/0', data: withBlocks({ text: 'x' }), path: '/messages/0/content/0', keyword: 'required', missing: 'type' },
  { name: 'an unknown content block type is rejected at /messages/0/content/1/type', data: withBlocks({ type: 'text', text: 'a' }, { type: 'video', url: 'x' }), path: '/messages/0/content/1/type', keyword: 'enum' },
  { name: 'an empty text block is rejected at /messages/0/content/0/text', data: withBlocks({ type: 'text', text: '' }), path: '/messages/0/content/0/text', keyword: 'minLength' },
  { name: 'a text block without text is rejected at /messages/0/content/0', data: withBlocks({ type: 'text' }), path: '/messages/0/content/0', keyword: 'required', missing: 'text' },
  { name: 'an image block without source is rejected at /messages/0/content/1', data: withBlocks({ type: 'text', text: 'a' }, { type: 'image' }), path: '/messages/0/content/1', keyword: 'required', missing: 'source' },
  { name: 'an image with an unsupported media_type is rejected at /messages/0/content/0/source/media_type', data: withBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: PNG } }), path: '/messages/0/content/0/source/media_type', keyword: 'enum' },
  { name: 'an image source of unknown type is rejected at /messages/0/content/0/source/type', data: withBlocks({ type: 'image', source: { type: 'path', path: '/tmp/x.png' } }), path: '/messages/0/content/0/source/type', keyword: 'enum' },
  { name: 'a base64 image without data is rejected at /messages/0/content/0/source', data: withBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/png' } }), path: '/messages/0/content/0/source', keyword: 'required', missing: 'data' },
  { name: 'a file source without file_id is rejected at /messages/0/content/0/source', data: withBlocks({ type: 'document', source: { type: 'file' } }), path: '/messages/0/content/0/source', keyword: 'required', missing: 'file_id' },
  { name: 'a base64 document that is not a PDF is rejected at /messages/0/content/0/source/media_type', data: withBlocks({ type: 'document', source: { type: 'base64', media_type: 'application/msword', data: PDF } }), path: '/messages/0/content/0/source/media_type', keyword: 'const' },
  { name: 'an unknown property on an image source is rejected at /messages/0/content/0/source', data: withBlocks({ type: 'image', source: { type: 'url', url: 'https://a', detail: 'high' } }), path: '/messages/0/content/0/source', keyword: 'additionalProperties' },
  { name: 'a document title longer than 500 characters is rejected at /messages/0/content/0/title', data: withBlocks({ type: 'document', source: { type: 'url', url: 'https://a' }, title: 'x'.repeat(501) }), path: '/messages/0/content/0/title', keyword: 'maxLength' },
  { name: 'a search_result without title is rejected at /messages/0/content/0', data: withBlocks({ type: 'search_result', source: 's', content: [] }), path: '/messages/0/content/0', keyword: 'required', missing: 'title' },
  { name: 'a tool_use without id is rejected at /messages/1/content/0', data: withAssistantBlocks({ type: 'tool_use', name: 'f', input: {} }), path: '/messages/1/content/0', keyword: 'required', missing: 'id' },
  { name: 'a tool_use id with spaces is rejected at /messages/1/content/0/id', data: withAssistantBlocks({ type: 'tool_use', id: 'toolu 1', name: 'f', input: {} }), path: '/messages/1/content/0/id', keyword: 'pattern' },
  { name: 'a tool_use input that is a string is rejected at /messages/1/content/0/input', data: withAssistantBlocks({ type: 'tool_use', id: 'toolu_1', name: 'f', input: '{}' }), path: '/messages/1/content/0/input', keyword: 'type' },
  { name: 'a thinking block without signature is rejected at /messages/1/content/0', data: withAssistantBlocks({ type: 'thinking', thinking: 't' }), path: '/messages/1/content/0', keyword: 'required', missing: 'signature' },
  { name: 'a server_tool_use with an unknown server tool name is rejected at /messages/1/content/0/name', data: withAssistantBlocks({ type: 'server_tool_use', id: SRV, name: 'image_generation', input: {} }), path: '/messages/1/content/0/name', keyword: 'enum' },
  { name: 'a server_tool_use id without the srvtoolu_ prefix is rejected at /messages/1/content/0/id', data: withAssistantBlocks({ type: 'server_tool_use', id: 'toolu_1', name: 'web_search', input: {} }), path: '/messages/1/content/0/id', keyword: 'pattern' },
  { name: 'a web_search_tool_result error with an unknown code is rejected at /messages/1/content/0/content/error_code', data: withAssistantBlocks({ type: 'web_search_tool_result', tool_use_id: SRV, content: { type: 'web_search_tool_result_error', error_code: 'boom' } }), path: '/messages/1/content/0/content/error_code', keyword: 'enum' },
  { name: 'a code_execution_tool_result of unknown content type is rejected at /messages/1/content/0/content/type', data: withAssistantBlocks({ type: 'code_execution_tool_result', tool_use_id: SRV, content: { type: 'stdout', text: '1' } }), path: '/messages/1/content/0/content/type', keyword: 'enum' },
  { name: 'a tool_result without tool_use_id is rejected at /messages/0/content/0', data: withBlocks({ type: 'tool_result', content: 'x' }), path: '/messages/0/content/0', keyword: 'required', missing: 'tool_use_id' },
  { name: 'a tool_result that nests a tool_use block is rejected at /messages/0/content/0/content/0/type', data: withBlocks({ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'tool_use', id: 'x', name: 'f', input: {} }] }), path: '/messages/0/content/0/content/0/type', keyword: 'enum' },
  { name: 'a tool_result is_error that is a string is rejected at /messages/0/content/0/is_error', data: withBlocks({ type: 'tool_result', tool_use_id: 'toolu_1', is_error: 'no' }), path: '/messages/0/content/0/is_error', keyword: 'type' },
  { name: 'a cited text block with an unknown citation type is rejected at /messages/1/content/0/citations/0/type', data: withAssistantBlocks({ type: 'text', text: 'x', citations: [{ type: 'footnote' }] }), path: '/messages/1/content/0/citations/0/type', keyword: 'enum' },
  { name: 'cache_control with an unknown ttl is rejected at /messages/0/content/0/cache_control/ttl', data: withBlocks({ type: 'text', text: 'a', cache_control: { type: 'ephemeral', ttl: '1d' } }), path: '/messages/0/content/0/cache_control/ttl', keyword: 'enum' },
  { name: 'cache_control of an unknown type is rejected at /system/0/cache_control/type', data: req({ system: [{ type: 'text', text: 's', cache_control: { type: 'persistent' } }] }), path: '/system/0/cache_control/type', keyword: 'const' },
  { name: 'a system message with an image block is rejected at /messages/1/content/0/type', data: req({}, [user('q'), { role: 'system', content: [img] }]), path: '/messages/1/content/0/type', keyword: 'enum' },
  { name: 'a system prompt block that is not text is rejected at /system/0/type', data: req({ system: [img] }), path: '/system/0/type', keyword: 'enum' },
  { name: 'a system prompt that is a number is rejected at /system', data: req({ system: 1 }), path: '/system', keyword: 'type' },
  { name: 'a tool without name is rejected at /tools/0', data: withTool({ input_schema: { type: 'object' } }), path: '/tools/0', keyword: 'required', missing: 'name' },
  { name: 'a client tool without input_schema is rejected at /tools/0', data: withTool({ name: 'f' }), path: '/tools/0', keyword: 'required', missing: 'input_schema' },
  { name: 'a tool name with spaces is rejected at /tools/0/name', data: withTool({ name: 'get weather', input_schema: { type: 'object' } }), path: '/tools/0/name', keyword: 'pattern' },
  { name: 'a tool input_schema that is not an object schema is rejected at /tools/0/input_schema/type', data: withTool({ name: 'f', input_schema: { type: 'array' } }), path: '/tools/0/input_schema/type', keyword: 'const' },
  { name: 'a tool input_schema without type is rejected at /tools/0/input_schema', data: withTool({ name: 'f', input_schema: { properties: {} } }), path: '/tools/0/input_schema', keyword: 'required', missing: 'type' },
  { name: 'an unknown tool type is rejected at /tools/0/type', data: withTool({ type: 'image_generation', name: 'img' }), path: '/tools/0/type', keyword: 'enum' },
  { name: 'a web_search tool with the wrong name is rejected at /tools/0/name', data: withTool({ type: 'web_search_20250305', name: 'search' }), path: '/tools/0/name', keyword: 'const' },
  { name: 'a web_search tool with max_uses 0 is rejected at /tools/0/max_uses', data: withTool({ type: 'web_search_20250305', name: 'web_search', max_uses: 0 }), path: '/tools/0/max_uses', keyword: 'exclusiveMinimum' },
  { name: 'a web_search user_location with a 3-letter country is rejected at /tools/0/user_location/country', data: withTool({ type: 'web_search_20250305', name: 'web_search', user_location: { type: 'approximate', country: 'FRA' } }), path: '/tools/0/user_location/country', keyword: 'maxLength' },
  { name: 'a computer tool without display size is rejected at /tools/0', data: withTool({ type: 'computer_20250124', name: 'computer' }), path: '/tools/0', keyword: 'required', missing: 'display_width_px' },
  { name: 'text_editor_20250728 named str_replace_editor is rejected at /tools/0/name', data: withTool({ type: 'text_editor_20250728', name: 'str_replace_editor' }), path: '/tools/0/name', keyword: 'const' },
  { name: 'an mcp_toolset without mcp_server_name is rejected at /tools/0', data: withTool({ type: 'mcp_toolset' }), path: '/tools/0', keyword: 'required', missing: 'mcp_server_name' },
  { name: 'an unknown allowed_callers entry is rejected at /tools/0/allowed_callers/0', data: withTool({ name: 'f', input_schema: { type: 'object' }, allowed_callers: ['anyone'] }), path: '/tools/0/allowed_callers/0', keyword: 'enum' },
  { name: 'an unknown tool_choice type is rejected at /tool_choice/type', data: req({ tool_choice: { type: 'required' } }), path: '/tool_choice/type', keyword: 'enum' },
  { name: 'tool_choice given as a string is rejected at /tool_choice', data: req({ tool_choice: 'auto' }), path: '/tool_choice', keyword: 'type' },
  { name: 'tool_choice "tool" without name is rejected at /tool_choice', data: req({ tool_choice: { type: 'tool' } }), path: '/tool_choice', keyword: 'required', missing: 'name' },
  { name: 'thinking.budget_tokens below 1024 is rejected at /thinking/budget_tokens', data: req({ thinking: { type: 'enabled', budget_tokens: 512 } }), path: '/thinking/budget_tokens', keyword: 'minimum' },
  { name: 'thinking enabled without budget_tokens is rejected at /thinking', data: req({ thinking: { type: 'enabled' } }), path: '/thinking', keyword: 'required', missing: 'budget_tokens' },
  { name: 'an unknown thinking type is rejected at /thinking/type', data: req({ thinking: { type: 'always' } }), path: '/thinking/type', keyword: 'enum' },
  { name: 'an unknown thinking display is rejected at /thinking/display', data: req({ thinking: { type: 'adaptive', display: 'verbose' } }), path: '/thinking/display', keyword: 'enum' },
  { name: 'temperature above 1 is rejected at /temperature', data: req({ temperature: 1.5 }), path: '/temperature', keyword: 'maximum' },
  { name: 'top_p below 0 is rejected at /top_p', data: req({ top_p: -0.1 }), path: '/top_p', keyword: 'minimum' },
  { name: 'a negative top_k is rejected at /top_k', data: req({ top_k: -1 }), path: '/top_k', keyword: 'minimum' },
  { name: 'a stop sequence that is not a string is rejected at /stop_sequences/1', data: req({ stop_sequences: ['a', 2] }), path: '/stop_sequences/1', keyword: 'type' },
  { name: 'stream given as a string is rejected at /stream', data: req({ stream: 'true' }), path: '/stream', keyword: 'type' },
  { name: 'metadata.user_id longer than 512 characters is rejected at /metadata/user_id', data: req({ metadata: { user_id: 'x'.repeat(513) } }), path: '/metadata/user_id', keyword: 'maxLength' },
  { name: 'an unknown service_tier is rejected at /service_tier', data: req({ service_tier: 'priority' }), path: '/service_tier', keyword: 'enum' },
  { name: 'an unknown output_config.effort is rejected at /output_config/effort', data: req({ output_config: { effort: 'extreme' } }), path: '/output_config/effort', keyword: 'enum' },
  { name: 'an output_format without schema is rejected at /output_format', data: req({ output_format: { type: 'json_schema' } }), path: '/output_format', keyword: 'required', missing: 'schema' },
  { name: 'a task budget below 1024 tokens is rejected at /output_config/task_budget/total', data: req({ output_config: { task_budget: { type: 'tokens', total: 100 } } }), path: '/output_config/task_budget/total', keyword: 'minimum' },
  { name: 'more than 20 mcp_servers are rejected at /mcp_servers', data: req({ mcp_servers: Array.from({ length: 21 }, (_, i) => ({ type: 'url', url: 'https://a', name: `s${i}` })) }), path: '/mcp_servers', keyword: 'maxItems' },
  { name: 'an mcp server without url is rejected at /mcp_servers/0', data: req({ mcp_servers: [{ type: 'url', name: 's' }] }), path: '/mcp_servers/0', keyword: 'required', missing: 'url' },
  { name: 'an unknown context_management edit is rejected at /context_management/edits/0/type', data: req({ context_management: { edits: [{ type: 'drop_everything' }] } }), path: '/context_management/edits/0/type', keyword: 'enum' },
  { name: 'clear_thinking keep as a string other than "all" is rejected at /context_management/edits/0/keep', data: req({ context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'some' }] } }), path: '/context_management/edits/0/keep', keyword: 'const' },
  { name: 'more than 8 container skills are rejected at /container/skills', data: req({ container: { skills: Array.from({ length: 9 }, () => ({ type: 'custom', skill_id: 's' })) } }), path: '/container/skills', keyword: 'maxItems' },
  { name: 'a safeguard without type is rejected at /safeguards/0', data: req({ safeguards: [{ classifier_context: {} }] }), path: '/safeguards/0', keyword: 'required', missing: 'type' },
];

const responseNegatives: Negative[] = [
  { name: 'a message without id is rejected at the root', data: (({ id: _id, ...m }) => m)(baseMessage()), path: '', keyword: 'required', missing: 'id' },
  { name: 'a message without usage is rejected at the root', data: (({ usage: _u, ...m }) => m)(baseMessage()), path: '', keyword: 'required', missing: 'usage' },
  { name: 'a message without stop_reason is rejected at the root', data: (({ stop_reason: _s, ...m }) => m)(baseMessage()), path: '', keyword: 'required', missing: 'stop_reason' },
  { name: 'a message whose type is not "message" is rejected at /type', data: baseMessage({ type: 'completion' }), path: '/type', keyword: 'const' },
  { name: 'a message with role user is rejected at /role', data: baseMessage({ role: 'user' }), path: '/role', keyword: 'const' },
  { name: 'an unknown stop_reason is rejected at /stop_reason', data: baseMessage({ stop_reason: 'length' }), path: '/stop_reason', keyword: 'enum' },
  { name: 'content that is a string is rejected at /content', data: baseMessage({ content: 'Hello' }), path: '/content', keyword: 'type' },
  { name: 'usage without output_tokens is rejected at /usage', data: baseMessage({ usage: { input_tokens: 1 } }), path: '/usage', keyword: 'required', missing: 'output_tokens' },
  { name: 'negative input_tokens are rejected at /usage/input_tokens', data: baseMessage({ usage: { input_tokens: -1, output_tokens: 1 } }), path: '/usage/input_tokens', keyword: 'minimum' },
  { name: 'an unknown usage.service_tier is rejected at /usage/service_tier', data: baseMessage({ usage: { input_tokens: 1, output_tokens: 1, service_tier: 'gold' } }), path: '/usage/service_tier', keyword: 'enum' },
  { name: 'an unknown content block type is rejected at /content/0/type', data: baseMessage({ content: [{ type: 'image', source: {} }] }), path: '/content/0/type', keyword: 'enum' },
  { name: 'a text block without text is rejected at /content/0', data: baseMessage({ content: [{ type: 'text' }] }), path: '/content/0', keyword: 'required', missing: 'text' },
  { name: 'a tool_use block without input is rejected at /content/1', data: baseMessage({ content: [{ type: 'text', text: 'x' }, { type: 'tool_use', id: 'toolu_1', name: 'f' }] }), path: '/content/1', keyword: 'required', missing: 'input' },
  { name: 'a tool_use block without id is rejected at /content/0', data: baseMessage({ content: [{ type: 'tool_use', name: 'f', input: {} }] }), path: '/content/0', keyword: 'required', missing: 'id' },
  { name: 'a server_tool_use with an unknown name is rejected at /content/0/name', data: baseMessage({ content: [{ type: 'server_tool_use', id: SRV, name: 'shell', input: {} }] }), path: '/content/0/name', keyword: 'enum' },
  { name: 'a web_fetch_tool_result error with an unknown code is rejected at /content/0/content/error_code', data: baseMessage({ content: [{ type: 'web_fetch_tool_result', tool_use_id: SRV, content: { type: 'web_fetch_tool_result_error', error_code: 'nope' } }] }), path: '/content/0/content/error_code', keyword: 'enum' },
  { name: 'a citation of unknown type is rejected at /content/0/citations/0/type', data: baseMessage({ content: [{ type: 'text', text: 'x', citations: [{ type: 'footnote', cited_text: 'x' }] }] }), path: '/content/0/citations/0/type', keyword: 'enum' },
  { name: 'a thinking block without signature is rejected at /content/0', data: baseMessage({ content: [{ type: 'thinking', thinking: 't' }] }), path: '/content/0', keyword: 'required', missing: 'signature' },
  { name: 'a container whose expires_at is not a date-time is rejected at /container/expires_at', data: baseMessage({ container: { id: 'c', expires_at: 'tomorrow' } }), path: '/container/expires_at', keyword: 'format' },
  { name: 'stop_details of an unknown category is rejected at /stop_details/category', data: baseMessage({ stop_reason: 'refusal', stop_details: { type: 'refusal', category: 'spam' } }), path: '/stop_details/category', keyword: 'enum' },
];

const eventNegatives: Negative[] = [
  { name: 'an event without type is rejected at the root', data: { index: 0 }, path: '', keyword: 'required', missing: 'type' },
  { name: 'an unknown event type is rejected at /type', data: { type: 'response.output_text.delta', delta: 'x' }, path: '/type', keyword: 'enum' },
  { name: 'a content_block_delta without index is rejected at the root', data: { type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } }, path: '', keyword: 'required', missing: 'index' },
  { name: 'a negative content block index is rejected at /index', data: { type: 'content_block_stop', index: -1 }, path: '/index', keyword: 'minimum' },
  { name: 'an unknown delta type is rejected at /delta/type', data: { type: 'content_block_delta', index: 0, delta: { type: 'audio_delta', data: 'x' } }, path: '/delta/type', keyword: 'enum' },
  { name: 'a text_delta without text is rejected at /delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta' } }, path: '/delta', keyword: 'required', missing: 'text' },
  { name: 'an input_json_delta whose partial_json is an object is rejected at /delta/partial_json', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: { a: 1 } } }, path: '/delta/partial_json', keyword: 'type' },
  { name: 'a citations_delta without citation is rejected at /delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta' } }, path: '/delta', keyword: 'required', missing: 'citation' },
  { name: 'a content_block_start with an unknown block type is rejected at /content_block/type', data: { type: 'content_block_start', index: 0, content_block: { type: 'audio' } }, path: '/content_block/type', keyword: 'enum' },
  { name: 'a content_block_start tool_use without name is rejected at /content_block', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', input: {} } }, path: '/content_block', keyword: 'required', missing: 'name' },
  { name: 'a message_start whose message lacks usage is rejected at /message', data: { type: 'message_start', message: (({ usage: _u, ...m }) => m)(baseMessage({ content: [], stop_reason: null })) }, path: '/message', keyword: 'required', missing: 'usage' },
  { name: 'a message_delta without usage is rejected at the root', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null } }, path: '', keyword: 'required', missing: 'usage' },
  { name: 'a message_delta usage without output_tokens is rejected at /usage', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 3 } }, path: '/usage', keyword: 'required', missing: 'output_tokens' },
  { name: 'a message_delta with an unknown stop_reason is rejected at /delta/stop_reason', data: { type: 'message_delta', delta: { stop_reason: 'done', stop_sequence: null }, usage: { output_tokens: 1, input_tokens: 5 } }, path: '/delta/stop_reason', keyword: 'enum' },
  { name: 'an error event without error.message is rejected at /error', data: { type: 'error', error: { type: 'overloaded_error' } }, path: '/error', keyword: 'required', missing: 'message' },
  { name: 'an error event with an unknown error.type is rejected at /error/type', data: { type: 'error', error: { type: 'exploded', message: 'x' } }, path: '/error/type', keyword: 'enum' },
];

const errorNegatives: Negative[] = [
  { name: 'a body whose type is not "error" is rejected at /type', data: { type: 'message', error: { type: 'api_error', message: 'x' }, request_id: null }, path: '/type', keyword: 'const' },
  { name: 'a body without error is rejected at the root', data: { type: 'error', request_id: 'req_1' }, path: '', keyword: 'required', missing: 'error' },
  { name: 'a body without request_id is rejected at the root', data: { type: 'error', error: { type: 'api_error', message: 'x' } }, path: '', keyword: 'required', missing: 'request_id' },
  { name: 'an error without message is rejected at /error', data: { type: 'error', error: { type: 'api_error' }, request_id: null }, path: '/error', keyword: 'required', missing: 'message' },
  { name: 'an unknown error.type is rejected at /error/type', data: { type: 'error', error: { type: 'server_error', message: 'x' }, request_id: null }, path: '/error/type', keyword: 'enum' },
  { name: 'a request_id that is a number is rejected at /request_id', data: { type: 'error', error: { type: 'api_error', message: 'x' }, request_id: 7 }, path: '/request_id', keyword: 'type' },
  { name: 'an OpenAI-style error body is rejected at the root', data: { error: { message: 'x', type: 'invalid_request_error', param: null, code: null } }, path: '', keyword: 'required', missing: 'type' },
];

describe('negative cases', () => {
  it.each(requestNegatives.map((c) => [c.name, c] as const))('request: %s', (_n, c) => expectRejected('request', c));
  it.each(responseNegatives.map((c) => [c.name, c] as const))('response: %s', (_n, c) => expectRejected('response', c));
  it.each(eventNegatives.map((c) => [c.name, c] as const))('stream event: %s', (_n, c) => expectRejected('stream-event', c));
  it.each(errorNegatives.map((c) => [c.name, c] as const))('error: %s', (_n, c) => expectRejected('error', c));
});

// ---------------------------------------------------------------------------
// Coverage: the schemas list everything the spec and the recorded traffic have

const missingFrom = (listed: Iterable<unknown>, wanted: Iterable<unknown>): unknown[] => {
  const have = new Set(listed);
  return [...new Set(wanted)].filter((w) => !have.has(w));
};

describe('coverage against the OpenAPI spec', () => {
  const request = schemaDocs.request;
  const inputBlock = def('request', 'InputContentBlock');
  const toolDef = def('request', 'Tool');
  const specParams = specSchema('BetaCreateMessageParams');

  it('request lists every property of CreateMessageParams and BetaCreateMessageParams', () => {
    const wanted = [...propsOf(specSchema('CreateMessageParams')), ...propsOf(specParams)];
    expect(missingFrom(propsOf(request), wanted)).toEqual([]);
    expect(request.required).toEqual(specParams.required);
  });

  it('request accepts every input content block type of the spec, with all of its properties', () => {
    const mapping = (specSchema('BetaInputContentBlock').oneOf as Json[]).map(specRef);
    expect(mapping.length).toBe(20);
    for (const specBlock of mapping) {
      const [tag] = specTypeValues(specBlock);
      expect(unionTags(inputBlock), String(tag)).toContain(tag);
      const ours = unionMember('request', inputBlock, tag);
      expect(ours, String(tag)).toBeDefined();
      expect(missingFrom(propsOf(ours ?? {}), propsOf(specBlock)), String(tag)).toEqual([]);
      expect(missingFrom((ours?.required as string[] | undefined) ?? [], specBlock.required as string[]), String(tag)).toEqual(
        tag === 'compaction' ? ['content'] : [],
      );
    }
  });

  it('request accepts every tool type of the spec, with all of its properties', () => {
    const specTools = (((specParams.properties as Json).tools as Json).items as Json).oneOf as Json[];
    expect(specTools.length).toBe(23);
    const ourTypes = ((toolDef.properties as Record<string, Json>).type?.enum as unknown[]) ?? [];
    for (const t of specTools.map(specRef)) {
      for (const type of specTypeValues(t)) {
        expect(ourTypes, String(type)).toContain(type);
        const ours = type === 'custom' ? def('request', 'CustomTool') : unionMember('request', toolDef, type);
        expect(ours, String(type)).toBeDefined();
        expect(missingFrom(propsOf(ours ?? {}), propsOf(t)), String(type)).toEqual([]);
      }
    }
  });

  it('request enums match the spec (roles, tool_choice, thinking, service_tier, effort, context edits)', () => {
    expect(unionTags(def('request', 'ToolChoice'))).toEqual(['auto', 'any', 'tool', 'none']);
    expect(unionTags(def('request', 'ThinkingConfig'))).toEqual(expect.arrayContaining(['enabled', 'disabled', 'adaptive']));
    expect(((def('request', 'Message').properties as Record<string, Json>).role?.enum as unknown[])).toEqual(
      expect.arrayContaining((((specSchema('BetaInputMessage').properties as Json).role as Json).enum as unknown[])),
    );
    expect((request.properties as Record<string, Json>).service_tier?.enum).toEqual(
      ((specParams.properties as Json).service_tier as Json).enum,
    );
    expect(def('request', 'EffortLevel').enum).toEqual(specSchema('BetaEffortLevel').enum);
    expect(unionTags(def('request', 'ContextManagementEdit')).sort()).toEqual(
      ['clear_thinking_20251015', 'clear_tool_uses_20250919', 'compact_20260112'],
    );
    const display = (def('request', 'ThinkingAdaptive').properties as Record<string, Json>).display?.enum as unknown[];
    expect(missingFrom(display, specSchema('BetaThinkingDisplayMode').enum as unknown[])).toEqual([]);
    expect(display).toContain('updates');
  });

  it('response lists every property of BetaMessage and BetaUsage, every content block type and every stop reason', () => {
    const response = schemaDocs.response;
    expect(missingFrom(propsOf(response), propsOf(specSchema('BetaMessage')))).toEqual([]);
    expect(missingFrom(propsOf(def('response', 'Usage')), propsOf(specSchema('BetaUsage')))).toEqual([]);
    expect(missingFrom(def('response', 'StopReason').enum as unknown[], [...(specSchema('BetaStopReason').enum as unknown[]), null])).toEqual([]);
    const contentBlock = def('response', 'ContentBlock');
    for (const specBlock of (specSchema('BetaContentBlock').oneOf as Json[]).map(specRef)) {
      const [tag] = specTypeValues(specBlock);
      const ours = unionMember('response', contentBlock, tag);
      expect(ours, String(tag)).toBeDefined();
      expect(missingFrom(propsOf(ours ?? {}), propsOf(specBlock)), String(tag)).toEqual([]);
    }
  });

  it('stream events cover the spec union plus ping and error, every delta type, MessageDelta and MessageDeltaUsage', () => {
    const streamDoc = schemaDocs['stream-event'];
    const specEvents = (specSchema('BetaMessageStreamEvent').oneOf as Json[]).map(specRef).flatMap(specTypeValues);
    expect(unionTags(streamDoc).sort()).toEqual([...specEvents, 'ping', 'error'].sort());
    const specDeltas = ((((specSchema('BetaContentBlockDeltaEvent').properties as Json).delta as Json).oneOf as Json[]).map(specRef)).flatMap(specTypeValues);
    expect(unionTags(def('stream-event', 'ContentBlockDelta')).sort()).toEqual([...specDeltas].sort());
    expect(missingFrom(propsOf(def('stream-event', 'MessageDelta')), propsOf(specSchema('BetaMessageDelta')))).toEqual([]);
    expect(missingFrom(propsOf(def('stream-event', 'MessageDeltaUsage')), propsOf(specSchema('BetaMessageDeltaUsage')))).toEqual([]);
    expect(missingFrom(propsOf(def('stream-event', 'MessageDeltaEvent')), propsOf(specSchema('BetaMessageDeltaEvent')))).toEqual([]);
  });

  /**
   * [schema, our $def ('' = the root), spec schema, spec-required fields we deliberately do not require (and why)].
   * Every spec property must be listed, and every spec-required field required unless recordings show it missing.
   */
  const pairs: [SchemaName, string, string, string[]][] = [
    ['request', '', 'BetaCreateMessageParams', []],
    ['request', 'CacheControl', 'BetaCacheControlEphemeral', []],
    ['request', 'DirectCaller', 'BetaDirectCaller', []],
    ['request', 'ServerToolCaller', 'BetaServerToolCaller', []],
    ['request', 'ServerToolCaller', 'BetaServerToolCaller_20260120', []],
    ['request', 'CitationsConfig', 'BetaRequestCitationsConfig', []],
    ['request', 'CharLocationCitation', 'BetaRequestCharLocationCitation', []],
    ['request', 'PageLocationCitation', 'BetaRequestPageLocationCitation', []],
    ['request', 'ContentBlockLocationCitation', 'BetaRequestContentBlockLocationCitation', []],
    ['request', 'WebSearchResultLocationCitation', 'BetaRequestWebSearchResultLocationCitation', []],
    ['request', 'SearchResultLocationCitation', 'BetaRequestSearchResultLocationCitation', []],
    ['request', 'Base64ImageSource', 'BetaBase64ImageSource', []],
    ['request', 'URLImageSource', 'BetaURLImageSource', []],
    ['request', 'FileSource', 'BetaFileImageSource', []],
    ['request', 'FileSource', 'BetaFileDocumentSource', []],
    ['request', 'Base64PDFSource', 'BetaBase64PDFSource', []],
    ['request', 'PlainTextSource', 'BetaPlainTextSource', []],
    ['request', 'ContentBlockSource', 'BetaContentBlockSource', []],
    ['request', 'URLPDFSource', 'BetaURLPDFSource', []],
    ['request', 'ToolReferenceBlock', 'BetaRequestToolReferenceBlock', []],
    ['request', 'WebSearchResultBlock', 'BetaRequestWebSearchResultBlock', []],
    ['request', 'WebSearchToolResultError', 'BetaRequestWebSearchToolResultError', []],
    ['request', 'WebFetchResultBlock', 'BetaRequestWebFetchResultBlock', []],
    ['request', 'WebFetchToolResultError', 'BetaRequestWebFetchToolResultError', []],
    ['request', 'AdvisorResultBlock', 'BetaRequestAdvisorResultBlock', []],
    ['request', 'AdvisorRedactedResultBlock', 'BetaRequestAdvisorRedactedResultBlock', []],
    ['request', 'AdvisorToolResultError', 'BetaRequestAdvisorToolResultError', []],
    ['request', 'CodeExecutionOutputBlock', 'BetaRequestCodeExecutionOutputBlock', []],
    ['request', 'CodeExecutionResultBlock', 'BetaRequestCodeExecutionResultBlock', []],
    ['request', 'EncryptedCodeExecutionResultBlock', 'BetaRequestEncryptedCodeExecutionResultBlock', []],
    ['request', 'CodeExecutionToolResultError', 'BetaRequestCodeExecutionToolResultError', []],
    ['request', 'BashCodeExecutionResultBlock', 'BetaRequestBashCodeExecutionResultBlock', []],
    ['request', 'BashCodeExecutionToolResultError', 'BetaRequestBashCodeExecutionToolResultError', []],
    ['request', 'TextEditorViewResultBlock', 'BetaRequestTextEditorCodeExecutionViewResultBlock', []],
    ['request', 'TextEditorCreateResultBlock', 'BetaRequestTextEditorCodeExecutionCreateResultBlock', []],
    ['request', 'TextEditorStrReplaceResultBlock', 'BetaRequestTextEditorCodeExecutionStrReplaceResultBlock', []],
    ['request', 'TextEditorCodeExecutionToolResultError', 'BetaRequestTextEditorCodeExecutionToolResultError', []],
    ['request', 'ToolSearchResultBlock', 'BetaRequestToolSearchToolSearchResultBlock', []],
    ['request', 'ToolSearchToolResultError', 'BetaRequestToolSearchToolResultError', []],
    ['request', 'ToolChoiceAuto', 'BetaToolChoiceAuto', []],
    ['request', 'ToolChoiceAny', 'BetaToolChoiceAny', []],
    ['request', 'ToolChoiceTool', 'BetaToolChoiceTool', []],
    ['request', 'ToolChoiceNone', 'BetaToolChoiceNone', []],
    ['request', 'ThinkingEnabled', 'BetaThinkingConfigEnabled', []],
    ['request', 'ThinkingDisabled', 'BetaThinkingConfigDisabled', []],
    ['request', 'ThinkingAdaptive', 'BetaThinkingConfigAdaptive', []],
    ['request', 'Metadata', 'BetaMetadata', []],
    ['request', 'JsonOutputFormat', 'BetaJsonOutputFormat', []],
    ['request', 'OutputConfig', 'BetaOutputConfig', []],
    ['request', 'TokenTaskBudget', 'BetaTokenTaskBudget', []],
    ['request', 'ContainerParams', 'BetaContainerParams', []],
    ['request', 'ContextManagementConfig', 'BetaContextManagementConfig', []],
    ['request', 'ClearToolUsesEdit', 'BetaClearToolUses20250919', []],
    ['request', 'ClearThinkingEdit', 'BetaClearThinking20251015', []],
    ['request', 'CompactEdit', 'BetaCompact20260112', []],
    ['request', 'InputTokensTrigger', 'BetaInputTokensTrigger', []],
    ['request', 'ToolUsesTrigger', 'BetaToolUsesTrigger', []],
    ['request', 'AllThinkingTurns', 'BetaAllThinkingTurns', []],
    ['request', 'ThinkingTurns', 'BetaThinkingTurns', []],
    ['request', 'MCPServerURLDefinition', 'BetaRequestMCPServerURLDefinition', []],
    ['request', 'UserLocation', 'BetaUserLocation', []],
    ['request', 'InputSchema', 'BetaInputSchema', []],
    // content is required for user/assistant turns only (if/then): SDK 1.14.0 system turns may omit it
    ['request', 'Message', 'BetaInputMessage', ['content']],
    // recordings omit these (see the descriptions in response.json)
    ['response', '', 'BetaMessage', ['stop_sequence', 'stop_details', 'context_management', 'container']],
    ['response', 'Usage', 'BetaUsage', ['cache_creation', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'inference_geo', 'iterations', 'server_tool_use', 'service_tier', 'speed']],
    ['response', 'TextBlock', 'BetaResponseTextBlock', ['citations']],
    ['response', 'ThinkingBlock', 'BetaResponseThinkingBlock', []],
    ['response', 'RedactedThinkingBlock', 'BetaResponseRedactedThinkingBlock', []],
    ['response', 'ToolUseBlock', 'BetaResponseToolUseBlock', []],
    ['response', 'ServerToolUseBlock', 'BetaResponseServerToolUseBlock', []],
    ['response', 'WebSearchToolResultBlock', 'BetaResponseWebSearchToolResultBlock', []],
    ['response', 'WebSearchResultBlock', 'BetaResponseWebSearchResultBlock', []],
    ['response', 'WebSearchToolResultError', 'BetaResponseWebSearchToolResultError', []],
    ['response', 'WebFetchToolResultBlock', 'BetaResponseWebFetchToolResultBlock', []],
    ['response', 'WebFetchResultBlock', 'BetaResponseWebFetchResultBlock', []],
    ['response', 'DocumentBlock', 'BetaResponseDocumentBlock', ['citations']],
    ['response', 'Base64PDFSource', 'BetaBase64PDFSource', []],
    ['response', 'PlainTextSource', 'BetaPlainTextSource', []],
    ['response', 'WebFetchToolResultError', 'BetaResponseWebFetchToolResultError', []],
    ['response', 'AdvisorToolResultBlock', 'BetaResponseAdvisorToolResultBlock', []],
    ['response', 'AdvisorResultBlock', 'BetaResponseAdvisorResultBlock', []],
    ['response', 'AdvisorRedactedResultBlock', 'BetaResponseAdvisorRedactedResultBlock', []],
    ['response', 'AdvisorToolResultError', 'BetaResponseAdvisorToolResultError', []],
    ['response', 'CodeExecutionToolResultBlock', 'BetaResponseCodeExecutionToolResultBlock', []],
    ['response', 'CodeExecutionResultBlock', 'BetaResponseCodeExecutionResultBlock', []],
    ['response', 'EncryptedCodeExecutionResultBlock', 'BetaResponseEncryptedCodeExecutionResultBlock', []],
    ['response', 'CodeExecutionToolResultError', 'BetaResponseCodeExecutionToolResultError', []],
    ['response', 'BashCodeExecutionToolResultBlock', 'BetaResponseBashCodeExecutionToolResultBlock', []],
    ['response', 'BashCodeExecutionResultBlock', 'BetaResponseBashCodeExecutionResultBlock', []],
    ['response', 'BashCodeExecutionToolResultError', 'BetaResponseBashCodeExecutionToolResultError', []],
    ['response', 'TextEditorCodeExecutionToolResultBlock', 'BetaResponseTextEditorCodeExecutionToolResultBlock', []],
    ['response', 'TextEditorViewResultBlock', 'BetaResponseTextEditorCodeExecutionViewResultBlock', []],
    ['response', 'TextEditorCreateResultBlock', 'BetaResponseTextEditorCodeExecutionCreateResultBlock', []],
    ['response', 'TextEditorStrReplaceResultBlock', 'BetaResponseTextEditorCodeExecutionStrReplaceResultBlock', []],
    ['response', 'TextEditorCodeExecutionToolResultError', 'BetaResponseTextEditorCodeExecutionToolResultError', []],
    ['response', 'ToolSearchToolResultBlock', 'BetaResponseToolSearchToolResultBlock', []],
    ['response', 'ToolSearchResultBlock', 'BetaResponseToolSearchToolSearchResultBlock', []],
    ['response', 'ToolSearchToolResultError', 'BetaResponseToolSearchToolResultError', []],
    ['response', 'MCPToolUseBlock', 'BetaResponseMCPToolUseBlock', []],
    ['response', 'MCPToolResultBlock', 'BetaResponseMCPToolResultBlock', []],
    ['response', 'ContainerUploadBlock', 'BetaResponseContainerUploadBlock', []],
    ['response', 'CompactionBlock', 'BetaResponseCompactionBlock', []],
    ['response', 'CharLocationCitation', 'BetaResponseCharLocationCitation', []],
    ['response', 'PageLocationCitation', 'BetaResponsePageLocationCitation', []],
    ['response', 'ContentBlockLocationCitation', 'BetaResponseContentBlockLocationCitation', []],
    ['response', 'WebSearchResultLocationCitation', 'BetaResponseWebSearchResultLocationCitation', []],
    ['response', 'SearchResultLocationCitation', 'BetaResponseSearchResultLocationCitation', []],
    ['response', 'CacheCreation', 'BetaCacheCreation', []],
    ['response', 'ServerToolUsage', 'BetaServerToolUsage', []],
    ['response', 'RefusalStopDetails', 'BetaRefusalStopDetails', []],
    ['response', 'Container', 'BetaContainer', ['skills']],
    ['response', 'ContextManagementResponse', 'BetaResponseContextManagement', []],
    ['response', 'ClearToolUsesApplied', 'BetaResponseClearToolUses20250919Edit', []],
    ['response', 'ClearThinkingApplied', 'BetaResponseClearThinking20251015Edit', []],
    ['stream-event', 'MessageStartEvent', 'BetaMessageStartEvent', []],
    ['stream-event', 'ContentBlockStartEvent', 'BetaContentBlockStartEvent', []],
    ['stream-event', 'ContentBlockDeltaEvent', 'BetaContentBlockDeltaEvent', []],
    ['stream-event', 'ContentBlockStopEvent', 'BetaContentBlockStopEvent', []],
    ['stream-event', 'MessageDeltaEvent', 'BetaMessageDeltaEvent', ['context_management']],
    ['stream-event', 'MessageDelta', 'BetaMessageDelta', ['container', 'stop_details']],
    ['stream-event', 'MessageDeltaUsage', 'BetaMessageDeltaUsage', ['cache_creation_input_tokens', 'cache_read_input_tokens', 'iterations', 'server_tool_use']],
    ['stream-event', 'MessageStopEvent', 'BetaMessageStopEvent', []],
    ['stream-event', 'PingEvent', 'Ping', []],
    ['stream-event', 'TextDelta', 'BetaTextContentBlockDelta', []],
    ['stream-event', 'InputJsonDelta', 'BetaInputJsonContentBlockDelta', []],
    ['stream-event', 'CitationsDelta', 'BetaCitationsDelta', []],
    ['stream-event', 'ThinkingDelta', 'BetaThinkingContentBlockDelta', []],
    ['stream-event', 'SignatureDelta', 'BetaSignatureContentBlockDelta', []],
    ['stream-event', 'CompactionDelta', 'BetaCompactionContentBlockDelta', []],
    ['error', '', 'BetaErrorResponse', []],
  ];

  it.each(pairs.map(([schema, ours, theirs, waived]) => [`${schema}#${ours || '(root)'}`, theirs, schema, ours, waived] as const))(
    '%s lists every property of spec %s and requires what it requires',
    (_label, theirs, schema, ours, waived) => {
      const mine = ours === '' ? schemaDocs[schema] : def(schema, ours);
      const theirSchema = specSchema(theirs);
      expect(missingFrom(propsOf(mine), propsOf(theirSchema)), 'unlisted spec properties').toEqual([]);
      const notRequired = missingFrom((mine.required as string[] | undefined) ?? [], (theirSchema.required as string[] | undefined) ?? []);
      expect(notRequired.sort(), 'spec-required fields not required').toEqual([...waived].sort());
    },
  );

  it('error types cover the spec ErrorType enum', () => {
    expect(missingFrom(def('error', 'ErrorType').enum as unknown[], specSchema('ErrorType').enum as unknown[])).toEqual([]);
    expect(def('error', 'ErrorType').enum).toEqual(def('stream-event', 'ErrorType').enum);
  });
});

describe('coverage against the recorded traffic (every key is a listed property)', () => {
  const request = schemaDocs.request;
  const inputBlock = def('request', 'InputContentBlock');
  const toolDef = def('request', 'Tool');

  function blockKeysMissing(schema: SchemaName, union: Json, block: Json, where: string, out: string[]): void {
    const member = unionMember(schema, union, block.type);
    if (!member) {
      out.push(`${where}: unknown block type ${String(block.type)}`);
      return;
    }
    for (const k of missingFrom(propsOf(member), Object.keys(block))) out.push(`${where}.${String(k)} (${String(block.type)})`);
  }

  it('every key of every real request body, message, content block and tool is listed in request.json', () => {
    const missing: string[] = [];
    const bodies = [...messageRequests, ...batchRequestParams, ...countTokensRequests];
    for (const { name, data } of bodies) {
      const body = data as Json;
      for (const k of missingFrom(propsOf(request), Object.keys(body))) missing.push(`${name}: top-level ${String(k)}`);
      for (const m of body.messages as Json[]) {
        for (const k of missingFrom(propsOf(def('request', 'Message')), Object.keys(m))) missing.push(`${name}: message.${String(k)}`);
        if (!Array.isArray(m.content)) continue;
        for (const b of m.content as Json[]) {
          blockKeysMissing('request', inputBlock, b, `${name}: block`, missing);
          if (b.type === 'tool_result' && Array.isArray(b.content)) {
            for (const inner of b.content as Json[]) blockKeysMissing('request', def('request', 'ToolResultContentBlock'), inner, `${name}: tool_result block`, missing);
          }
        }
      }
      if (Array.isArray(body.system)) for (const b of body.system as Json[]) blockKeysMissing('request', inputBlock, b, `${name}: system`, missing);
      for (const t of (body.tools as Json[] | undefined) ?? []) {
        const member = t.type === undefined || t.type === null || t.type === 'custom' ? def('request', 'CustomTool') : unionMember('request', toolDef, t.type);
        for (const k of missingFrom(propsOf(member ?? {}), Object.keys(t))) missing.push(`${name}: tool.${String(k)}`);
      }
      for (const key of ['thinking', 'tool_choice', 'metadata', 'output_config', 'context_management', 'cache_control'] as const) {
        const v = body[key];
        if (!isObject(v)) continue;
        const target = {
          thinking: unionMember('request', def('request', 'ThinkingConfig'), v.type),
          tool_choice: unionMember('request', def('request', 'ToolChoice'), v.type),
          metadata: def('request', 'Metadata'),
          output_config: def('request', 'OutputConfig'),
          context_management: def('request', 'ContextManagementConfig'),
          cache_control: def('request', 'CacheControl'),
        }[key];
        for (const k of missingFrom(propsOf(target ?? {}), Object.keys(v))) missing.push(`${name}: ${key}.${String(k)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every key of every recorded Message, usage and content block is listed in response.json', () => {
    const missing: string[] = [];
    const messages = [
      ...recordedResponses,
      ...recordedEvents.filter((s) => (s.data as Json).type === 'message_start').map((s) => ({ name: s.name, data: (s.data as Json).message })),
    ];
    for (const { name, data } of messages) {
      const m = data as Json;
      for (const k of missingFrom(propsOf(schemaDocs.response), Object.keys(m))) missing.push(`${name}: ${String(k)}`);
      for (const k of missingFrom(propsOf(def('response', 'Usage')), Object.keys(m.usage as Json))) missing.push(`${name}: usage.${String(k)}`);
      for (const b of m.content as Json[]) blockKeysMissing('response', def('response', 'ContentBlock'), b, `${name}: block`, missing);
      if (isObject(m.stop_details)) {
        for (const k of missingFrom(propsOf(def('response', 'RefusalStopDetails')), Object.keys(m.stop_details))) missing.push(`${name}: stop_details.${String(k)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every key of every recorded stream event, delta and usage is listed in stream-event.json', () => {
    const missing: string[] = [];
    const streamDoc = schemaDocs['stream-event'];
    for (const { name, data } of recordedEvents) {
      const e = data as Json;
      const member = unionMember('stream-event', streamDoc, e.type);
      for (const k of missingFrom(propsOf(member ?? {}), Object.keys(e))) missing.push(`${name}: ${String(k)}`);
      if (e.type === 'content_block_delta') blockKeysMissing('stream-event', def('stream-event', 'ContentBlockDelta'), e.delta as Json, `${name}: delta`, missing);
      if (e.type === 'content_block_start') blockKeysMissing('stream-event', def('stream-event', 'ContentBlock'), e.content_block as Json, `${name}: content_block`, missing);
      if (e.type === 'message_delta') {
        for (const k of missingFrom(propsOf(def('stream-event', 'MessageDelta')), Object.keys(e.delta as Json))) missing.push(`${name}: delta.${String(k)}`);
        for (const k of missingFrom(propsOf(def('stream-event', 'MessageDeltaUsage')), Object.keys(e.usage as Json))) missing.push(`${name}: usage.${String(k)}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
