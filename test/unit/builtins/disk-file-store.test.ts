/**
 * builtins/files/disk-file-store.ts: atomic, crash-tolerant storage. A file is listed only once
 * content and metadata are durable; the sweep removes what a crash left (old temp files, content
 * without metadata) and files past retention, never a file being read.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../../../engine/builtins/files/disk-file-store.js';
import { FileTooLargeError } from '../../../engine/builtins/files/file-store.js';
import { referencedFileIds, withFileSnapshot, fileFromSnapshot } from '../../../engine/builtins/files/file-snapshot.js';

let dir: string;
beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-filestore-'))));
afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

const put = (store: DiskFileStore, text: string, max = 1024) => store.put({ filename: 'a.txt', mimeType: 'text/plain' }, Readable.from([Buffer.from(text)]), max);

describe('DiskFileStore', () => {
  it('stores, lists newest first, reads back, deletes', async () => {
    let now = 1_000;
    const store = new DiskFileStore(dir, () => now);
    const a = await put(store, 'first');
    now += 1000;
    const b = await put(store, 'second');
    expect((await store.list()).map((f) => f.id)).toEqual([b.id, a.id]);
    expect((await store.readContent(a.id, 100))?.bytes.toString()).toBe('first');
    expect(await new DiskFileStore(dir).get(b.id)).toEqual(b); // the folder is the truth
    expect(await store.delete(a.id)).toBe(true);
    expect(await store.get(a.id)).toBeUndefined();
    expect(await store.delete(a.id)).toBe(false);
  });

  it('past maxBytes: FileTooLargeError, nothing kept', async () => {
    const store = new DiskFileStore(dir);
    await expect(put(store, 'x'.repeat(2000), 1000)).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await store.list()).toEqual([]);
    expect(await fs.readdir(path.join(dir, 'files'))).toEqual([]);
  });

  it('the sweep removes old orphans (temp files, content without metadata) and files past retention', async () => {
    const store = new DiskFileStore(dir, () => 0);
    const kept = await put(store, 'keep');
    const files = path.join(dir, 'files');
    const orphanTemp = path.join(files, 'file_AAAAAAAAAAAAAAAAAAAAAAAA.bin.tmp-abc');
    const orphanBin = path.join(files, 'file_BBBBBBBBBBBBBBBBBBBBBBBB.bin');
    await fs.writeFile(orphanTemp, 'half');
    await fs.writeFile(orphanBin, 'no meta');
    const young = await store.sweep({ now: Date.now(), retentionMs: 0, tempMaxAgeMs: 60_000 });
    expect(young.removed).toEqual([]); // may still be being written
    const old = await store.sweep({ now: Date.now() + 120_000, retentionMs: 0, tempMaxAgeMs: 60_000 });
    expect(old.removed.sort()).toEqual([path.basename(orphanBin), path.basename(orphanTemp)].sort());
    expect(await store.get(kept.id)).toBeDefined();

    const reading = await store.openContent(kept.id);
    const busy = await store.sweep({ now: Date.now(), retentionMs: 1, tempMaxAgeMs: 60_000 });
    expect(busy.removed).toEqual([]); // in use: left alone
    reading!.stream.destroy();
    await new Promise((r) => reading!.stream.once('close', r));
    const expired = await store.sweep({ now: Date.now(), retentionMs: 1, tempMaxAgeMs: 60_000 });
    expect(expired.removed).toEqual([kept.id]);
  });
});

describe('the $file snapshot', () => {
  it('finds every string shaped like a store id, and only those', () => {
    const id = 'file_AbCdEfGhIjKlMnOpQrStUvWx';
    expect(referencedFileIds({ a: [{ source: { type: 'file', file_id: id } }], b: 'file_short', c: `${id}/x` })).toEqual([id]);
  });

  it('pre-loads the files a body names; an unknown id is simply absent; outside a snapshot nothing is found', async () => {
    const store = new DiskFileStore(dir);
    const f = await put(store, 'héllo');
    const seen = await withFileSnapshot(store, { ref: f.id, other: 'file_000000000000000000000000' }, 1024, async () => [fileFromSnapshot(f.id), fileFromSnapshot('file_000000000000000000000000')]);
    expect(seen[0]).toMatchObject({ file_id: f.id, mime_type: 'text/plain', base64: Buffer.from('héllo').toString('base64'), text: 'héllo' });
    expect(seen[1]).toBeUndefined();
    expect(fileFromSnapshot(f.id)).toBeUndefined();
  });

  it('refuses with 413 when the named files exceed the inline budget', async () => {
    const store = new DiskFileStore(dir);
    const f = await put(store, 'x'.repeat(500));
    await expect(withFileSnapshot(store, { ref: f.id }, 100, async () => 1)).rejects.toMatchObject({ code: 'GW_ERR_BODY_TOO_LARGE', status: 413 });
  });
});
