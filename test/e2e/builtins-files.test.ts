/**
 * The Files built-in with the official SDK (1.14.0): upload, list (paged), metadata, download
 * (byte-identical), delete; a message whose document block names an uploaded PDF reaches the
 * upstream with the file's bytes; traversal attempts never reach the disk; an oversized upload is
 * refused with 413 while streaming, with memory flat and nothing listed.
 */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loadJson } from '../helpers/reference.js';

const LIMIT = 8 * 1024 * 1024;
let h: Harness;
let client: Anthropic;
let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-files-'));
  h = await startHarness({ DATA_DIR: dataDir, FILES_MAX_BYTES: String(LIMIT), HOT_RELOAD: 'off' });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await h?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => h.upstream.reset());

const FILE_ID = /^file_[A-Za-z0-9]{24}$/;

describe('files through the official SDK', () => {
  it('upload → retrieveMetadata → download (byte-identical) → delete, with ?beta=true and the beta header', async () => {
    const bytes = randomBytes(300_000);
    const uploaded = await client.beta.files.upload({ file: await toFile(bytes, 'blob.bin', { type: 'application/octet-stream' }), betas: ['files-api-2025-04-14'] });
    expect(uploaded).toMatchObject({ type: 'file', filename: 'blob.bin', mime_type: 'application/octet-stream', size_bytes: bytes.length, downloadable: true });
    expect(uploaded.id).toMatch(FILE_ID);
    expect(Date.parse(uploaded.created_at)).not.toBeNaN();

    const meta = await client.beta.files.retrieveMetadata(uploaded.id);
    expect(meta).toEqual(uploaded);

    const download = await client.beta.files.download(uploaded.id);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const deleted = await client.beta.files.delete(uploaded.id);
    expect(deleted).toEqual({ id: uploaded.id, type: 'file_deleted' });
    const gone = await client.beta.files.retrieveMetadata(uploaded.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
    expect((gone as { error: { error: { type: string } } }).error.error.type).toBe('not_found_error');
  });

  it('the mime type is recorded from the part, or guessed from the name when the part says octet-stream', async () => {
    const pdf = await client.beta.files.upload({ file: await toFile(Buffer.from('%PDF-1.4 x'), 'doc.pdf', { type: 'application/pdf' }) });
    const guessed = await client.beta.files.upload({ file: await toFile(Buffer.from('hello'), 'notes.txt') });
    expect(pdf.mime_type).toBe('application/pdf');
    expect(guessed.mime_type).toBe('text/plain');
  });

  it('list pages newest first with limit / after_id / before_id, and the SDK iterates every page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.beta.files.upload({ file: await toFile(Buffer.from(`file ${i}`), `f${i}.txt`, { type: 'text/plain' }) })).id);
    const newestFirst = [...ids].reverse();

    const first = await client.beta.files.list({ limit: 2 });
    expect(first.data.map((f) => f.id)).toEqual(newestFirst.slice(0, 2));
    const raw = (await fetchJson(`/v1/files?limit=2&after_id=${newestFirst[1]}`)) as { data: Array<{ id: string }>; first_id: string; last_id: string; has_more: boolean };
    expect(raw.data.map((f) => f.id)).toEqual(newestFirst.slice(2, 4));
    expect(raw).toMatchObject({ first_id: newestFirst[2], last_id: newestFirst[3], has_more: true });
    const before = (await fetchJson(`/v1/files?limit=2&before_id=${newestFirst[2]}`)) as { data: Array<{ id: string }>; has_more: boolean };
    expect(before.data.map((f) => f.id)).toEqual(newestFirst.slice(0, 2));
    expect(before.has_more).toBe(false);

    const seen: string[] = [];
    for await (const file of client.beta.files.list({ limit: 2 })) seen.push(file.id);
    expect(seen.slice(0, 5)).toEqual(newestFirst);
    for await (const file of client.files.list({ limit: 3 })) expect(file.id).toMatch(FILE_ID);
  });

  it('a document block with an uploaded PDF reaches the upstream as input_file with the bytes', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
    const file = await client.beta.files.upload({ file: await toFile(pdf, 'report.pdf', { type: 'application/pdf' }) });
    h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
    const message = await client.beta.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 64,
      betas: ['files-api-2025-04-14'],
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: file.id } }, { type: 'text', text: 'summarise' }] }],
    });
    expect(message.type).toBe('message');
    const sent = h.upstream.requests[0].body as { input: Array<{ content: Array<Record<string, string>> }> };
    const part = sent.input[0].content.find((p) => p.type === 'input_file');
    expect(part).toEqual({ type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${pdf.toString('base64')}` });
  });

  it('an image block with an uploaded image becomes input_image; a text file becomes document text', async () => {
    const png = await client.beta.files.upload({ file: await toFile(Buffer.from('fakepng'), 'a.png', { type: 'image/png' }) });
    const txt = await client.beta.files.upload({ file: await toFile(Buffer.from('Grass is green. é'), 'facts.txt', { type: 'text/plain' }) });
    h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
    await client.beta.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: [
        { type: 'image', source: { type: 'file', file_id: png.id } },
        { type: 'document', source: { type: 'file', file_id: txt.id } },
      ] }],
    });
    const content = (h.upstream.requests[0].body as { input: Array<{ content: unknown[] }> }).input[0].content;
    expect(content).toEqual([
      { type: 'input_image', image_url: `data:image/png;base64,${Buffer.from('fakepng').toString('base64')}`, detail: 'auto' },
      { type: 'input_text', text: '<document>\nGrass is green. é\n</document>' },
    ]);
  });

  it('an unknown file id in a message → 404 not_found_error, and nothing is sent upstream', async () => {
    const err = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_000000000000000000000000' } } as never] }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as { error: { error: { type: string; message: string } } }).error.error).toMatchObject({ type: 'not_found_error' });
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('files: limits and hostile ids', () => {
  it('traversal and malformed ids answer 404 and touch nothing outside the store', async () => {
    const canary = path.join(dataDir, 'canary.json');
    await fs.writeFile(canary, '{"secret":true}');
    const attempts = [
      '/v1/files/..%2Fcanary.json',
      '/v1/files/%2e%2e%2fcanary',
      '/v1/files/..%2F..%2Fetc%2Fpasswd/content',
      '/v1/files/%2Fetc%2Fpasswd/content',
      '/v1/files/file_abc%00.json',
      '/v1/files/file_AAAAAAAAAAAAAAAAAAAAAAAA%2F..',
      '/v1/files/../../canary.json',
    ];
    for (const url of attempts) {
      for (const method of ['GET', 'DELETE']) {
        const res = await rawRequest(method, url);
        expect([400, 404, 405], `${method} ${url}`).toContain(res.status);
        expect(res.body).not.toContain('secret');
      }
    }
    expect(await fs.readFile(canary, 'utf8')).toBe('{"secret":true}');
  });

  it('an upload past FILES_MAX_BYTES → 413 (SDK), nothing stored or listed', async () => {
    const before = await client.beta.files.list({ limit: 1000 });
    const err = await client.beta.files.upload({ file: await toFile(Buffer.alloc(LIMIT + 1, 7), 'big.bin') }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(413);
    expect((err as { error: { error: { type: string } } }).error.error.type).toBe('request_too_large');
    const after = await client.beta.files.list({ limit: 1000 });
    expect(after.data.map((f) => f.id)).toEqual(before.data.map((f) => f.id));
    expect((await fs.readdir(path.join(dataDir, 'files'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a 200 MB upload streamed against the 8 MB limit: 413, memory flat (the body is never buffered)', async () => {
    const total = 200 * 1024 * 1024; // under the 256 MB drain cap: the client still gets its 413
    // Live memory (heap + buffers after a full collection), not RSS, which follows the collector's
    // mood. Even live memory is noisy on Node 24 (V8 frees dead buffers' memory on a background
    // thread, so 30-50 MB of dropped socket chunks can still be counted right after a collection),
    // hence a bound of half the body: a buffered body would show all of it.
    const liveBefore = liveMemory();
    let peak = liveBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, liveMemory())), 200);
    try {
      const res = await streamedUpload(total);
      expect(res.status).toBe(413);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, liveMemory());
    // Client and gateway share this process; neither holds the body: growth far below its size.
    expect(peak - liveBefore).toBeLessThan(total / 2);
    expect((await fs.readdir(path.join(dataDir, 'files'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  }, 60_000); // a full collection per sample: slow on a busy machine

  it('a POST without a multipart body is refused in Anthropic shape', async () => {
    const res = await rawRequest('POST', '/v1/files', '{"file":"x"}', { 'content-type': 'application/json' });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('the gateway keeps serving: healthz after all of the above', async () => {
    expect((await rawRequest('GET', '/healthz')).status).toBe(200);
  });
});

async function fetchJson(pathAndQuery: string): Promise<unknown> {
  const res = await fetch(`${h.gateway.url}${pathAndQuery}`, { headers: { 'x-api-key': GATEWAY_KEY } });
  expect(res.status).toBe(200);
  return res.json();
}

/** Bytes held alive right now: the heap and off-heap buffers, measured after a full collection. */
function liveMemory(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

// The test worker runs without --expose-gc; the flag can still be switched on and `gc` taken from
// a fresh context (documented V8 behaviour: the flag applies to contexts created after it).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** A multipart upload of `total` generated bytes, written chunk by chunk (never in memory whole). */
function streamedUpload(total: number): Promise<{ status: number; body: string }> {
  const boundary = 'rosetta-test-boundary';
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="huge.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 1);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: h.gateway.port, method: 'POST', path: '/v1/files', timeout: 20_000,
      headers: { 'x-api-key': GATEWAY_KEY, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + total + tail.length) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

/** A raw HTTP request (no URL normalisation by a client library: `..` and `%2e` go as written). */
function rawRequest(method: string, rawPath: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.gateway.port, method, path: rawPath, headers: { 'x-api-key': GATEWAY_KEY, ...headers }, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}
