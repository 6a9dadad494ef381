/**
 * The production settings of engine/config/env-config.ts (limits, retries, breaker, metrics,
 * shutdown) and GATEWAY_API_KEYS_FILE (engine/config/keys-file.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../../engine/config/env-config.js';
import { parseKeysFile } from '../../../engine/config/keys-file.js';

const CWD = '/srv/rosetta';

describe('defaults', () => {
  const config = readConfig({}, CWD);
  it.each<{ name: string; pick: (c: typeof config) => unknown; expected: unknown }>([
    { name: 'no client key is forwarded', pick: (c) => c.forwardClientKey, expected: false },
    { name: 'JSON depth 64', pick: (c) => c.limits.maxJsonDepth, expected: 64 },
    { name: 'no rate limit', pick: (c) => [c.limits.rateLimitPerMinute, c.limits.rateLimitBurst], expected: [0, 0] },
    { name: '256 concurrent upstream requests, 1024 waiting, 30 s wait', pick: (c) => [c.limits.maxConcurrentUpstream, c.limits.maxQueue, c.limits.queueTimeoutMs], expected: [256, 1024, 30_000] },
    { name: '2 retries, 250 ms base, 5 s cap, 20% budget', pick: (c) => [c.resilience.maxRetries, c.resilience.retryBaseDelayMs, c.resilience.retryMaxDelayMs, c.resilience.retryBudgetPercent], expected: [2, 250, 5_000, 20] },
    { name: 'breaker: 5 failures or 50%, 30 s cool-down', pick: (c) => [c.resilience.breakerFailures, c.resilience.breakerFailurePercent, c.resilience.breakerCooldownMs], expected: [5, 50, 30_000] },
    { name: 'bodies are not logged; metrics on the main port; no tracing', pick: (c) => c.observe, expected: { logBodies: false, metricsPort: undefined, tracing: false } },
    { name: '30 s shutdown grace, no delay', pick: (c) => c.shutdown, expected: { graceMs: 30_000, delayMs: 0 } },
  ])('$name', ({ pick, expected }) => {
    expect(pick(config)).toEqual(expected);
  });
});

describe('values from the environment', () => {
  it('RATE_LIMIT_BURST defaults to RATE_LIMIT_RPM', () => {
    expect(readConfig({ RATE_LIMIT_RPM: '120' }, CWD).limits).toMatchObject({ rateLimitPerMinute: 120, rateLimitBurst: 120 });
    expect(readConfig({ RATE_LIMIT_RPM: '120', RATE_LIMIT_BURST: '10' }, CWD).limits).toMatchObject({ rateLimitPerMinute: 120, rateLimitBurst: 10 });
  });

  it('the switches and ports', () => {
    const c = readConfig({ FORWARD_CLIENT_KEY: 'on', LOG_BODIES: 'on', METRICS_PORT: '9464', SHUTDOWN_GRACE_MS: '100', SHUTDOWN_DELAY_MS: '5' }, CWD);
    expect([c.forwardClientKey, c.observe, c.shutdown]).toEqual([true, { logBodies: true, metricsPort: 9464, tracing: false }, { graceMs: 100, delayMs: 5 }]);
  });

  it.each<[string, NodeJS.ProcessEnv]>([
    ['FORWARD_CLIENT_KEY must be on or off', { FORWARD_CLIENT_KEY: 'yes' }],
    ['MAX_JSON_DEPTH must be ≥ 1', { MAX_JSON_DEPTH: '0' }],
    ['UPSTREAM_MAX_RETRIES must be a plain integer', { UPSTREAM_MAX_RETRIES: '-1' }],
    ['RATE_LIMIT_BURST needs RATE_LIMIT_RPM', { RATE_LIMIT_BURST: '5' }],
    ['METRICS_PORT must be a port', { METRICS_PORT: '70000' }],
  ])('%s', (_name, env) => {
    expect(() => readConfig(env, CWD)).toThrow(ConfigError);
  });
});

describe('GATEWAY_API_KEYS_FILE', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each<{ name: string; text: string; keys: string[]; problems: number }>([
    { name: 'one key per line', text: 'k-one\nk-two\n', keys: ['k-one', 'k-two'], problems: 0 },
    { name: 'comments, blank lines, spaces and CRLF are skipped', text: '# team A\r\n  k-one  \r\n\r\n# k-old\r\nk-two', keys: ['k-one', 'k-two'], problems: 0 },
    { name: 'a byte-order mark is ignored', text: '\uFEFFk-one\n', keys: ['k-one'], problems: 0 },
    { name: 'a line with two keys is a problem', text: 'k-one k-two\n', keys: [], problems: 1 },
    { name: 'a comma-separated line is a problem', text: 'k-one,k-two\n', keys: [], problems: 1 },
  ])('$name', ({ text, keys, problems }) => {
    const parsed = parseKeysFile(text);
    expect(parsed.keys).toEqual(keys);
    expect(parsed.problems).toHaveLength(problems);
  });

  it('its keys are added to GATEWAY_API_KEYS, relative to the working directory, without duplicates', () => {
    write('keys.txt', '# ops\nfile-key-1\nshared-key\n');
    expect(readConfig({ GATEWAY_API_KEYS: 'env-key,shared-key', GATEWAY_API_KEYS_FILE: 'keys.txt' }, dir).gatewayApiKeys).toEqual(['env-key', 'shared-key', 'file-key-1']);
  });

  it('a missing file stops the start', () => {
    expect(() => readConfig({ GATEWAY_API_KEYS_FILE: path.join(dir, 'nope.txt') }, CWD)).toThrow(/cannot read .*ENOENT/);
  });

  it('a file without keys stops the start (it would leave the gateway open)', () => {
    expect(() => readConfig({ GATEWAY_API_KEYS_FILE: write('empty.txt', '# nothing yet\n') }, CWD)).toThrow(/holds no keys/);
  });

  it('a bad line is reported by number, never by its content', () => {
    let message = '';
    try {
      readConfig({ GATEWAY_API_KEYS_FILE: write('bad.txt', 'good-key\nsecret-a secret-b\n') }, CWD);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('line 2');
    expect(message).not.toContain('secret-a');
  });
});
