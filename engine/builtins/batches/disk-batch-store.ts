/**
 * Batches on local disk, one folder per batch under `<DATA_DIR>/batches/<id>/`:
 *
 *   header.json       written once, with requests.jsonl, before the folder is renamed into place
 *   requests.jsonl    the items, one `{custom_id, params}` per line, never changed
 *   journal.jsonl     append-only facts, each fsync'd before anyone acts on it:
 *                       {"type":"result","custom_id":…,"result":{…}}
 *                       {"type":"cancel","at":…}
 *                       {"type":"ended","at":…,"rest":"canceled"|"expired"|null}
 *   checkpoint.jsonl  results folded out of earlier journals: one `{custom_id, result}` per line
 *                     — once the batch ended and was compacted, exactly the results file
 *   state.json        cancel/end times and counts as of the last compaction
 *
 * The truth is checkpoint ∪ journal, deduplicated by custom_id (the first result wins), so every
 * step of a compaction (new checkpoint, new state.json, empty journal — each written atomically)
 * may be cut by a crash without losing or doubling a result. A torn last journal line (a crash
 * mid-append) is dropped at load: that item had no durable result and is run again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DurableAppender, fsyncDir, readJournalLines, streamLines, TEMP_MARKER, tempNameFor, writeFileAtomic } from '../storage/durable-fs.js';
import { isObjectId } from '../storage/object-ids.js';
import {
  BATCH_ID_PREFIX,
  emptyCounts,
  type BatchHeader,
  type BatchItem,
  type BatchResult,
  type BatchState,
  type BatchStore,
  type RestType,
} from './batch-store.js';

interface JournalRecord {
  type: 'result' | 'cancel' | 'ended';
  custom_id?: string;
  result?: BatchResult['result'];
  at?: string;
  rest?: RestType | null;
}

interface StateFile {
  cancel_initiated_at: string | null;
  ended_at: string | null;
  rest: RestType | null;
  counts: BatchState['counts'];
  compacted: boolean;
}

export class DiskBatchStore implements BatchStore {
  private readonly dir: string;
  private readonly journals = new Map<string, DurableAppender>();
  /** Per-batch lock: appends and compaction of one batch never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'batches');
  }

  async create(header: BatchHeader, items: readonly BatchItem[]): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const final = this.folder(header.id);
    const temp = tempNameFor(final);
    await fs.mkdir(temp);
    try {
      const handle = await fs.open(path.join(temp, 'requests.jsonl'), 'wx', 0o600);
      try {
        let chunk = '';
        for (const item of items) {
          chunk += `${JSON.stringify({ custom_id: item.custom_id, params: item.params })}\n`;
          if (chunk.length > 1 << 20) {
            await handle.write(chunk);
            chunk = '';
          }
        }
        await handle.write(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await writeFileAtomic(path.join(temp, 'header.json'), JSON.stringify(header));
      await fs.rename(temp, final);
      await fsyncDir(this.dir);
    } catch (err) {
      await fs.rm(temp, { recursive: true, force: true });
      throw err;
    }
  }

  async loadAll(): Promise<BatchState[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const states: BatchState[] = [];
    for (const name of names) {
      if (!isObjectId(BATCH_ID_PREFIX, name)) continue;
      try {
        states.push(await this.load(name));
      } catch {
        // A folder without a readable header cannot be a committed batch (it is renamed into
        // place only once complete); leave it for an operator rather than guess.
      }
    }
    return states;
  }

  async *items(id: string): AsyncIterable<BatchItem> {
    for await (const line of streamLines(path.join(this.folder(id), 'requests.jsonl'))) yield JSON.parse(line) as BatchItem;
  }

  appendResult(id: string, result: BatchResult): Promise<void> {
    return this.append(id, { type: 'result', custom_id: result.custom_id, result: result.result });
  }

  appendCancel(id: string, at: string): Promise<void> {
    return this.append(id, { type: 'cancel', at });
  }

  appendEnded(id: string, at: string, rest: RestType | null): Promise<void> {
    return this.append(id, { type: 'ended', at, rest });
  }

  compact(state: BatchState): Promise<void> {
    return this.locked(state.header.id, async () => {
      const id = state.header.id;
      await this.journals.get(id)?.close();
      this.journals.delete(id);
      const folder = this.folder(id);
      const checkpoint = path.join(folder, 'checkpoint.jsonl');
      const seen = new Set<string>();
      const counts = emptyCounts();
      const temp = tempNameFor(checkpoint);
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        let chunk = '';
        const write = async (result: BatchResult) => {
          if (seen.has(result.custom_id)) return;
          seen.add(result.custom_id);
          counts[result.result.type]++;
          chunk += `${JSON.stringify(result)}\n`;
          if (chunk.length > 1 << 20) {
            await handle.write(chunk);
            chunk = '';
          }
        };
        for await (const line of streamLines(checkpoint)) await write(JSON.parse(line) as BatchResult);
        for (const record of (await readJournalLines(this.journalPath(id))) as JournalRecord[]) {
          if (record.type === 'result' && record.custom_id && record.result) await write({ custom_id: record.custom_id, result: record.result });
        }
        const final = state.ended_at !== null;
        if (final && state.rest) {
          for await (const item of this.items(id)) await write({ custom_id: item.custom_id, result: { type: state.rest } });
        }
        await handle.write(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, checkpoint);
      await fsyncDir(folder);
      const compacted = state.ended_at !== null && seen.size === state.header.request_count;
      const file: StateFile = { cancel_initiated_at: state.cancel_initiated_at, ended_at: state.ended_at, rest: state.rest, counts, compacted };
      await writeFileAtomic(path.join(folder, 'state.json'), JSON.stringify(file));
      await writeFileAtomic(this.journalPath(id), '');
      state.counts = counts;
      state.compacted = compacted;
    });
  }

  async *results(id: string): AsyncIterable<string> {
    yield* streamLines(path.join(this.folder(id), 'checkpoint.jsonl'));
  }

  async delete(id: string): Promise<void> {
    await this.locked(id, async () => {
      await this.journals.get(id)?.close();
      this.journals.delete(id);
      // Rename first (atomic: the batch is gone at once), then remove the folder's content.
      const doomed = tempNameFor(this.folder(id));
      await fs.rename(this.folder(id), doomed);
      await fsyncDir(this.dir);
      await fs.rm(doomed, { recursive: true, force: true });
    });
    this.locks.delete(id);
  }

  async sweepOrphans(now: number, tempMaxAgeMs: number): Promise<string[]> {
    const removed: string[] = [];
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return removed;
    }
    for (const name of names) {
      if (!name.includes(TEMP_MARKER)) continue;
      const full = path.join(this.dir, name);
      try {
        if ((await fs.stat(full)).mtimeMs > now - tempMaxAgeMs) continue; // possibly being written
        await fs.rm(full, { recursive: true, force: true });
        removed.push(name);
      } catch {
        // gone already
      }
    }
    return removed;
  }

  private async load(id: string): Promise<BatchState> {
    const folder = this.folder(id);
    const header = JSON.parse(await fs.readFile(path.join(folder, 'header.json'), 'utf8')) as BatchHeader;
    const saved = await readState(path.join(folder, 'state.json'));
    const state: BatchState = {
      header,
      cancel_initiated_at: saved?.cancel_initiated_at ?? null,
      ended_at: saved?.ended_at ?? null,
      rest: saved?.rest ?? null,
      counts: saved?.counts ?? emptyCounts(),
      done: new Set(),
      compacted: saved?.compacted ?? false,
    };
    const journal = (await readJournalLines(this.journalPath(id))) as JournalRecord[];
    if (state.compacted && journal.length === 0) return state; // finished: counts are in state.json
    state.counts = emptyCounts();
    const record = (custom_id: string, type: BatchResult['result']['type']) => {
      if (state.done.has(custom_id)) return;
      state.done.add(custom_id);
      state.counts[type]++;
    };
    for await (const line of streamLines(path.join(folder, 'checkpoint.jsonl'))) {
      const r = JSON.parse(line) as BatchResult;
      record(r.custom_id, r.result.type);
    }
    for (const r of journal) {
      if (r.type === 'result' && r.custom_id && r.result) record(r.custom_id, r.result.type);
      else if (r.type === 'cancel') state.cancel_initiated_at ??= r.at ?? null;
      else if (r.type === 'ended') {
        state.ended_at ??= r.at ?? null;
        state.rest ??= r.rest ?? null;
      }
    }
    state.compacted = false;
    return state;
  }

  private append(id: string, record: JournalRecord): Promise<void> {
    return this.locked(id, async () => {
      let journal = this.journals.get(id);
      if (!journal) {
        journal = new DurableAppender(this.journalPath(id));
        this.journals.set(id, journal);
      }
      await journal.append(JSON.stringify(record));
    });
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(id) ?? Promise.resolve()).then(fn);
    this.locks.set(id, run.catch(() => {}));
    return run;
  }

  private folder(id: string): string {
    if (!isObjectId(BATCH_ID_PREFIX, id)) throw new Error(`not a batch id: ${JSON.stringify(id)}`);
    return path.join(this.dir, id);
  }

  private journalPath(id: string): string {
    return path.join(this.folder(id), 'journal.jsonl');
  }
}

async function readState(file: string): Promise<StateFile | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}
