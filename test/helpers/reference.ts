/**
 * Loaders for the shared reference data (recordings, client captures).
 *
 * The reference folder is `<repoRoot>/../shared/reference`, overridable with the
 * environment variable `ROSETTA_REFERENCE_DIR`. Relative paths given to the loaders
 * are resolved against the reference folder first, then against
 * `reference/recordings` (for `load*` of recordings) or `reference/clients`
 * (for client captures), so both `recordings/openai-responses/vercel-ai/x.chunks.txt`
 * and `openai-responses/vercel-ai/x.chunks.txt` work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import YAML from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ApiName = 'openai-responses' | 'anthropic-messages' | 'openai-chat-completions';
export const API_NAMES: readonly ApiName[] = ['openai-responses', 'anthropic-messages', 'openai-chat-completions'];
export type RecordingSource = 'vercel-ai' | 'pydantic-ai';

/** One SSE frame exactly as it travels on the wire: optional `event:` name and the raw `data:` payload. */
export interface SseFrame {
  event?: string;
  data: string;
}

export interface CassetteRequest {
  method: string;
  /** Full URI as recorded, e.g. `https://api.openai.com/v1/responses`. */
  uri: string;
  /** Path without query, e.g. `/v1/messages`. */
  path: string;
  /** Parsed query string, e.g. `{ beta: 'true' }`. */
  query: Record<string, string>;
  /** Lower-case header names; multi-valued headers joined with `, `. */
  headers: Record<string, string>;
  /** The JSON request body exactly as the SDK sent it (`parsed_body`), or undefined. */
  body: unknown;
}

export interface CassetteResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body (non-streaming), or the raw text for non-JSON, non-SSE bodies. */
  body?: unknown;
  /** Raw SSE text exactly as recorded (streaming responses only). */
  sse?: string;
  /** Data payloads of the SSE events, JSON-parsed where possible (`[DONE]` stays a string). */
  events?: unknown[];
  /** The SSE frames exactly as recorded (event name + raw data string). */
  frames?: SseFrame[];
}

export interface CassetteInteraction {
  request: CassetteRequest;
  response: CassetteResponse;
}

export type RecordingKind = 'json' | 'stream' | 'error';

export interface Recording {
  api: ApiName;
  source: RecordingSource;
  /** `vercel-ai/<file>` (`…#<n>` when the file holds several streams) or `pydantic-ai/<file>#<interaction index, 0-based>`. */
  name: string;
  /** Path of the file relative to the reference folder. */
  file: string;
  /** Interaction index inside a cassette (pydantic-ai only). */
  interaction?: number;
  /** Index of the response inside a vercel-ai chunk file that holds several responses back to back. */
  segment?: number;
  kind: RecordingKind;
  /** HTTP status. For vercel-ai error bodies (which carry no status) it is inferred from `error.type`. */
  status: number;
  /** True when `status` was inferred rather than recorded. */
  statusInferred?: boolean;
  /** Recorded response headers (empty for vercel-ai fixtures, which hold none). */
  headers: Record<string, string>;
  /** JSON body, for kinds `json` and `error`. */
  body?: unknown;
  /** Event payloads, for kind `stream`. */
  events?: unknown[];
  /** Wire frames (raw data strings), for kind `stream`; replaying these is byte-exact. */
  frames?: SseFrame[];
  /** Raw recorded SSE text (pydantic-ai streams only). */
  sse?: string;
  /** The recorded request (pydantic-ai only). */
  request?: CassetteRequest;
}

export interface ClientCapture {
  time?: string;
  method: string;
  url: string;
  path: string;
  query: Record<string, string | string[]>;
  http_version?: string;
  headers: Record<string, string>;
  body_bytes?: number;
  body: unknown;
  multipart?: unknown;
  response: { status: number; note?: string; stream?: boolean; [k: string]: unknown };
  seq?: number;
  /** Path of the capture file relative to the reference folder. */
  file: string;
}

// ---------------------------------------------------------------------------
// Locations

export function referenceDir(): string {
  const fromEnv = process.env.ROSETTA_REFERENCE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.resolve(repoRoot, '..', 'shared', 'reference');
}

export function recordingsDir(api?: ApiName): string {
  return api ? path.join(referenceDir(), 'recordings', api) : path.join(referenceDir(), 'recordings');
}

/** Resolve a path given relative to the reference folder (or to one of the fallback sub-folders). */
export function resolveReference(relPath: string, fallbackSubdirs: string[] = ['recordings', 'clients']): string {
  if (path.isAbsolute(relPath)) return relPath;
  const base = referenceDir();
  const first = path.join(base, relPath);
  if (fs.existsSync(first)) return first;
  for (const sub of fallbackSubdirs) {
    const candidate = path.join(base, sub, relPath);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`reference file not found: ${relPath} (looked in ${base} and ${fallbackSubdirs.map((s) => path.join(base, s)).join(', ')})`);
}

function relToReference(abs: string): string {
  return path.relative(referenceDir(), abs).split(path.sep).join('/');
}

// ---------------------------------------------------------------------------
// SSE text

/** Split raw SSE text into frames with eventsource-parser (event name, raw data string). */
export function parseSseFrames(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  const parser = createParser({
    onEvent(msg: EventSourceMessage) {
      frames.push(msg.event === undefined ? { data: msg.data } : { event: msg.event, data: msg.data });
    },
  });
  parser.feed(text);
  // A final event without its terminating blank line is not dispatched by the SSE rules
  // (eventsource-parser follows them); that matches what a real client would see.
  return frames;
}

/** JSON-parse an SSE data payload; non-JSON payloads (e.g. `[DONE]`) are returned as strings. */
export function parseSseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

// ---------------------------------------------------------------------------
// Loaders

/** The events of a vercel-ai `*.chunks.txt` file: one JSON object per non-empty line. */
export function loadChunks(relPath: string): unknown[] {
  return loadChunkLines(relPath).map((line) => JSON.parse(line) as unknown);
}

function loadChunkLines(relPath: string): string[] {
  const text = fs.readFileSync(resolveReference(relPath), 'utf8');
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

export function loadJson<T = unknown>(relPath: string): T {
  return JSON.parse(fs.readFileSync(resolveReference(relPath), 'utf8')) as T;
}

function flattenHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

function isSseContentType(ct: string | undefined): boolean {
  return !!ct && ct.toLowerCase().includes('text/event-stream');
}

function isJsonContentType(ct: string | undefined): boolean {
  return !!ct && /[/+]json\b/i.test(ct);
}

interface RawCassette {
  interactions?: Array<{
    request?: { method?: string; uri?: string; headers?: unknown; parsed_body?: unknown; body?: unknown };
    response?: { status?: { code?: number }; headers?: unknown; parsed_body?: unknown; body?: { string?: unknown } };
  }>;
}

/** The interactions of a pydantic-ai VCR cassette, in a uniform shape. */
export function loadCassette(relPath: string): CassetteInteraction[] {
  const abs = resolveReference(relPath);
  const doc = YAML.parse(fs.readFileSync(abs, 'utf8')) as RawCassette;
  if (!doc || !Array.isArray(doc.interactions)) throw new Error(`not a VCR cassette (no interactions[]): ${relPath}`);
  return doc.interactions.map((it, i) => {
    const req = it.request ?? {};
    const res = it.response ?? {};
    const uri = String(req.uri ?? '');
    let urlPath = uri;
    const query: Record<string, string> = {};
    try {
      const u = new URL(uri);
      urlPath = u.pathname;
      u.searchParams.forEach((v, k) => (query[k] = v));
    } catch {
      /* keep the raw uri */
    }
    const request: CassetteRequest = {
      method: String(req.method ?? 'GET').toUpperCase(),
      uri,
      path: urlPath,
      query,
      headers: flattenHeaders(req.headers),
      body: req.parsed_body,
    };
    const status = res.status?.code;
    if (typeof status !== 'number') throw new Error(`${relPath} interaction ${i}: response.status.code missing`);
    const headers = flattenHeaders(res.headers);
    const response: CassetteResponse = { status, headers };
    if (res.parsed_body !== undefined) {
      response.body = res.parsed_body;
    } else if (res.body && typeof res.body.string === 'string') {
      const text = res.body.string;
      const ct = headers['content-type'];
      if (isSseContentType(ct) || (!ct && /^(event|data):/m.test(text))) {
        response.sse = text;
        response.frames = parseSseFrames(text);
        response.events = response.frames.map((f) => parseSseData(f.data));
      } else if (isJsonContentType(ct)) {
        response.body = parseSseData(text);
      } else {
        response.body = text;
      }
    }
    return { request, response };
  });
}

/** A captured client request (`reference/clients/**\/NNN-*.json`). */
export function loadClientCapture(relPath: string): ClientCapture {
  const abs = resolveReference(relPath, ['clients']);
  const raw = JSON.parse(fs.readFileSync(abs, 'utf8')) as Record<string, unknown>;
  for (const field of ['method', 'url', 'path', 'headers', 'response']) {
    if (!(field in raw)) throw new Error(`client capture ${relPath} lacks field "${field}"`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw.headers ?? {}) as Record<string, unknown>)) {
    headers[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return {
    ...(raw as object),
    method: String(raw.method).toUpperCase(),
    url: String(raw.url),
    path: String(raw.path),
    query: (raw.query ?? {}) as Record<string, string | string[]>,
    headers,
    body: raw.body ?? null,
    response: raw.response as ClientCapture['response'],
    file: relToReference(abs),
  } as ClientCapture;
}

/** Every `NNN-*.json` capture below `clients/<subdir>` (relative paths), sorted. */
export function listClientCaptures(subdir = ''): string[] {
  const root = path.join(referenceDir(), 'clients', subdir);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (/^\d{3}-.*\.json$/.test(ent.name)) out.push(relToReference(p));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

// ---------------------------------------------------------------------------
// listRecordings

const OPENAI_ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  invalid_api_key: 401,
  permission_error: 403,
  not_found_error: 404,
  model_not_found: 404,
  insufficient_quota: 429,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  server_error: 500,
  service_unavailable_error: 503,
};

const ANTHROPIC_ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Recognise a bare HTTP error body (vercel-ai fixtures carry no status):
 * OpenAI `{error:{message,type,...}}` without `object`/`id`, or Anthropic `{type:"error", error:{...}}`.
 * Returns the inferred status, or undefined for a normal body.
 */
function inferErrorStatus(api: ApiName, body: unknown): number | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (!err || typeof err !== 'object') return undefined;
  const e = err as Record<string, unknown>;
  if (api === 'anthropic-messages') {
    if (b.type !== 'error') return undefined;
    return ANTHROPIC_ERROR_STATUS[String(e.type)] ?? 500;
  }
  if ('object' in b || 'id' in b || typeof e.message !== 'string') return undefined;
  return OPENAI_ERROR_STATUS[String(e.code)] ?? OPENAI_ERROR_STATUS[String(e.type)] ?? 500;
}

function framesForChunks(api: ApiName, lines: string[]): SseFrame[] {
  if (api === 'openai-chat-completions') {
    // Chat Completions streams carry no event names and end with `data: [DONE]` (README §2.1).
    return [...lines.map((data) => ({ data })), { data: '[DONE]' }];
  }
  return lines.map((data) => {
    const parsed = JSON.parse(data) as { type?: unknown };
    if (typeof parsed.type !== 'string') throw new Error(`chunk without a string "type": ${data.slice(0, 80)}`);
    return { event: parsed.type, data };
  });
}

/** The event type that opens one response stream, per API (none for Chat Completions). */
const STREAM_OPENER: Partial<Record<ApiName, string>> = {
  'openai-responses': 'response.created',
  'anthropic-messages': 'message_start',
};

/**
 * Some vercel-ai chunk files hold several responses back to back (e.g.
 * `openai-reasoning-encrypted-content.1.chunks.txt`: four `response.created … response.completed`
 * runs from a multi-step call). Split them at each opener after the first.
 */
function splitStreams(api: ApiName, frames: SseFrame[]): SseFrame[][] {
  const opener = STREAM_OPENER[api];
  if (!opener) return [frames];
  const out: SseFrame[][] = [];
  for (const f of frames) {
    if (f.event === opener || out.length === 0) out.push([]);
    out[out.length - 1].push(f);
  }
  return out;
}

/**
 * Every recorded upstream response of an API, one entry per response (a cassette with two
 * interactions gives two entries, named `…yaml#0`, `…yaml#1`; a chunk file holding several
 * streams gives one entry per stream, named `…chunks.txt#0`, …). Interactions that are not API traffic (e.g. a cassette's
 * plain-text GET of a document URL) are skipped. HTTP errors (status >= 400) have kind `error`.
 */
export function listRecordings(api: ApiName): Recording[] {
  const out: Recording[] = [];
  for (const source of ['vercel-ai', 'pydantic-ai'] as const) {
    const dir = path.join(recordingsDir(api), source);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, file);
      const rel = relToReference(abs);
      if (file.endsWith('.chunks.txt')) {
        const segments = splitStreams(api, framesForChunks(api, loadChunkLines(rel)));
        segments.forEach((frames, i) => {
          out.push({
            api,
            source,
            name: segments.length > 1 ? `${source}/${file}#${i}` : `${source}/${file}`,
            file: rel,
            ...(segments.length > 1 ? { segment: i } : {}),
            kind: 'stream',
            status: 200,
            headers: {},
            frames,
            events: frames.map((f) => parseSseData(f.data)),
          });
        });
      } else if (file.endsWith('.json')) {
        const body = loadJson(rel);
        const errStatus = inferErrorStatus(api, body);
        out.push({
          api,
          source,
          name: `${source}/${file}`,
          file: rel,
          kind: errStatus !== undefined ? 'error' : 'json',
          status: errStatus ?? 200,
          ...(errStatus !== undefined ? { statusInferred: true } : {}),
          headers: {},
          body,
        });
      } else if (file.endsWith('.yaml') || file.endsWith('.yml')) {
        loadCassette(rel).forEach((it, i) => {
          const { response } = it;
          const ct = response.headers['content-type'];
          const isStream = response.frames !== undefined;
          const isJson = !isStream && (isJsonContentType(ct) || (ct === undefined && typeof response.body === 'object'));
          if (!isStream && !isJson) return; // not API traffic
          const base = {
            api,
            source,
            name: `${source}/${file}#${i}`,
            file: rel,
            interaction: i,
            status: response.status,
            headers: response.headers,
            request: it.request,
          };
          if (response.status >= 400) out.push({ ...base, kind: 'error', body: response.body });
          else if (isStream)
            out.push({ ...base, kind: 'stream', events: response.events, frames: response.frames, sse: response.sse });
          else out.push({ ...base, kind: 'json', body: response.body });
        });
      }
    }
  }
  return out;
}

/** One recording of an API by its name (e.g. `vercel-ai/openai-text.1.chunks.txt`); throws when there is none. */
export function findRecording(api: ApiName, name: string): Recording {
  const found = listRecordings(api).find((r) => r.name === name);
  if (!found) throw new Error(`no ${api} recording named ${name}`);
  return found;
}
