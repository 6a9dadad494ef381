/**
 * Loads the mappings once for the anthropic-to-openai-chat tests (MAPPINGS_DIR may point at a copy,
 * e.g. to test the pair alone) and hands out the compiled pair and the validators the tests use.
 */
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { CompiledPair } from '../../../engine/spec/compile-pair.js';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import { formatProblem } from '../../../engine/spec/yaml-file.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';

export const PAIR = 'anthropic-to-openai-chat';

export interface ChatPairKit {
  set: MappingSet;
  pair: CompiledPair;
  validate(api: 'anthropic-messages' | 'openai-chat-completions', kind: 'request' | 'response' | 'stream-event' | 'error'): ValidateFunction;
}

export async function loadChatPair(): Promise<ChatPairKit> {
  const mappingsDir = process.env.MAPPINGS_DIR ? path.resolve(process.env.MAPPINGS_DIR) : path.join(REPO_ROOT, 'mappings');
  const result = await loadMappingSet({ mappingsDir, schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!result.set) throw new Error(`the mappings do not load:\n${result.problems.map(formatProblem).join('\n')}`);
  const set = result.set;
  const pair = set.pairs.find((p) => p.name === PAIR);
  if (!pair?.stream) throw new Error(`${PAIR} is not loaded, or has no stream rules`);
  return {
    set,
    pair,
    validate(api, kind) {
      const v = set.schemas.validator(api, kind);
      if (!v) throw new Error(`no schema ${api}/${kind}`);
      return v;
    },
  };
}
