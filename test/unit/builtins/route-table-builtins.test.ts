/**
 * engine/server/route-table.ts with built-in routes: a mounted built-in expands into its
 * operations; path parameters match one raw segment; hostile paths match nothing.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMappingSet, type MappingSet } from '../../../engine/spec/load-mapping-set.js';
import { routeTableOf } from '../../../engine/server/route-table.js';
import { isObjectId, newObjectId } from '../../../engine/builtins/storage/object-ids.js';
import { pageOf } from '../../../engine/builtins/list-page.js';
import { REPO_ROOT } from '../../helpers/gateway-harness.js';

let set: MappingSet;
beforeAll(async () => {
  const loaded = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  set = loaded.set!;
});

describe('route table with built-ins', () => {
  const cases: Array<[string, string, string | undefined, Record<string, string>?]> = [
    ['POST', '/v1/files', 'files.upload'],
    ['GET', '/v1/files/', 'files.list'],
    ['GET', '/v1/files/file_x', 'files.retrieve', { file_id: 'file_x' }],
    ['DELETE', '/v1/files/file_x', 'files.delete', { file_id: 'file_x' }],
    ['GET', '/v1/files/file_x/content', 'files.download', { file_id: 'file_x' }],
    ['GET', '/v1/files/%2e%2e%2fsecret', 'files.retrieve', { file_id: '%2e%2e%2fsecret' }],
    ['GET', '/v1/files/../../etc/passwd', undefined],
    ['GET', '/v1/files//content', undefined],
    ['POST', '/v1/messages/batches', 'batches.create'],
    ['POST', '/v1/messages/batches/msgbatch_1/cancel', 'batches.cancel', { batch_id: 'msgbatch_1' }],
    ['GET', '/v1/messages/batches/msgbatch_1/results', 'batches.results', { batch_id: 'msgbatch_1' }],
    ['POST', '/v1/messages/count_tokens', 'count_tokens.count'],
    ['GET', '/v1/models/claude-opus-4-6', 'models.retrieve', { model_id: 'claude-opus-4-6' }],
  ];
  for (const [method, url, operation, params] of cases) {
    it(`${method} ${url} → ${operation ?? 'no route'}`, () => {
      const match = routeTableOf(set).match(method, url);
      expect(match?.builtin?.operation).toBe(operation);
      if (params) expect(match?.builtin?.params).toEqual(params);
    });
  }

  it('mapped routes still match, and a known path with another method is a 405, not a 404', () => {
    const table = routeTableOf(set);
    // Two shipped pairs serve POST /v1/messages: the chat pair's route (with a when: condition)
    // is tried first, the Responses pair's (without one) takes the rest.
    expect(table.candidates('POST', '/v1/messages').map((m) => m.route?.upstream.path)).toEqual(['/chat/completions', '/responses']);
    expect(table.match('PUT', '/v1/files/file_x')).toBeUndefined();
    expect(table.hasPath('/v1/files/file_x')).toBe(true);
  });
});

describe('object ids and paging', () => {
  it('ids are prefix + 24 random base62 characters, and only those pass the check', () => {
    const id = newObjectId('file');
    expect(id).toMatch(/^file_[A-Za-z0-9]{24}$/);
    expect(newObjectId('file')).not.toBe(id);
    for (const bad of ['file_../../../../etc/passwd', '/etc/passwd', `${id}\u0000`, `${id}/x`, 'file_%2e%2e%2fAAAAAAAAAAAAAAAA', id.slice(0, -1), 'msgbatch_AAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(isObjectId('file', bad), bad).toBe(false);
    }
  });

  it('pages newest-first lists with after_id and before_id', () => {
    const items = ['e', 'd', 'c', 'b', 'a'].map((id) => ({ id }));
    expect(pageOf(items, { limit: 2 })).toEqual({ data: [{ id: 'e' }, { id: 'd' }], first_id: 'e', last_id: 'd', has_more: true, next_page: 'd' });
    expect(pageOf(items, { limit: 2, afterId: 'd' }).data.map((i) => i.id)).toEqual(['c', 'b']);
    expect(pageOf(items, { limit: 2, afterId: 'b' })).toMatchObject({ data: [{ id: 'a' }], has_more: false, next_page: null });
    expect(pageOf(items, { limit: 2, beforeId: 'b' })).toMatchObject({ data: [{ id: 'd' }, { id: 'c' }], has_more: true });
  });
});
