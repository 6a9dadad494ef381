/**
 * The Files API over HTTP: upload (multipart, field `file`), list, metadata, content, delete.
 * Objects are rendered in the inbound API's file metadata shape (BetaFileMetadataSchema).
 *
 * The upload is parsed as a stream (busboy): the body never sits in memory and is never
 * JSON-parsed; the size limit is enforced by the store while the bytes pass. Past the limit the
 * rest of the body is read and dropped (up to a cap), so the client, still sending, gets a clean
 * 413 instead of a reset connection.
 */
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../observe/logger.js';
import { pageOf, readPageQuery } from '../list-page.js';
import { FileTooLargeError, type FileStore, type StoredFile } from './file-store.js';

export function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    type: 'file',
    filename: file.filename,
    mime_type: file.mime_type,
    size_bytes: file.size_bytes,
    created_at: file.created_at,
    downloadable: file.downloadable,
  };
}

export async function handleFiles(operation: string, req: Request, res: Response, params: Record<string, string>, store: FileStore, maxBytes: number, log: Logger): Promise<void> {
  switch (operation) {
    case 'files.upload': {
      const file = await receiveUpload(req, res, store, maxBytes);
      log.info({ fileId: file.id, bytes: file.size_bytes, mime: file.mime_type }, 'file stored');
      res.json(fileObject(file));
      return;
    }
    case 'files.list': {
      const page = pageOf((await store.list()).map(fileObject) as Array<{ id: string }>, readPageQuery(req.query as Record<string, unknown>));
      res.json(page);
      return;
    }
    case 'files.retrieve': {
      res.json(fileObject(await known(store, params.file_id)));
      return;
    }
    case 'files.delete': {
      if (!(await store.delete(params.file_id))) throw notFound(params.file_id);
      res.json({ id: params.file_id, type: 'file_deleted' });
      return;
    }
    case 'files.download': {
      const opened = await store.openContent(params.file_id);
      if (!opened) throw notFound(params.file_id);
      res.status(200);
      res.setHeader('content-type', opened.file.mime_type);
      res.setHeader('content-length', String(opened.file.size_bytes));
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(opened.file.filename)}`);
      res.setHeader('x-content-type-options', 'nosniff');
      try {
        await pipeline(opened.stream, res);
      } catch (err) {
        if (!res.writableEnded) res.destroy();
        log.info({ err, fileId: params.file_id }, 'file download cut');
      }
      return;
    }
    default:
      throw new GatewayError('GW_ERR_ROUTE_NOT_FOUND', `no files operation ${operation}`);
  }
}

async function known(store: FileStore, id: string): Promise<StoredFile> {
  const file = await store.get(id);
  if (!file) throw notFound(id);
  return file;
}

function notFound(id: string): GatewayError {
  // The id is echoed only when it has a plain shape; anything else could be an injection attempt.
  const shown = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? ` ${id}` : '';
  return new GatewayError('GW_ERR_NOT_FOUND', `file${shown} not found`);
}

function receiveUpload(req: Request, res: Response, store: FileStore, maxBytes: number): Promise<StoredFile> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return Promise.reject(new GatewayError('GW_ERR_UNSUPPORTED_MEDIA', 'upload a file as multipart/form-data with a "file" field'));
  }
  return new Promise<StoredFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 } });
    } catch (err) {
      reject(new GatewayError('GW_ERR_SCHEMA', `invalid request: ${(err as Error).message}`));
      return;
    }
    let stored: Promise<StoredFile> | undefined;
    let settled = false;
    const fail = (error: GatewayError) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      drain(req, res, maxBytes, () => reject(error));
    };
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        stream.resume();
        return;
      }
      stored = store.put({ filename: cleanFilename(info.filename), mimeType: mimeTypeOf(info.mimeType, info.filename) }, stream, maxBytes);
      stored.catch((err: unknown) => {
        stream.resume();
        fail(err instanceof FileTooLargeError
          ? new GatewayError('GW_ERR_BODY_TOO_LARGE', `the file is larger than ${maxBytes} bytes (FILES_MAX_BYTES)`)
          : new GatewayError('GW_ERR_INTERNAL', 'the file could not be stored', { cause: err }));
      });
    });
    parser.on('error', (err: Error) => fail(new GatewayError('GW_ERR_SCHEMA', `invalid request: the multipart body is malformed (${err.message})`)));
    parser.on('close', () => {
      if (settled) return;
      if (!stored) {
        settled = true;
        reject(new GatewayError('GW_ERR_SCHEMA', 'invalid request: the multipart body has no "file" part'));
        return;
      }
      stored.then((file) => {
        settled = true;
        resolve(file);
      }, () => {});
    });
    req.on('aborted', () => fail(new GatewayError('GW_ERR_BAD_JSON', 'the upload was cut off')));
    req.pipe(parser);
  });
}

/**
 * Reads and drops the rest of a refused upload, then lets the answer go out. A client that keeps
 * sending far past the limit has its connection closed instead.
 */
function drain(req: Request, res: Response, maxBytes: number, done: () => void): void {
  let called = false;
  const then = () => {
    if (called) return;
    called = true;
    done();
  };
  res.setHeader('connection', 'close');
  if (req.readableEnded || req.destroyed) return then();
  let dropped = 0;
  const cap = Math.max(maxBytes, 256 * 1024 * 1024);
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > cap) {
      req.off('data', onData);
      req.destroy();
      then();
    }
  };
  req.on('data', onData);
  req.once('end', then);
  req.once('close', () => {
    if (!req.readableEnded) then();
  });
  req.resume();
}

function cleanFilename(name: string | undefined): string {
  // Metadata only (never a path here), but clients display it: no control characters, bounded.
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 500);
  return cleaned === '' ? 'upload' : cleaned;
}

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

function mimeTypeOf(declared: string | undefined, filename: string | undefined): string {
  const type = (declared ?? '').toLowerCase().split(';')[0].trim();
  if (type !== '' && type !== 'application/octet-stream' && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type)) return type;
  const extension = (filename ?? '').toLowerCase().split('.').pop() ?? '';
  return BY_EXTENSION[extension] ?? 'application/octet-stream';
}
