/**
 * Message Batches with the official SDK (1.14.0): create → retrieve → list → results → delete,
 * a mix of successes and upstream errors (retried, then errored), up-front validation naming the
 * bad custom_id, cancel, expiry. Items run through the same mapped pipeline as live requests,
 * against the fake upstream.
 */
import Anthropic from '@anthropic-ai/sdk';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { openAiErrorBody, type ReceivedRequest, type Reply } from '../helpers/fake-upstream.js';
import { loadJson } from '../helpers/reference.js';

const recorded = loadJson<Record<string, unknown>>('openai-responses/vercel-ai/azure-text.1.json');

/** The upstream's answer, steered by the item's text: ok-*, bad-* (400), busy-* (429 always), flaky-* (500 once). */
function scriptedUpstream(): (req: ReceivedRequest) => Reply {
  const seen = new Map<string, number>();
  return (req) => {
    const text = JSON.stringify(req.body);
    const tag = /"((?:ok|bad|busy|flaky|slow)-\d+)"/.exec(text)?.[1] ?? 'ok-0';
    const n = (seen.get(tag) ?? 0) + 1;
    seen.set(tag, n);
    if (tag.startsWith('bad-')) return { error: { status: 400, body: openAiErrorBody(400, `bad item ${tag}`) } };
    if (tag.startsWith('busy-')) return { error: { status: 429, body: openAiErrorBody(429) } };
    if (tag.startsWith('flaky-') && n === 1) return { error: { status: 500, body: openAiErrorBody(500) } };
    if (tag.startsWith('slow-')) return { fault: 'slow-headers', delayMs: 400, reply: { json: recorded } };
    return { json: recorded };
  };
}

const item = (custom_id: string, text: string, extra: Record<string, unknown> = {}) => ({
  custom_id,
  params: { model: 'claude-opus-5-5', max_tokens: 32, messages: [{ role: 'user' as const, content: text }], ...extra },
});

async function untilEnded(client: Anthropic, id: string, timeoutMs = 15_000): Promise<Anthropic.Messages.MessageBatch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.messages.batches.retrieve(id);
    if (batch.processing_status === 'ended') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} not ended after ${timeoutMs} ms: ${JSON.stringify(batch)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function resultsOf(client: Anthropic, id: string): Promise<Map<string, Anthropic.Messages.MessageBatchResult>> {
  const out = new Map<string, Anthropic.Messages.MessageBatchResult>();
  for await (const line of await client.messages.batches.results(id)) {
    expect(out.has(line.custom_id), `custom_id ${line.custom_id} twice`).toBe(false);
    out.set(line.custom_id, line.result);
  }
  return out;
}

describe('message batches through the official SDK', () => {
  let h: Harness;
  let client: Anthropic;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-batches-'));
    h = await startHarness({ DATA_DIR: dataDir, BATCH_CONCURRENCY: '3', BATCH_MAX_ATTEMPTS: '2', BATCH_RETRY_BASE_MS: '10', HOT_RELOAD: 'off' });
    h.upstream.setDefault(scriptedUpstream());
    client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await h?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('a mixed batch ends with the right counts, and every item has exactly one result', async () => {
    const created = await client.messages.batches.create({
      requests: [item('a-1', 'ok-1'), item('a-2', 'ok-2'), item('a-3', 'bad-3'), item('a-4', 'busy-4'), item('a-5', 'flaky-5'), item('a-6', 'ok-6', { stream: true })],
    });
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, ended_at: null, cancel_initiated_at: null, archived_at: null });
    expect(created.id).toMatch(/^msgbatch_[A-Za-z0-9]{24}$/);
    expect(created.request_counts).toEqual({ processing: 6, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 3600 * 1000);

    const ended = await untilEnded(client, created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 4, errored: 2, canceled: 0, expired: 0 });
    expect(ended.results_url).toBe(`${h.gateway.url}/v1/messages/batches/${created.id}/results`);
    expect(ended.ended_at).not.toBeNull();

    const results = await resultsOf(client, created.id);
    expect([...results.keys()].sort()).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6']);
    const ok = results.get('a-1') as Anthropic.Messages.MessageBatchSucceededResult;
    expect(ok.type).toBe('succeeded');
    expect(ok.message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-opus-5-5' });
    expect(results.get('a-6')?.type).toBe('succeeded'); // stream: true is forced off for batch items
    expect(results.get('a-5')?.type).toBe('succeeded'); // a 500, retried
    const bad = results.get('a-3') as Anthropic.Messages.MessageBatchErroredResult;
    expect(bad.type).toBe('errored');
    expect(bad.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(results.get('a-4')).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'rate_limit_error' } } });
    // busy-4 was tried BATCH_MAX_ATTEMPTS times; a 400 is not retried.
    const tries = (tag: string) => h.upstream.requests.filter((r) => JSON.stringify(r.body).includes(`"${tag}"`)).length;
    expect(tries('busy-4')).toBe(2);
    expect(tries('bad-3')).toBe(1);
    // Items went through the mapped pipeline: the upstream got Responses payloads, never stream: true.
    expect(h.upstream.requests.every((r) => (r.body as { stream?: boolean }).stream === false)).toBe(true);

    const listed = await client.messages.batches.list({ limit: 20 });
    expect(listed.data.map((b) => b.id)).toContain(created.id);

    expect(await client.messages.batches.delete(created.id)).toEqual({ id: created.id, type: 'message_batch_deleted' });
    const gone = await client.messages.batches.retrieve(created.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('every item is validated up front: one bad item refuses the batch and the error names its custom_id', async () => {
    const bad = await client.messages.batches.create({ requests: [item('v-1', 'ok-1'), { custom_id: 'v-2', params: { model: 'claude-opus-5-5', messages: [] } as never }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as Error).message).toContain('requests[1] (custom_id');
    expect((bad as Error).message).toContain('v-2');
    const dup = await client.messages.batches.create({ requests: [item('d-1', 'ok-1'), item('d-1', 'ok-2')] }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(Anthropic.BadRequestError);
    expect((dup as Error).message).toContain('d-1');
    const badId = await client.messages.batches.create({ requests: [item('no spaces allowed', 'ok-1')] }).catch((e: unknown) => e);
    expect(badId).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('cancel: in-flight items are stopped, the rest end canceled; delete before the end is refused', async () => {
    const requests = Array.from({ length: 12 }, (_, i) => item(`c-${i}`, `slow-${i}`));
    const created = await client.messages.batches.create({ requests });
    const early = await client.messages.batches.delete(created.id).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(Anthropic.BadRequestError);

    const canceling = await client.messages.batches.cancel(created.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).not.toBeNull();
    const ended = await untilEnded(client, created.id);
    const { succeeded, canceled, errored, expired, processing } = ended.request_counts;
    expect(succeeded + canceled + errored + expired + processing).toBe(12);
    expect(canceled).toBeGreaterThanOrEqual(9);
    const results = await resultsOf(client, created.id);
    expect(results.size).toBe(12);
    expect([...results.values()].filter((r) => r.type === 'canceled')).toHaveLength(canceled);
  });

  it('list pages newest first with limit / after_id', async () => {
    const a = await client.messages.batches.create({ requests: [item('p-1', 'ok-1')] });
    const b = await client.messages.batches.create({ requests: [item('p-1', 'ok-1')] });
    const page = await client.messages.batches.list({ limit: 1 });
    expect(page.data.map((x) => x.id)).toEqual([b.id]);
    expect(page.has_more).toBe(true);
    const next = await client.messages.batches.list({ limit: 1, after_id: b.id });
    expect(next.data.map((x) => x.id)).toEqual([a.id]);
    const all: string[] = [];
    for await (const batch of client.messages.batches.list({ limit: 1 })) all.push(batch.id);
    expect(all.slice(0, 2)).toEqual([b.id, a.id]);
  });

  it('the beta client (anthropic-beta: message-batches-2024-09-24) works the same', async () => {
    const created = await client.beta.messages.batches.create({ requests: [item('b-1', 'ok-1')], betas: ['message-batches-2024-09-24'] });
    await untilEnded(client, created.id);
    const lines: string[] = [];
    for await (const line of await client.beta.messages.batches.results(created.id)) lines.push(line.custom_id);
    expect(lines).toEqual(['b-1']);
  });
});

describe('message batches: expiry and PUBLIC_BASE_URL', () => {
  let h: Harness;
  let client: Anthropic;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-batches-expiry-'));
    h = await startHarness({ DATA_DIR: dataDir, BATCH_CONCURRENCY: '1', BATCH_EXPIRY_SECONDS: '1', PUBLIC_BASE_URL: 'https://gateway.example.com/', HOT_RELOAD: 'off' });
    h.upstream.setDefault(scriptedUpstream());
    client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await h?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('items not finished by expires_at end as expired; results_url uses PUBLIC_BASE_URL', async () => {
    const created = await client.messages.batches.create({ requests: Array.from({ length: 6 }, (_, i) => item(`e-${i}`, `slow-${i}`)) });
    const ended = await untilEnded(client, created.id, 8000);
    expect(ended.request_counts.expired).toBeGreaterThanOrEqual(3);
    expect(ended.request_counts.succeeded + ended.request_counts.expired).toBe(6);
    expect(ended.results_url).toBe(`https://gateway.example.com/v1/messages/batches/${created.id}/results`);
  });
});

describe('message batches: attempts per item with upstream retries on', () => {
  let h: Harness;
  let client: Anthropic;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rosetta-batches-retries-'));
    // The live path retries twice (UPSTREAM_MAX_RETRIES); batch items have their own attempts.
    h = await startHarness({ DATA_DIR: dataDir, BATCH_CONCURRENCY: '2', BATCH_MAX_ATTEMPTS: '3', BATCH_RETRY_BASE_MS: '10', UPSTREAM_MAX_RETRIES: '2', UPSTREAM_RETRY_BASE_DELAY_MS: '10', HOT_RELOAD: 'off' });
    h.upstream.setDefault(scriptedUpstream());
    client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await h?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('an item the upstream keeps refusing is sent BATCH_MAX_ATTEMPTS times, not multiplied by the live retries', async () => {
    const created = await client.messages.batches.create({ requests: [item('r-1', 'busy-7'), item('r-2', 'ok-8')] });
    const ended = await untilEnded(client, created.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 1, errored: 1 });
    const tries = (tag: string) => h.upstream.requests.filter((r) => JSON.stringify(r.body).includes(`"${tag}"`)).length;
    expect(tries('busy-7')).toBe(3);
    expect(tries('ok-8')).toBe(1);
  });

  it('a live request still gets the resilience layer\'s retries', async () => {
    const before = h.upstream.requests.length;
    const err = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'busy-9' }] }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(429);
    expect(h.upstream.requests.length - before).toBe(3); // one attempt and two retries
  });
});
