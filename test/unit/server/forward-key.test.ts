/**
 * FORWARD_CLIENT_KEY: the client's key goes upstream in the header its pair names (default
 * `authorization: Bearer <key>`), written over the pair's own header of that name.
 */
import { describe, expect, it } from 'vitest';
import { forwardedKeyHeaders, withUpstreamHeaders } from '../../../engine/server/forward-key.js';
import type { UpstreamCall, UpstreamReply, UpstreamSender } from '../../../engine/upstream/upstream-client.js';

describe('forwardedKeyHeaders', () => {
  it.each([
    ['an x-api-key, default target', { 'x-api-key': 'sk-client-1' }, undefined, { authorization: 'Bearer sk-client-1' }],
    ['a Bearer token, default target', { authorization: 'Bearer sk-client-2' }, undefined, { authorization: 'Bearer sk-client-2' }],
    ['an x-api-key, to a bare x-api-key', { 'x-api-key': 'sk-client-3' }, { name: 'x-api-key', prefix: '' }, { 'x-api-key': 'sk-client-3' }],
    ['a Bearer token, to a bare x-api-key', { authorization: 'Bearer sk-client-4' }, { name: 'x-api-key', prefix: '' }, { 'x-api-key': 'sk-client-4' }],
  ])('%s', (_what, headers, target, expected) => {
    expect(forwardedKeyHeaders(headers, target)).toEqual(expected);
  });

  it('gives nothing when the client presented no key', () => {
    expect(forwardedKeyHeaders({}, { name: 'x-api-key', prefix: '' })).toBeUndefined();
  });
});

describe('withUpstreamHeaders', () => {
  it('writes the forwarded key over the pair header of the same name and keeps the others', async () => {
    const seen: UpstreamCall[] = [];
    const sender: UpstreamSender = { send: async (call) => (seen.push(call), { status: 200 } as unknown as UpstreamReply) };
    const forwarded = forwardedKeyHeaders({ authorization: 'Bearer sk-client-5' }, { name: 'x-api-key', prefix: '' })!;
    await withUpstreamHeaders(sender, forwarded).send({
      url: 'http://127.0.0.1:9/v1/messages',
      method: 'POST',
      headers: { 'x-api-key': 'sk-operator', 'anthropic-version': '2023-06-01' },
      body: '{}',
      signal: new AbortController().signal,
    });
    expect(seen[0].headers).toEqual({ 'x-api-key': 'sk-client-5', 'anthropic-version': '2023-06-01' });
  });
});
