/**
 * The few disk operations the built-in stores need to survive a crash (SIGKILL, power loss)
 * without ever showing a half-written object:
 *
 *  - writeFileAtomic: temp file in the same folder → fsync → rename over the target → fsync the
 *    folder. A reader sees the old content or the new one, never a mix; a crash leaves at worst a
 *    temp file, which the sweep removes.
 *  - DurableAppender: append one line and fsync before the caller goes on, so a record the caller
 *    acted on is on disk. A crash mid-write leaves a torn last line, which readJournalLines drops
 *    (and truncates away before the next append, so a new record never glues onto it).
 *
 * Temp names carry TEMP_MARKER, so the sweep can tell them from real objects.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const TEMP_MARKER = '.tmp-';

export function tempNameFor(target: string): string {
  return `${target}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(target);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(temp, target);
  await fsyncDir(path.dirname(target));
}

/** Appends lines to a file, each one durable (fsync'd) when `append` resolves. Appends are serialised. */
export class DurableAppender {
  private handle: Promise<fs.FileHandle> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  append(line: string): Promise<void> {
    const run = this.tail.then(async () => {
      this.handle ??= fs.open(this.file, 'a', 0o600);
      const handle = await this.handle;
      await handle.write(`${line}\n`);
      await handle.datasync();
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}

/**
 * Reads a JSONL journal: every complete, parseable line in order. A torn tail (a last line with no
 * newline, or one that does not parse — a crash mid-append) is cut off the file, so the next
 * append starts on a clean line. A bad line in the middle cannot come from a crash; it is skipped
 * and reported through `onBadLine`.
 */
export async function readJournalLines(file: string, onBadLine: (lineNo: number) => void = () => {}): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: unknown[] = [];
  let offset = 0;
  let goodEnd = 0;
  let lineNo = 0;
  while (offset < text.length) {
    const newline = text.indexOf('\n', offset);
    const complete = newline !== -1;
    const line = text.slice(offset, complete ? newline : text.length);
    lineNo++;
    const next = complete ? newline + 1 : text.length;
    let record: unknown;
    try {
      record = line.trim() === '' ? undefined : JSON.parse(line);
    } catch {
      record = Symbol.for('bad');
    }
    if (!complete || record === Symbol.for('bad')) {
      if (next >= text.length) break; // the torn tail
      onBadLine(lineNo);
    } else if (record !== undefined) {
      records.push(record);
    }
    offset = next;
    goodEnd += Buffer.byteLength(line) + 1;
  }
  const size = Buffer.byteLength(text);
  if (goodEnd < size) await fs.truncate(file, goodEnd);
  return records;
}

/** Streams the lines of a (possibly large) JSONL file; nothing when the file does not exist. */
export async function* streamLines(file: string): AsyncGenerator<string> {
  let stream;
  try {
    const handle = await fs.open(file, 'r');
    stream = handle.createReadStream({ autoClose: true, encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line !== '') yield line;
  } finally {
    lines.close();
    stream.destroy();
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
