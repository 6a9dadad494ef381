/**
 * OpenTelemetry: with TRACING=on and a tracer provider registered by the operator, each mapped
 * request gives a `rosetta.request` span and a `rosetta.upstream` span carrying no secret; with
 * tracing off nothing is recorded.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startHarness, UPSTREAM_KEY, type Harness } from '../helpers/gateway-harness.js';
import { loadJson } from '../helpers/reference.js';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(() => trace.disable());

async function oneRequest(h: Harness): Promise<number> {
  h.upstream.enqueue({ json: loadJson('openai-responses/vercel-ai/azure-text.1.json') });
  const res = await fetch(`${h.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': GATEWAY_KEY },
    body: JSON.stringify({ model: 'claude-opus-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('tracing', () => {
  it('TRACING=on: a request span and an upstream span, with status codes and no secret', async () => {
    exporter.reset();
    const h = await startHarness({ TRACING: 'on' });
    try {
      expect(await oneRequest(h)).toBe(200);
    } finally {
      await h.stop();
    }
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'rosetta.request');
    const upstream = spans.find((s) => s.name === 'rosetta.upstream');
    expect(request?.attributes).toMatchObject({ 'rosetta.pair': 'anthropic-to-openai-responses', 'http.route': '/v1/messages', 'http.response.status_code': 200, 'rosetta.stream': false });
    expect(upstream?.attributes).toMatchObject({ 'http.response.status_code': 200, 'server.address': expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain(GATEWAY_KEY);
  });

  it('tracing off (the default): no span is recorded, even with a provider registered', async () => {
    exporter.reset();
    const h = await startHarness();
    try {
      expect(await oneRequest(h)).toBe(200);
    } finally {
      await h.stop();
    }
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
