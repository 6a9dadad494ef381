/**
 * The whole examples of openai-responses-to-anthropic (mappings/…/examples/*.yaml) pass, each
 * direction they hold is checked, and what they show is what a client of each side accepts:
 * upstream requests against Anthropic's request schema, responses and errors against OpenAI's,
 * streamed examples against the Responses event grammar.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { formatProblem } from '../../../engine/spec/yaml-file.js';
import { runExamples, type ExampleResult } from '../../../engine/spec/run-examples.js';
import { coverageOf } from '../../../engine/spec/coverage.js';
import { checkResponsesStream } from '../../helpers/responses-sse-grammar.js';
import { apiSchemaKit } from '../../helpers/api-schema-kit.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';

type Json = Record<string, any>;

const PAIR = 'openai-responses-to-anthropic';
const mappingsDir = process.env.MAPPINGS_DIR ? path.resolve(process.env.MAPPINGS_DIR) : path.join(REPO_ROOT, 'mappings');
const anthropic = apiSchemaKit('anthropic-messages');
const openai = apiSchemaKit('openai-responses');

let set: MappingSet;
let pair: CompiledPair;
let results: ExampleResult[];

beforeAll(async () => {
  const loaded = await loadMappingSet({ mappingsDir, schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!loaded.set) throw new Error(`the mappings do not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  set = loaded.set;
  pair = set.pairs.find((p) => p.name === PAIR)!;
  results = await runExamples(pair, set.schemas);
});

describe(`${PAIR} whole examples`, () => {
  it('has examples of every direction', () => {
    const examples = pair.spec.examples ?? [];
    expect(examples.filter((e) => e.upstream_request !== undefined).length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((e) => e.upstream_response !== undefined).length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((e) => e.upstream_events !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(examples.filter((e) => e.upstream_error !== undefined).length).toBeGreaterThanOrEqual(5);
  });

  it('every example passes', () => {
    expect(results.filter((r) => r.failures.length > 0).map((r) => `${r.id}: ${JSON.stringify(r.failures)}`)).toEqual([]);
  });

  it('examples show what each side accepts', () => {
    for (const example of pair.spec.examples ?? []) {
      openai.expectValid('request', example.request, `${example.id} request`);
      if (example.upstream_request !== undefined) anthropic.expectValid('request', example.upstream_request, `${example.id} upstream_request`);
      if (example.upstream_response !== undefined) anthropic.expectValid('response', example.upstream_response, `${example.id} upstream_response`);
      if (example.response !== undefined) openai.expectValid('response', example.response, `${example.id} response`);
      if (example.error !== undefined) openai.expectValid('error', (example.error as Json).body, `${example.id} error`);
      if (example.events !== undefined) {
        for (const event of example.events as Json[]) openai.expectValid('stream-event', event, `${example.id} ${event.type}`);
        expect(checkResponsesStream(example.events as Json[]), example.id).toEqual([]);
      }
    }
  });
});

describe(`${PAIR} coverage`, () => {
  it('every inbound field, upstream response field and upstream event type is mapped or ignored with a reason', () => {
    const report = coverageOf(pair, set.schemas);
    const missing = [...report.inbound, ...report.upstreamResponse, ...report.streamEvents].filter((f) => f.status === 'missing').map((f) => f.path);
    expect(missing).toEqual([]);
    expect(report.streamEvents.map((f) => f.path)).toEqual(
      expect.arrayContaining(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error', 'ping']),
    );
  });
});
