/**
 * How exact is the local token count? The pair's count_tokens.local view, counted with o200k,
 * against the upstream's own counts recorded from api.openai.com (POST /v1/responses/input_tokens).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countLocally } from '../../../engine/builtins/count-tokens/local-token-count.js';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { loadMappingSet } from '../../../engine/spec/load-mapping-set.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';
import { loadCassette } from '../../helpers/reference.js';

let pair: CompiledPair;

beforeAll(async () => {
  const { set, problems } = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  expect(problems).toEqual([]);
  pair = set!.pairs.find((p) => p.name === 'anthropic-to-openai-responses')!;
});

describe('local token count against recorded upstream counts', () => {
  for (const name of ['test_responses_count_tokens.yaml', 'test_responses_count_tokens_with_tools.yaml']) {
    it(`${name}: the local count equals the upstream's`, async () => {
      const [interaction] = loadCassette(`openai-responses/pydantic-ai/${name}`);
      const payload = { ...(interaction.request.body as Record<string, unknown>) };
      // The recording writes message items without `type`; the gateway's mapping always sets it.
      payload.input = (payload.input as Array<Record<string, unknown>>).map((i) => ({ type: 'message', ...i }));
      const local = await countLocally(pair.builtins.countTokens!.local, payload, {});
      expect(local).toBe((interaction.response.body as { input_tokens: number }).input_tokens);
    });
  }

  it('special-token text is counted as text, never refused', async () => {
    const local = await countLocally(pair.builtins.countTokens!.local, { input: [{ type: 'message', role: 'user', content: '<|endoftext|>' }] }, {});
    expect(local).toBeGreaterThan(7);
  });
});
