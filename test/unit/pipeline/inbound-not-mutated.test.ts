/**
 * A mapping's output may hold the client's own objects (mapping blocks do not copy a compiled
 * rule's value; see translate/mapping-block.ts), so whatever receives it — validation, the
 * upstream call, logging, the answer, the error rendering, the stream framing — must only read
 * it. Here every whole example of every shipped pair goes through the mapped pipeline with its
 * client body (and, for streams, its upstream events) deep-frozen: a write anywhere into an
 * object shared with them throws (ES modules are strict), and the body is compared with an
 * untouched copy afterwards.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMapped, type PipelineDeps } from '../../../engine/pipeline/run-mapped.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';
import type { ExampleSpec } from '../../../engine/spec/pair-spec.js';
import { runStream } from '../../../engine/translate/stream-program.js';
import type { UpstreamReply, UpstreamSender } from '../../../engine/upstream/upstream-client.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** An upstream that answers every call with `status` and the JSON `body`. */
function upstreamAnswering(status: number, body: unknown): UpstreamSender {
  return {
    async send() {
      const reply: UpstreamReply = {
        status,
        headers: { 'content-type': 'application/json' },
        body: Readable.from([Buffer.from(JSON.stringify(body))]) as unknown as UpstreamReply['body'],
      };
      return reply;
    },
  };
}

let pairs: CompiledPair[];
beforeAll(async () => {
  const { set, problems } = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  expect(problems).toEqual([]);
  pairs = set!.pairs;
});

const log = pino({ level: 'silent' });

/** Runs the example's request through the pipeline; a write into a frozen object would end as a 500. */
async function throughPipeline(pair: CompiledPair, example: ExampleSpec, upstream: UpstreamSender, status: number): Promise<void> {
  const inbound = deepFreeze(structuredClone(example.request));
  const deps: PipelineDeps = { upstream, upstreamValidation: 'warn', maxUpstreamResponseBytes: 1 << 20, logBodies: true };
  const result = await runMapped(pair, pair.routes[0], inbound, deps, new AbortController().signal, log);
  expect(result.type === 'answer' ? [example.id, result.status] : result.type).toEqual([example.id, status]);
  expect(inbound).toEqual(example.request);
}

/** Every whole example of every shipped pair that has `part`. */
function examplesWith(part: keyof ExampleSpec): Array<[CompiledPair, ExampleSpec]> {
  const found = pairs.flatMap((pair) => (pair.spec.examples ?? []).filter((e) => e[part] !== undefined).map((e): [CompiledPair, ExampleSpec] => [pair, e]));
  expect(found.length).toBeGreaterThan(5);
  return found;
}

describe('the mapped pipeline never changes the client body through a mapping output', () => {
  it('answers (upstream_response examples of every pair)', async () => {
    for (const [pair, example] of examplesWith('upstream_response')) {
      await throughPipeline(pair, example, upstreamAnswering(200, example.upstream_response), 200);
    }
  });

  it('upstream errors (upstream_error examples of every pair)', async () => {
    for (const [pair, example] of examplesWith('upstream_error')) {
      const failure = example.upstream_error!;
      if ((failure.kind ?? 'http') !== 'http') continue;
      await throughPipeline(pair, example, upstreamAnswering(failure.status, failure.body ?? {}), (example.error as { status: number }).status);
    }
  });

  it('streams (upstream_events examples of every pair)', async () => {
    for (const [pair, example] of examplesWith('upstream_events')) {
      const inbound = deepFreeze(structuredClone(example.request));
      const events = deepFreeze(structuredClone(example.upstream_events)) as Array<Record<string, unknown>>;
      const { emitted } = await runStream(pair.stream!, events, inbound);
      expect(JSON.stringify(emitted)).toBeDefined();
      expect([inbound, events]).toEqual([example.request, example.upstream_events]);
    }
  });
});
