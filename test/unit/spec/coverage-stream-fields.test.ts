/**
 * Coverage of streams whose events are all one shape (stream.event_type_from): the event type is
 * read from the named field, and every field of the event schema must be named by a stream rule's
 * `covers:` or listed under `stream.ignored_fields:` with a reason. Streams keyed by `type` keep
 * the event-type check only.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { coverageOf, schemaEventTypes } from '../../../engine/spec/coverage.js';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';

let set: MappingSet;
const pairNamed = (name: string): CompiledPair => {
  const pair = set.pairs.find((p) => p.name === name);
  if (!pair) throw new Error(`pair ${name} not loaded`);
  return pair;
};

beforeAll(async () => {
  const result = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!result.set) throw new Error('the shipped mappings do not load');
  set = result.set;
});

describe('stream coverage by event field', () => {
  it('the event types of a chunk stream come from the field the stream names', () => {
    const schema = set.schemas.schema('openai-chat-completions', 'stream-event');
    expect(schemaEventTypes(schema)).toEqual([]);
    expect(schemaEventTypes(schema, 'object')).toEqual(['chat.completion.chunk']);
  });

  it('a chunk stream reports each event field as mapped (covers) or ignored (ignored_fields)', () => {
    const fields = coverageOf(pairNamed('anthropic-to-openai-chat'), set.schemas).streamFields;
    const status = Object.fromEntries(fields.map((f) => [f.path, f.status]));
    expect(status['choices.delta.content']).toBe('mapped');
    expect(status['choices.delta.tool_calls']).toBe('mapped');
    expect(status['obfuscation']).toBe('ignored');
    expect(status['choices.logprobs']).toBe('ignored');
    expect(fields.filter((f) => f.status === 'missing')).toEqual([]);
  });

  it('a field a rule stops naming, and nobody ignores, is reported missing', () => {
    const pair = pairNamed('anthropic-to-openai-chat');
    const stream = pair.spec.stream!;
    const rule = stream.events['chat.completion.chunk'];
    const spec = { ...pair.spec, stream: { ...stream, events: { ...stream.events, 'chat.completion.chunk': { ...rule, covers: rule.covers!.filter((c) => c !== 'choices.finish_reason') } } } };
    const fields = coverageOf({ ...pair, spec } as CompiledPair, set.schemas).streamFields;
    // `choices` is still named, so the field counts as used through its parent …
    expect(fields.find((f) => f.path === 'choices.finish_reason')?.status).toBe('mapped');
    // … but without the parent and the field, it is missing.
    const bare = { ...spec, stream: { ...spec.stream, events: { 'chat.completion.chunk': { ...rule, covers: ['id'] } } } };
    const missing = coverageOf({ ...pair, spec: bare } as CompiledPair, set.schemas).streamFields.filter((f) => f.status === 'missing').map((f) => f.path);
    expect(missing).toContain('choices.finish_reason');
    expect(missing).not.toContain('id');
    expect(missing).not.toContain('obfuscation');
  });

  it('a stream keyed by `type` keeps only the event-type check', () => {
    const report = coverageOf(pairNamed('anthropic-to-openai-responses'), set.schemas);
    expect(report.streamFields).toEqual([]);
    expect(report.streamEvents.length).toBeGreaterThan(50);
  });
});
