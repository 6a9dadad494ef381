/**
 * builtins/batches/disk-batch-store.ts: the journal survives what a crash can leave behind — a
 * torn last line, a result recorded twice, a compaction cut half-way — and the truth is always
 * checkpoint ∪ journal, one result per custom_id.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBatchStore } from '../../../engine/builtins/batches/disk-batch-store.js';
import type { BatchHeader, BatchResult } from '../../../engine/builtins/batches/batch-store.js';
import { newObjectId } from '../../../engine/builtins/storage/object-ids.js';

let dir: string;
beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-store-'))));
afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

function header(count: number): BatchHeader {
  return { id: newObjectId('msgbatch'), created_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-02T00:00:00.000Z', request_count: count, pair: 'p', run: '/v1/messages' };
}
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ custom_id: `c${i}`, params: { i } }));
const ok = (id: string): BatchResult => ({ custom_id: id, result: { type: 'succeeded', message: { id } } });

describe('DiskBatchStore', () => {
  it('a batch is created whole: header and items, read back in order', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(3);
    await store.create(h, items(3));
    const [state] = await new DiskBatchStore(dir).loadAll();
    expect(state.header).toEqual(h);
    const read = [];
    for await (const item of store.items(h.id)) read.push(item.custom_id);
    expect(read).toEqual(['c0', 'c1', 'c2']);
    expect((await fs.readdir(path.join(dir, 'batches'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a torn last journal line (crash mid-append) is dropped and cut off; the next append starts clean', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(3);
    await store.create(h, items(3));
    await store.appendResult(h.id, ok('c0'));
    const journal = path.join(dir, 'batches', h.id, 'journal.jsonl');
    await fs.appendFile(journal, '{"type":"result","custom_id":"c1","res');
    const reopened = new DiskBatchStore(dir);
    const [state] = await reopened.loadAll();
    expect([...state.done]).toEqual(['c0']);
    await reopened.appendResult(h.id, ok('c1'));
    const [again] = await new DiskBatchStore(dir).loadAll();
    expect([...again.done].sort()).toEqual(['c0', 'c1']);
  });

  it('a result recorded twice counts once (dedupe by custom_id, first wins)', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(2);
    await store.create(h, items(2));
    await store.appendResult(h.id, ok('c0'));
    await store.appendResult(h.id, { custom_id: 'c0', result: { type: 'errored', error: {} } });
    const [state] = await new DiskBatchStore(dir).loadAll();
    expect(state.counts).toEqual({ succeeded: 1, errored: 0, canceled: 0, expired: 0 });
  });

  it('compaction folds the journal into the checkpoint; a crash between its steps loses nothing', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(3);
    await store.create(h, items(3));
    await store.appendResult(h.id, ok('c0'));
    const [state] = await store.loadAll();
    await store.compact(state);
    // Simulate a crash after the checkpoint was written but before the journal was emptied.
    const folder = path.join(dir, 'batches', h.id);
    await fs.writeFile(path.join(folder, 'journal.jsonl'), `${JSON.stringify({ type: 'result', ...ok('c0') })}\n${JSON.stringify({ type: 'result', ...ok('c1') })}\n`);
    const [reloaded] = await new DiskBatchStore(dir).loadAll();
    expect([...reloaded.done].sort()).toEqual(['c0', 'c1']);
    expect(reloaded.counts.succeeded).toBe(2);
  });

  it('ending with a rest type gives every item without a result that type, in the final results', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(3);
    await store.create(h, items(3));
    await store.appendResult(h.id, ok('c1'));
    await store.appendEnded(h.id, '2026-01-01T01:00:00.000Z', 'canceled');
    const [state] = await store.loadAll();
    expect(state.ended_at).toBe('2026-01-01T01:00:00.000Z');
    await store.compact(state);
    expect(state.compacted).toBe(true);
    expect(state.counts).toEqual({ succeeded: 1, errored: 0, canceled: 2, expired: 0 });
    const lines = [];
    for await (const line of store.results(h.id)) lines.push(JSON.parse(line) as BatchResult);
    expect(lines.map((l) => `${l.custom_id}:${l.result.type}`).sort()).toEqual(['c0:canceled', 'c1:succeeded', 'c2:canceled']);
    const [final] = await new DiskBatchStore(dir).loadAll();
    expect(final).toMatchObject({ compacted: true, counts: state.counts, ended_at: state.ended_at });
  });

  it('delete removes the batch; ids that are not batch ids never become paths', async () => {
    const store = new DiskBatchStore(dir);
    const h = header(1);
    await store.create(h, items(1));
    await store.delete(h.id);
    expect(await store.loadAll()).toEqual([]);
    await expect(store.appendResult('../../etc', ok('x'))).rejects.toThrow(/not a batch id/);
  });
});
