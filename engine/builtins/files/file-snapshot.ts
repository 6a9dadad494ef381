/**
 * Stored files as the request rules see them, through the generic helper `$file(file_id)`.
 *
 * A mapping must stay a pure function of its input, so rules never read the store. Instead, the
 * caller of the mapped pipeline (a live request, a batch item, token counting) pre-loads every
 * stored file the request body refers to into a per-request snapshot, and runs the pipeline
 * inside it (AsyncLocalStorage). `$file(id)` only looks the id up in that snapshot: the same
 * request always maps to the same payload, a retry re-runs it identically, and the helper is a
 * plain synchronous lookup whichever way a rule is evaluated (interpreted or compiled).
 *
 * Which ids? Any string in the body that has the exact shape of a store id (`file_` + 24
 * characters) — the store's own id format, no knowledge of where an API puts file references.
 * The bytes pre-loaded per request are bounded (FILES_MAX_INLINE_BYTES): past it the request is
 * refused with 413 before any mapping runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GatewayError } from '../../errors/gateway-error.js';
import { ID_RANDOM_LENGTH, isObjectId } from '../storage/object-ids.js';
import { FILE_ID_PREFIX, FileTooLargeError, type FileStore } from './file-store.js';

/** What `$file(id)` returns. */
export interface FileForRules {
  file_id: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  /** The content, base64. */
  base64: string;
  /** The content as UTF-8 text, for textual types (text/*, JSON, XML); invalid bytes become U+FFFD. */
  text?: string;
}

const FILE_ID_LENGTH = FILE_ID_PREFIX.length + 1 + ID_RANDOM_LENGTH;

const TEXTUAL = /^(text\/[a-z0-9.+-]+|application\/(json|xml|[a-z0-9.-]+\+(json|xml)))$/;

const snapshots = new AsyncLocalStorage<ReadonlyMap<string, FileForRules>>();

/** The helper's body: the pre-loaded file, or undefined (unknown id, or no snapshot). */
export function fileFromSnapshot(id: unknown): FileForRules | undefined {
  if (typeof id !== 'string') return undefined;
  return snapshots.getStore()?.get(id);
}

/**
 * The ids of stored files a request body mentions (bounded: at most `maxIds`). It runs on every
 * mapped request, nearly always to find nothing, so it walks keys in place (no array of values
 * per object) and only strings of an id's exact length meet the pattern.
 */
export function referencedFileIds(body: unknown, maxIds = 100): string[] {
  const ids = new Set<string>();
  const stack: unknown[] = [body];
  while (stack.length > 0 && ids.size <= maxIds) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.length === FILE_ID_LENGTH && isObjectId(FILE_ID_PREFIX, value)) ids.add(value);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push(value[i]);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) if (Object.hasOwn(value, key)) stack.push((value as Record<string, unknown>)[key]);
    }
  }
  return [...ids];
}

/**
 * Runs `fn` with the files `body` refers to pre-loaded for `$file`. Unknown ids are simply absent
 * (the mapping decides how to refuse them, in the client's API shape).
 */
export async function withFileSnapshot<T>(store: FileStore | undefined, body: unknown, maxInlineBytes: number, fn: () => Promise<T>): Promise<T> {
  const ids = store ? referencedFileIds(body) : [];
  // No stored file mentioned (nearly every request): no snapshot to enter. Entering one costs every
  // promise of the request a context hook on Node 20, and $file has no id to look up anyway.
  if (ids.length === 0 || !store) return fn();
  if (ids.length > 100) throw new GatewayError('GW_ERR_SCHEMA', 'invalid request: a request may refer to at most 100 stored files');
  const snapshot = new Map<string, FileForRules>();
  let budget = maxInlineBytes;
  for (const id of ids) {
    let loaded;
    try {
      loaded = await store.readContent(id, budget);
    } catch (err) {
      if (err instanceof FileTooLargeError) {
        throw new GatewayError('GW_ERR_BODY_TOO_LARGE', `the stored files this request refers to exceed ${maxInlineBytes} bytes (FILES_MAX_INLINE_BYTES)`);
      }
      throw err;
    }
    if (!loaded) continue;
    budget -= loaded.bytes.length;
    const { file, bytes } = loaded;
    snapshot.set(id, {
      file_id: id,
      filename: file.filename,
      mime_type: file.mime_type,
      size_bytes: file.size_bytes,
      base64: bytes.toString('base64'),
      text: TEXTUAL.test(file.mime_type) ? new TextDecoder('utf-8').decode(bytes) : undefined,
    });
  }
  return snapshots.run(snapshot, fn);
}
