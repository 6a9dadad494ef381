/**
 * anthropic-to-openai-chat's built-ins with the official SDK, both shipped pairs loaded: a message
 * batch of open-model items runs through the chat pair (POST /v1/chat/completions upstream), and
 * a file uploaded through the gateway's one store is inlined into a message to an open model.
 */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';
import { replyFromRecording } from '../helpers/fake-upstream.js';
import { GATEWAY_KEY, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { listRecordings } from '../helpers/reference.js';

const chatSchemas = apiSchemaKit('openai-chat-completions');
const textAnswer = listRecordings('openai-chat-completions').find((r) => r.name === 'vercel-ai/openai-text.json')!;

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await startHarness({ HOT_RELOAD: 'off', BATCH_CONCURRENCY: '1' });
  client = new Anthropic({ baseURL: h.gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => h?.stop());
beforeEach(() => h.upstream.reset());

async function untilEnded(id: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<Anthropic.Messages.MessageBatch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.messages.batches.retrieve(id, {}, { headers });
    if (batch.processing_status === 'ended') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} not ended after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('chat pair built-ins', () => {
  it('a batch whose items all name open models runs through the Chat Completions upstream', async () => {
    h.upstream.setDefault(replyFromRecording(textAnswer));
    const created = await client.messages.batches.create({
      requests: [
        { custom_id: 'a', params: { model: 'qwen3:8b', max_tokens: 32, messages: [{ role: 'user', content: 'One' }] } },
        { custom_id: 'b', params: { model: 'llama3.1:8b', max_tokens: 32, messages: [{ role: 'user', content: 'Two' }] } },
      ],
    });
    const header = { 'x-rosetta-pair': 'anthropic-to-openai-chat' };
    const ended = await untilEnded(created.id, header);
    expect(ended.request_counts).toMatchObject({ succeeded: 2, errored: 0 });
    const results = new Map<string, Anthropic.Messages.MessageBatchResult>();
    for await (const line of await client.messages.batches.results(created.id, {}, { headers: header })) results.set(line.custom_id, line.result);
    expect([...results.keys()].sort()).toEqual(['a', 'b']);
    for (const [id, result] of results) {
      expect(result.type, id).toBe('succeeded');
      if (result.type === 'succeeded') expect(result.message.model).toBe(id === 'a' ? 'qwen3:8b' : 'llama3.1:8b');
    }
    expect(h.upstream.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    for (const r of h.upstream.requests) chatSchemas.expectValid('request', r.body, 'batch item upstream request');
    h.upstream.setDefault(undefined);
  });

  it('a text file uploaded through the gateway is inlined as text into a message to an open model', async () => {
    const uploaded = await client.beta.files.upload({ file: await toFile(Buffer.from('Meeting moved to Friday.'), 'notes.txt', { type: 'text/plain' }), betas: ['files-api-2025-04-14'] });
    h.upstream.enqueue(replyFromRecording(textAnswer));
    await client.beta.messages.create({
      model: 'qwen3:8b',
      max_tokens: 64,
      betas: ['files-api-2025-04-14'],
      messages: [{ role: 'user', content: [{ type: 'document', title: 'Notes', source: { type: 'file', file_id: uploaded.id } }, { type: 'text', text: 'When is the meeting?' }] }],
    });
    const sent = h.upstream.requests[0];
    expect(sent.path).toBe('/v1/chat/completions');
    expect((sent.body as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'Notes\n\nMeeting moved to Friday.\n\nWhen is the meeting?' }]);
  });
});
