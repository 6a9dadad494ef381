/**
 * Files on local disk under `<DATA_DIR>/files/`: `<id>.bin` holds the content, `<id>.json` the
 * metadata. An upload streams to a temp file (memory stays flat whatever the size), counting bytes
 * as they pass, so an oversized upload is stopped at the limit, not after it was written. The
 * content is fsync'd and renamed into place first, the metadata after it, atomically: a file is
 * listed only when its metadata exists, so a crash at any point leaves no listed file without
 * its content — only orphans, which the sweep removes.
 *
 * Ids are checked against the exact id pattern before any path is built from them (object-ids.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, TEMP_MARKER, tempNameFor, writeFileAtomic } from '../storage/durable-fs.js';
import { isObjectId, newObjectId } from '../storage/object-ids.js';
import { FILE_ID_PREFIX, FileTooLargeError, type FileStore, type StoredFile } from './file-store.js';

export class DiskFileStore implements FileStore {
  private readonly dir: string;
  /** id → metadata, loaded on first use (the folder is the truth; this saves a readdir per list). */
  private index: Promise<Map<string, StoredFile>> | undefined;
  /** Temp files being written right now: the sweep must not touch them. */
  private readonly writing = new Set<string>();
  /** Open readers per id: the retention sweep leaves those files alone. */
  private readonly readers = new Map<string, number>();

  constructor(dataDir: string, private readonly now: () => number = Date.now) {
    this.dir = path.join(dataDir, 'files');
  }

  async put(input: { filename: string; mimeType: string }, content: Readable, maxBytes: number): Promise<StoredFile> {
    await fs.mkdir(this.dir, { recursive: true });
    const id = newObjectId(FILE_ID_PREFIX);
    const target = this.binPath(id);
    const temp = tempNameFor(target);
    this.writing.add(temp);
    let size = 0;
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        const limit = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            size += chunk.length;
            if (size > maxBytes) done(new FileTooLargeError(maxBytes));
            else done(null, chunk);
          },
        });
        // flush: fsync before the stream closes the file, so the rename below publishes durable bytes.
        await pipeline(content, limit, handle.createWriteStream({ flush: true }));
      } finally {
        await handle.close().catch(() => {});
      }
      await fs.rename(temp, target);
      const file: StoredFile = {
        id,
        filename: input.filename,
        mime_type: input.mimeType,
        size_bytes: size,
        created_at: new Date(this.now()).toISOString(),
        downloadable: true,
      };
      await writeFileAtomic(this.metaPath(id), JSON.stringify(file));
      (await this.loadIndex()).set(id, file);
      return file;
    } catch (err) {
      await fs.rm(temp, { force: true });
      await fs.rm(target, { force: true });
      throw err;
    } finally {
      this.writing.delete(temp);
    }
  }

  async get(id: string): Promise<StoredFile | undefined> {
    if (!isObjectId(FILE_ID_PREFIX, id)) return undefined;
    return (await this.loadIndex()).get(id);
  }

  async list(): Promise<StoredFile[]> {
    return [...(await this.loadIndex()).values()].sort(newestFirst);
  }

  async openContent(id: string): Promise<{ file: StoredFile; stream: Readable } | undefined> {
    const file = await this.get(id);
    if (!file) return undefined;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.binPath(id), 'r');
    } catch {
      return undefined;
    }
    this.addReader(id, 1);
    const stream = handle.createReadStream({ autoClose: true });
    stream.once('close', () => this.addReader(id, -1));
    return { file, stream };
  }

  async readContent(id: string, maxBytes: number): Promise<{ file: StoredFile; bytes: Buffer } | undefined> {
    const file = await this.get(id);
    if (!file) return undefined;
    if (file.size_bytes > maxBytes) throw new FileTooLargeError(maxBytes);
    this.addReader(id, 1);
    try {
      return { file, bytes: await fs.readFile(this.binPath(id)) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    } finally {
      this.addReader(id, -1);
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!isObjectId(FILE_ID_PREFIX, id)) return false;
    const index = await this.loadIndex();
    if (!index.has(id)) return false;
    // Metadata first: from this instant the file is not listed; the content goes after.
    await fs.rm(this.metaPath(id), { force: true });
    index.delete(id);
    await fs.rm(this.binPath(id), { force: true });
    await fsyncDir(this.dir).catch(() => {});
    return true;
  }

  async sweep(options: { now: number; retentionMs: number; tempMaxAgeMs: number }): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return { removed };
    }
    const index = await this.loadIndex();
    for (const name of names) {
      const full = path.join(this.dir, name);
      if (name.includes(TEMP_MARKER)) {
        // An upload or metadata write that a crash (or a failure) left behind.
        if (this.writing.has(full)) continue;
        if (await olderThan(full, options.now - options.tempMaxAgeMs)) {
          await fs.rm(full, { force: true });
          removed.push(name);
        }
        continue;
      }
      const id = name.replace(/\.(bin|json)$/, '');
      if (name.endsWith('.bin') && isObjectId(FILE_ID_PREFIX, id) && !index.has(id)) {
        // Content whose metadata never got written (a crash between the two renames).
        if (await olderThan(full, options.now - options.tempMaxAgeMs)) {
          await fs.rm(full, { force: true });
          removed.push(name);
        }
      }
    }
    if (options.retentionMs > 0) {
      for (const file of [...index.values()]) {
        if (Date.parse(file.created_at) + options.retentionMs > options.now) continue;
        if ((this.readers.get(file.id) ?? 0) > 0) continue;
        if (await this.delete(file.id)) removed.push(file.id);
      }
    }
    return { removed };
  }

  private addReader(id: string, delta: number): void {
    const n = (this.readers.get(id) ?? 0) + delta;
    if (n <= 0) this.readers.delete(id);
    else this.readers.set(id, n);
  }

  private loadIndex(): Promise<Map<string, StoredFile>> {
    this.index ??= this.readIndex();
    return this.index;
  }

  private async readIndex(): Promise<Map<string, StoredFile>> {
    const index = new Map<string, StoredFile>();
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return index;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      if (!isObjectId(FILE_ID_PREFIX, id)) continue;
      try {
        const file = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8')) as StoredFile;
        if (file.id === id) index.set(id, file);
      } catch {
        // unreadable metadata: not listed; the content is swept as an orphan later
      }
    }
    return index;
  }

  private binPath(id: string): string {
    return path.join(this.dir, `${id}.bin`);
  }

  private metaPath(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}

function newestFirst(a: StoredFile, b: StoredFile): number {
  return a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;
}

async function olderThan(file: string, cutoff: number): Promise<boolean> {
  try {
    return (await fs.stat(file)).mtimeMs < cutoff;
  } catch {
    return false;
  }
}
