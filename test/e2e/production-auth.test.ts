/**
 * Gateway keys from a file (GATEWAY_API_KEYS_FILE), and FORWARD_CLIENT_KEY=on, where each
 * client's own key goes upstream as `authorization: Bearer` instead of the operator's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { loadJson } from '../helpers/reference.js';

const REQUEST = { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
const ANSWER = loadJson('openai-responses/vercel-ai/azure-text.1.json');

async function post(h: Harness, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${h.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(REQUEST),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.json() };
}

describe('GATEWAY_API_KEYS_FILE', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, '# team A\nfile-key-alpha-1\n\n# team B (rotated 2025-05)\nfile-key-beta-2\n', { mode: 0o600 });
    h = await startHarness({ HOT_RELOAD: 'off', GATEWAY_API_KEYS: '', GATEWAY_API_KEYS_FILE: file });
    h.upstream.setDefault({ json: ANSWER });
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<{ name: string; headers: Record<string, string>; status: number }>([
    { name: 'the first key of the file as x-api-key is served', headers: { 'x-api-key': 'file-key-alpha-1' }, status: 200 },
    { name: 'the second key of the file as a Bearer token is served', headers: { authorization: 'Bearer file-key-beta-2' }, status: 200 },
    { name: 'a commented-out line is not a key', headers: { 'x-api-key': '# team A' }, status: 401 },
    { name: 'no key is refused', headers: {}, status: 401 },
  ])('$name', async ({ headers, status }) => {
    const answer = await post(h, headers);
    expect(answer.status).toBe(status);
    if (status === 401) expect(answer.body.error.type).toBe('authentication_error');
  });

  it('the upstream still gets the operator\'s key, never the client\'s', () => {
    for (const r of h.upstream.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(JSON.stringify(r.headers)).not.toContain('file-key');
    }
  });
});

describe('FORWARD_CLIENT_KEY=on', () => {
  let open: Harness; // no gateway keys: any client key is forwarded
  let allowList: Harness; // gateway keys too: only those keys pass, and are forwarded
  beforeAll(async () => {
    open = await startHarness({ HOT_RELOAD: 'off', FORWARD_CLIENT_KEY: 'on', GATEWAY_API_KEYS: '' });
    allowList = await startHarness({ HOT_RELOAD: 'off', FORWARD_CLIENT_KEY: 'on', GATEWAY_API_KEYS: 'sk-client-allowed-1' });
    open.upstream.setDefault({ json: ANSWER });
    allowList.upstream.setDefault({ json: ANSWER });
  });
  afterAll(async () => Promise.all([open?.stop(), allowList?.stop()]));

  it('the client\'s x-api-key goes upstream as Bearer, replacing the operator\'s key', async () => {
    const answer = await post(open, { 'x-api-key': 'sk-client-own-key-1' });
    expect(answer.status).toBe(200);
    const sent = open.upstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe('Bearer sk-client-own-key-1');
    expect(JSON.stringify(sent.headers)).not.toContain(UPSTREAM_KEY);
    expect(sent.headers['x-api-key']).toBeUndefined();
  });

  it('to an Anthropic upstream (the responses pair) the client\'s key goes in x-api-key, replacing the operator\'s', async () => {
    open.upstream.enqueue({ json: loadJson('anthropic-messages/vercel-ai/anthropic-text.json') });
    const response = await fetch(`${open.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-own-key-3' },
      body: JSON.stringify({ model: 'gpt-5', input: 'hi' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    const sent = open.upstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-client-own-key-3');
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.stringify(sent.headers)).not.toContain(UPSTREAM_KEY);
  });

  it('a client Bearer token is forwarded the same way', async () => {
    expect((await post(open, { authorization: 'Bearer sk-client-own-key-2' })).status).toBe(200);
    expect(open.upstream.requests.at(-1)!.headers.authorization).toBe('Bearer sk-client-own-key-2');
  });

  it('without a key of its own a client is refused (401) — the operator\'s key is never the fallback', async () => {
    const before = open.upstream.requests.length;
    const answer = await post(open, {});
    expect(answer.status).toBe(401);
    expect(answer.body.error.type).toBe('authentication_error');
    expect(open.upstream.requests).toHaveLength(before);
  });

  it('with GATEWAY_API_KEYS set, only listed keys pass, and they are what is forwarded', async () => {
    expect((await post(allowList, { 'x-api-key': 'sk-client-stranger' })).status).toBe(401);
    expect((await post(allowList, { 'x-api-key': 'sk-client-allowed-1' })).status).toBe(200);
    expect(allowList.upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-client-allowed-1']);
  });

  it('the upstream refusing the client\'s key reaches the client as 401 authentication_error', async () => {
    open.upstream.enqueue({ error: { status: 401 } });
    const answer = await post(open, { 'x-api-key': 'sk-client-revoked' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.type).toBe('authentication_error');
  });
});
