/**
 * The request rules of anthropic-to-openai-chat over every real Anthropic request we have: the
 * bodies recorded in recordings/anthropic-messages (pydantic-ai cassettes) and the requests Claude
 * Code and the Anthropic SDKs sent (reference/clients). Each, with its model replaced by an open
 * model, must map to a payload the Chat Completions request schema accepts (the gateway validates
 * it the same way before sending), and the conversation must keep the Chat API's order rules: a
 * "tool" message only right after the assistant message whose tool_calls it answers (or after
 * another tool message), answering one of those calls.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../engine/errors/gateway-error.js';
import { listClientCaptures, listRecordings, loadClientCapture } from '../../helpers/reference.js';
import { loadChatPair, type ChatPairKit } from './pair-loader.js';

type Json = Record<string, any>;

let kit: ChatPairKit;
beforeAll(async () => {
  kit = await loadChatPair();
});

const isMessagesBody = (body: unknown): body is Json => typeof body === 'object' && body !== null && Array.isArray((body as Json).messages) && typeof (body as Json).max_tokens === 'number';

const recorded = listRecordings('anthropic-messages').flatMap((r) =>
  r.request && r.request.path === '/v1/messages' && isMessagesBody(r.request.body) ? [{ name: r.name, body: r.request.body }] : [],
);
const captured = listClientCaptures()
  .map((file) => loadClientCapture(file))
  .filter((c) => c.method === 'POST' && c.path === '/v1/messages' && isMessagesBody(c.body))
  .map((c) => ({ name: c.file, body: c.body as Json }));

/**
 * Requests refused on purpose: a document given by URL (the Chat API cannot fetch documents), and
 * a file of the Files API, which is not in any store here (the e2e tests upload it first).
 */
function expectedRefusal(body: Json): string | undefined {
  const blocks = (body.messages as Json[]).flatMap((m) => (Array.isArray(m.content) ? m.content : []));
  if (blocks.some((b: Json) => b.source?.type === 'file')) return 'not_found';
  if (blocks.some((b: Json) => b.type === 'document' && b.source?.type === 'url')) return 'invalid_request';
  return undefined;
}

function toolOrderProblems(messages: Json[]): string[] {
  const problems: string[] = [];
  let open = new Set<string>();
  messages.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!open.has(m.tool_call_id)) problems.push(`#${i} tool message for ${m.tool_call_id} does not follow its call`);
      return;
    }
    open = new Set(m.role === 'assistant' ? (m.tool_calls ?? []).map((c: Json) => c.id) : []);
  });
  return problems;
}

describe('anthropic-to-openai-chat request rules over real Anthropic requests', () => {
  it('finds the reference requests', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(20);
    expect(captured.length).toBeGreaterThanOrEqual(5);
  });

  it.each([...recorded, ...captured].map((r) => [r.name, r.body] as const))('%s', async (_name, body) => {
    const inbound = { ...body, model: 'qwen3:8b' };
    const refusal = expectedRefusal(inbound);
    if (refusal) {
      await expect(kit.pair.translator.request(inbound)).rejects.toSatisfy((e) => e instanceof GatewayError && e.category === refusal);
      return;
    }
    const payload = await kit.pair.translator.request(inbound);
    const validate = kit.validate('openai-chat-completions', 'request');
    expect(validate(payload) ? [] : validate.errors).toEqual([]);
    expect(payload.model).toBe('qwen3:8b');
    expect(toolOrderProblems(payload.messages as Json[])).toEqual([]);
    expect(payload.stream).toBe(body.stream === true);
    if (body.stream === true) expect(payload.stream_options).toEqual({ include_usage: true });
    // every tool_use of the conversation reaches the upstream as a tool call, with its id
    const toolUseIds = (body.messages as Json[]).flatMap((m) => (Array.isArray(m.content) ? m.content : []).filter((b: Json) => b.type === 'tool_use').map((b: Json) => b.id));
    const callIds = (payload.messages as Json[]).flatMap((m) => (m.tool_calls ?? []).map((c: Json) => c.id));
    expect(callIds).toEqual(toolUseIds);
  });

  it('a model no glob accepts is a not_found error', async () => {
    await expect(kit.pair.translator.request({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ category: 'not_found' });
  });

  it('more stop sequences than the upstream takes are refused, naming the limit', async () => {
    const request = { model: 'qwen3:8b', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stop_sequences: ['a', 'b', 'c', 'd', 'e'] };
    await expect(kit.pair.translator.request(request)).rejects.toMatchObject({ category: 'invalid_request', message: expect.stringContaining('at most 4') });
    const four = await kit.pair.translator.request({ ...request, stop_sequences: ['a', 'b', 'c', 'd'] });
    expect(four.stop).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a tool result with an image gives a tool message and a user message carrying the image', async () => {
    const payload = await kit.pair.translator.request({
      model: 'qwen3:8b',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Take a screenshot.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_s', name: 'screenshot', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_s', content: [{ type: 'text', text: 'Done.' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }, { type: 'text', text: 'What do you see?' }] },
      ],
    });
    expect((payload.messages as Json[]).slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_s', content: 'Done.' },
      { role: 'user', content: [{ type: 'text', text: 'Images returned by tool call toolu_s:' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      { role: 'user', content: 'What do you see?' },
    ]);
  });

  it('max_tokens is sent as max_tokens, clamped to the model limit (Claude Code asks for 64000)', async () => {
    const request = { model: 'gpt-oss:20b', max_tokens: 64000, messages: [{ role: 'user', content: 'hi' }] };
    const payload = await kit.pair.translator.request(request);
    expect(payload.max_tokens).toBe(16384);
    expect(payload.max_completion_tokens).toBeUndefined();
    expect((await kit.pair.translator.request({ ...request, max_tokens: 500 })).max_tokens).toBe(500);
  });
});
