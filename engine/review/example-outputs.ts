/**
 * What a change does to the examples' outputs: the examples present in both versions of a pair
 * (matched by id) are run — with the same inputs, the new version's — through the old pair and
 * the new pair, and every part whose output differs is reported. This is how a reviewer sees the
 * effect of a rule change on whole requests and responses, not just the rule's text.
 */
import type { ApiSchemas } from '../spec/api-schemas.js';
import { sameJson, type CompiledPair } from '../spec/compile-pair.js';
import type { ExampleSpec } from '../spec/pair-spec.js';
import { runExamples, type ExamplePartResult } from '../spec/run-examples.js';

export interface ExampleOutputChange {
  pair: string;
  id: string;
  describe: string;
  part: ExamplePartResult['part'];
  /** The output of the old pair, or `{ error }` when it failed. */
  before: unknown;
  after: unknown;
  /** The example's inputs were edited in the same change (the outputs shown are for the new inputs). */
  inputChanged: boolean;
}

const INPUTS = ['request', 'upstream_response', 'upstream_error', 'upstream_events'] as const;

export async function exampleOutputChanges(
  before: { pair: CompiledPair; schemas: ApiSchemas },
  after: { pair: CompiledPair; schemas: ApiSchemas },
): Promise<{ compared: number; changes: ExampleOutputChange[] }> {
  const oldById = new Map((before.pair.spec.examples ?? []).map((e) => [e.id, e]));
  const shared = (after.pair.spec.examples ?? []).filter((e) => oldById.has(e.id));
  const [oldRun, newRun] = await Promise.all([runWith(before, shared), runWith(after, shared)]);
  const changes: ExampleOutputChange[] = [];
  shared.forEach((example, i) => {
    const old = oldById.get(example.id)!;
    const inputChanged = INPUTS.some((k) => !sameJson(old[k], example[k]));
    for (const part of newRun[i].parts) {
      const oldPart = oldRun[i].parts.find((p) => p.part === part.part);
      const b = outputOf(oldPart);
      const a = outputOf(part);
      if (!sameJson(b, a)) changes.push({ pair: after.pair.name, id: example.id, describe: example.describe, part: part.part, before: b, after: a, inputChanged });
    }
  });
  return { compared: shared.length, changes };
}

/** The pair with another list of examples, run by the engine's own example runner. */
function runWith(side: { pair: CompiledPair; schemas: ApiSchemas }, examples: ExampleSpec[]) {
  const pair: CompiledPair = { ...side.pair, spec: { ...side.pair.spec, examples } };
  return runExamples(pair, side.schemas);
}

function outputOf(part: ExamplePartResult | undefined): unknown {
  if (!part) return { error: 'this part was not run' };
  return part.got !== undefined ? part.got : { error: part.message ?? 'failed' };
}
