/**
 * Reads a request body as JSON, within a byte limit, failing with catalogue errors: the one body
 * reader of the gateway (the mapped lane and the Express side alike).
 *
 * Clients decide JSON vs stream in the body, and some send no JSON content-type at all, so the
 * content type is not checked — only a charset other than UTF-8, which JSON over HTTP never
 * needs, is refused. `gzip`, `deflate` and `br` bodies are decompressed, the limit applying to
 * the decompressed size (a small compressed body cannot expand past it). An empty body reads as
 * `{}`, and only an object or an array is accepted at the top (what body-parser's strict mode did
 * before this reader replaced it: schema validation then names what is missing).
 *
 * The limit is checked against `content-length` before a byte is read, then while reading; a body
 * over it is refused with 413 at once, and the rest of it is left to Node, which discards it.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { GatewayError } from '../../errors/gateway-error.js';

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBodyText(req, limit);
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw; // a UTF-8 byte order mark
  const start = firstNonSpace(text);
  if (start === -1) return {};
  const first = text[start];
  if (first !== '{' && first !== '[') throw new GatewayError('GW_ERR_BAD_JSON', 'request body is not valid JSON: it must be an object or an array');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError('GW_ERR_BAD_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

function readBodyText(req: IncomingMessage, limit: number): Promise<string> {
  checkCharset(req.headers['content-type']);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (encoding !== 'identity') {
    const createDecoder = DECODERS[encoding];
    if (!createDecoder) return Promise.reject(new GatewayError('GW_ERR_UNSUPPORTED_MEDIA', `unsupported content encoding "${encoding}"`));
    decoder = req.pipe(createDecoder());
  }
  const source: Readable = decoder ?? req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: GatewayError) => {
      source.off('data', onData);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
    source.once('error', () => fail(!decoder ? cutOff() : new GatewayError('GW_ERR_BAD_JSON', `request body is not valid ${encoding} data`)));
    req.once('close', () => {
      if (!req.complete) fail(cutOff());
    });
  });
}

function checkCharset(contentType: string | undefined): void {
  if (!contentType) return;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  if (!match) return;
  const charset = match[1].toLowerCase();
  if (charset !== 'utf-8' && charset !== 'utf8') throw new GatewayError('GW_ERR_UNSUPPORTED_MEDIA', `unsupported charset "${match[1]}": send the body as UTF-8`);
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('GW_ERR_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`);
}

function cutOff(): GatewayError {
  return new GatewayError('GW_ERR_BAD_JSON', 'request body was cut off');
}
