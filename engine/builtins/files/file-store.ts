/**
 * The seam between the Files built-in and where bytes live. The default is DiskFileStore (one
 * machine, DATA_DIR); a shared store (an S3-compatible bucket, say) implements the same interface
 * so replicas behind a load balancer see the same files.
 */
import type { Readable } from 'node:stream';

export const FILE_ID_PREFIX = 'file';

/** What the store keeps about a file (the inbound API's metadata shape is rendered from it). */
export interface StoredFile {
  id: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  /** RFC 3339. */
  created_at: string;
  downloadable: boolean;
}

export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }
}

export interface FileStore {
  /**
   * Streams `content` into the store. Past `maxBytes` it stops reading, keeps nothing and rejects
   * with FileTooLargeError; the caller decides what to do with the rest of its source. The file
   * is listed only once its content and metadata are both durable.
   */
  put(input: { filename: string; mimeType: string }, content: Readable, maxBytes: number): Promise<StoredFile>;
  get(id: string): Promise<StoredFile | undefined>;
  /** Every file, newest first. */
  list(): Promise<StoredFile[]>;
  /** The content as a stream (the file stays readable until the stream closes, even if deleted meanwhile). */
  openContent(id: string): Promise<{ file: StoredFile; stream: Readable } | undefined>;
  /** The whole content in memory; undefined when unknown. Rejects with FileTooLargeError past maxBytes. */
  readContent(id: string, maxBytes: number): Promise<{ file: StoredFile; bytes: Buffer } | undefined>;
  delete(id: string): Promise<boolean>;
  /** Removes orphaned temporary data older than `tempMaxAgeMs`, and files older than `retentionMs` (0 = keep) not in use. */
  sweep(options: { now: number; retentionMs: number; tempMaxAgeMs: number }): Promise<{ removed: string[] }>;
}
