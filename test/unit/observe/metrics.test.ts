/**
 * engine/observe/metrics.ts: every metric the gateway promises is exposed in Prometheus text,
 * with bounded labels, and two gateways in one process keep separate counts.
 */
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../../engine/observe/metrics.js';

describe('gateway metrics', () => {
  it('exposes every metric family, process metrics included', async () => {
    const m = new GatewayMetrics();
    m.bindLive({ breakers: () => new Map([['http://127.0.0.1:1', 'open' as const]]), upstreamLoad: () => ({ active: 3, queued: 1 }), ready: () => true, inFlightRequests: () => 4 });
    m.request('/v1/messages', 'p', 200, 0.2);
    m.firstEvent('p', 0.3);
    m.events('p', 5);
    m.rules('p', 'request', 0.0004);
    m.retry('http://127.0.0.1:1', 'status_5xx');
    m.rejected('queue_full');
    m.rateLimited();
    m.reload(true);
    m.reload(false);
    m.attempt('http://127.0.0.1:1', '503', 0.01);
    const text = await m.render();
    for (const line of [
      'rosetta_requests_total{route="/v1/messages",pair="p",status="200"} 1',
      'rosetta_request_duration_seconds_count{route="/v1/messages",pair="p"} 1',
      'rosetta_time_to_first_token_seconds_count{pair="p"} 1',
      'rosetta_stream_events_total{pair="p"} 5',
      'rosetta_rule_evaluation_seconds_count{pair="p",hook="request"} 1',
      'rosetta_upstream_retries_total{upstream="http://127.0.0.1:1",reason="status_5xx"} 1',
      'rosetta_rejections_total{reason="queue_full"} 1',
      'rosetta_rejections_total{reason="rate_limited"} 1',
      'rosetta_mapping_reloads_total{result="success"} 1',
      'rosetta_mapping_reloads_total{result="failure"} 1',
      'rosetta_upstream_duration_seconds_count{upstream="http://127.0.0.1:1",outcome="503"} 1',
      'rosetta_circuit_breaker_state{upstream="http://127.0.0.1:1"} 2',
      'rosetta_upstream_requests_in_flight 3',
      'rosetta_upstream_requests_queued 1',
      'rosetta_requests_in_flight 4',
      'rosetta_ready 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('two gateways in one process count separately', async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics();
    a.request('/x', 'p', 200, 0.1);
    expect(await a.render()).toContain('rosetta_requests_total{route="/x",pair="p",status="200"} 1');
    expect(await b.render()).not.toContain('rosetta_requests_total{route="/x"');
  });

  it('counts every observation however many wait between scrapes (they are applied in batches)', async () => {
    const m = new GatewayMetrics();
    const sum = (text: string) => Number(/^rosetta_request_duration_seconds_sum\{route="\/x",pair="p"\} (\S+)$/m.exec(text)?.[1]);
    for (let i = 0; i < 1000; i++) m.request('/x', 'p', 200, 0.5);
    m.request('/x', 'p', 200, Number.NaN); // counted; its duration refused, as prom-client would refuse it
    let text = await m.render();
    expect(text).toContain('rosetta_requests_total{route="/x",pair="p",status="200"} 1001');
    expect(text).toContain('rosetta_request_duration_seconds_count{route="/x",pair="p"} 1000');
    expect(sum(text)).toBe(500);
    for (let i = 0; i < 3; i++) m.rules('p', 'response', 0.25);
    m.request('/x', 'p', 500, 1);
    text = await m.render();
    expect(text).toContain('rosetta_rule_evaluation_seconds_count{pair="p",hook="response"} 3');
    expect(text).toContain('rosetta_requests_total{route="/x",pair="p",status="500"} 1');
    expect(sum(text)).toBe(501);
  });
});
