/**
 * How exact is anthropic-to-openai-chat's local token count (the Chat API has no count endpoint)?
 * Its count_tokens.local view of a Chat payload, counted with o200k, against the prompt_tokens
 * api.openai.com reported for the same recorded requests (gpt-4o family, whose tokenizer o200k is).
 * Open models use their own tokenizers: for them the count stays an estimate.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countLocally } from '../../../engine/builtins/count-tokens/local-token-count.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';
import { listRecordings, type Recording } from '../../helpers/reference.js';

let pair: CompiledPair;
beforeAll(async () => {
  const { set, problems } = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  expect(problems).toEqual([]);
  pair = set!.pairs.find((p) => p.name === 'anthropic-to-openai-chat')!;
});

const recordings = listRecordings('openai-chat-completions');
function promptTokensOf(r: Recording): number {
  const usage = r.kind === 'stream' ? (r.events as Array<{ usage?: { prompt_tokens: number } }>).find((e) => e?.usage)?.usage : (r.body as { usage: { prompt_tokens: number } }).usage;
  return usage!.prompt_tokens;
}
const count = (r: Recording) => countLocally(pair.builtins.countTokens!.local, r.request!.body, {});

describe('chat pair: local token count against recorded prompt_tokens', () => {
  const exact = [
    'pydantic-ai/test_openai_tool_output.yaml#0',
    'pydantic-ai/test_openai_tool_output.yaml#1',
    'pydantic-ai/test_run_stream_sync_streams_real_model.yaml#0',
    'pydantic-ai/test_run_stream_sync_streams_real_model.yaml#1',
  ];
  it.each(exact)('%s: exactly the upstream count (tools, and a tool round trip)', async (name) => {
    const r = recordings.find((x) => x.name === name)!;
    expect(await count(r)).toBe(promptTokensOf(r));
  });

  it.each(['pydantic-ai/test_openai_native_output.yaml#0', 'pydantic-ai/test_openai_native_output.yaml#1'])('%s: within 10 % with a json_schema response format', async (name) => {
    const r = recordings.find((x) => x.name === name)!;
    const recorded = promptTokensOf(r);
    expect(Math.abs((await count(r)) - recorded) / recorded).toBeLessThan(0.1);
  });
});
