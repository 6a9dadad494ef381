/**
 * Several pairs on one path: two copies of the toy pair both serve POST /chat, each with its own
 * upstream, and `when:` conditions in their pair.yaml decide which one takes a request — by the
 * requested model, by a header, or not at all (404 in the pair's error shape). Everything here is
 * configuration: the copies are made in a temporary mappings folder, no code knows about them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../engine/config/env-config.js';
import { startGateway, type RunningGateway } from '../../engine/server/gateway.js';
import { copyToyPair, TOY_PAIR, TOY_SCHEMAS_DIR, type ToyCopy } from '../unit/spec/toy-pair-copy.js';

const ECHO_PAIR = 'toy-chat-to-toy-llm-echo';
const ROUTE = '  - { method: POST, path: /chat, upstream: { method: POST, path: /generate } }';

/** An upstream that answers every call with its own name, and counts the calls. */
async function namedUpstream(name: string): Promise<{ url: string; calls: unknown[]; close(): Promise<void> }> {
  const calls: unknown[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      calls.push(JSON.parse(text));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ output: { text: name } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startOn(copy: ToyCopy, env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const all: NodeJS.ProcessEnv = { PORT: '0', HOST: '127.0.0.1', MAPPINGS_DIR: copy.mappingsDir, SCHEMAS_DIR: TOY_SCHEMAS_DIR, LOG_LEVEL: 'silent', HOT_RELOAD: 'off', ...env };
  return startGateway(readConfig(all), all);
}

async function chat(gateway: RunningGateway, body: object, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gateway.url}/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.json() };
}

describe('routing between pairs that share a path', () => {
  let toy: Awaited<ReturnType<typeof namedUpstream>>;
  let echo: Awaited<ReturnType<typeof namedUpstream>>;
  let copy: ToyCopy;
  let gateway: RunningGateway;

  beforeAll(async () => {
    [toy, echo] = await Promise.all([namedUpstream('toy upstream'), namedUpstream('echo upstream')]);
    copy = await copyToyPair();
    await copy.clonePair(ECHO_PAIR);
    // The clone: its own upstream, echo-* models and small-1 only, and a condition on its route.
    await copy.edit('pair.yaml', '${TOY_BASE_URL:-http://127.0.0.1:9/v1}', '${ECHO_BASE_URL}', ECHO_PAIR);
    await copy.edit('pair.yaml', '  "small-*": tiny\n', '  "small-1": tiny\n', ECHO_PAIR);
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: '$hasModel(body.model) or headers."x-pair" = "echo"' }`, ECHO_PAIR);
    gateway = await startOn(copy, { TOY_BASE_URL: toy.url, ECHO_BASE_URL: echo.url });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([toy?.close(), echo?.close(), copy?.remove()]);
  });

  it('an echo-* model goes to the conditional pair', async () => {
    const res = await chat(gateway, { model: 'echo-7', prompt: 'hi' });
    expect(res).toEqual({ status: 200, body: { answer: 'echo upstream', model: 'echo-7' } });
    expect(echo.calls.at(-1)).toMatchObject({ engine: 'echo-7', input: 'HI!' });
  });

  it('a model the conditional pair maps goes to that pair', async () => {
    const res = await chat(gateway, { model: 'small-1', prompt: 'hi' });
    expect(res).toEqual({ status: 200, body: { answer: 'echo upstream', model: 'small-1' } });
    expect(echo.calls.at(-1)).toMatchObject({ engine: 'tiny' });
  });

  it('any other request goes to the pair without a condition', async () => {
    const before = echo.calls.length;
    const res = await chat(gateway, { model: 'small-2', prompt: 'hi' });
    expect(res).toEqual({ status: 200, body: { answer: 'toy upstream', model: 'small-2' } });
    expect(toy.calls.at(-1)).toMatchObject({ engine: 'tiny', input: 'HI!' });
    expect(echo.calls.length).toBe(before);
  });

  it('a header can select the pair too (conditions see the request headers)', async () => {
    // The echo pair takes it, and its own model map (no small-2) then refuses the model.
    const before = toy.calls.length;
    const res = await chat(gateway, { model: 'small-2', prompt: 'hi' }, { 'x-pair': 'echo' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ problem: { kind: 'missing', text: 'model: small-2' } });
    expect(toy.calls.length).toBe(before);
  });

  it('the health check lists both pairs', async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    expect((await res.json()).pairs).toEqual([TOY_PAIR, ECHO_PAIR]);
  });
});

describe('when every pair on a path has a condition', () => {
  let copy: ToyCopy;
  let gateway: RunningGateway;
  let upstream: Awaited<ReturnType<typeof namedUpstream>>;

  beforeAll(async () => {
    upstream = await namedUpstream('shared upstream');
    copy = await copyToyPair();
    await copy.clonePair(ECHO_PAIR);
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: 'body.model = "small-2"' }`);
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: 'body.model = "small-3"' }`, ECHO_PAIR);
    gateway = await startOn(copy, { TOY_BASE_URL: upstream.url });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([upstream?.close(), copy?.remove()]);
  });

  it('a request no condition takes is a 404 in the pair\'s error shape, naming the pairs', async () => {
    const res = await chat(gateway, { model: 'small-1', prompt: 'hi' });
    expect(res.status).toBe(404);
    expect(res.body.problem.kind).toBe('missing');
    expect(res.body.problem.text).toContain('model "small-1"');
    expect(res.body.problem.text).toContain(`${TOY_PAIR}, ${ECHO_PAIR}`);
    expect(upstream.calls).toHaveLength(0);
  });

  it('each condition takes its own requests', async () => {
    expect((await chat(gateway, { model: 'small-2', prompt: 'a' })).status).toBe(200);
    expect((await chat(gateway, { model: 'small-3', prompt: 'b' })).status).toBe(200);
    expect(upstream.calls).toHaveLength(2);
  });
});

describe('a pair loaded alone', () => {
  it('serves everything on its paths, whatever its condition says', async () => {
    const upstream = await namedUpstream('alone');
    const copy = await copyToyPair();
    try {
      await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: 'false' }`);
      const gateway = await startOn(copy, { TOY_BASE_URL: upstream.url });
      try {
        expect(await chat(gateway, { model: 'small-1', prompt: 'hi' })).toEqual({ status: 200, body: { answer: 'alone', model: 'small-1' } });
      } finally {
        await gateway.close();
      }
    } finally {
      await Promise.all([upstream.close(), copy.remove()]);
    }
  });
});
