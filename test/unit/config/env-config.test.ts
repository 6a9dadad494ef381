/**
 * engine/config/env-config.ts: deployment settings come from the environment with safe defaults;
 * a bad value stops the start with a ConfigError rather than running half-configured.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../../engine/config/env-config.js';

const CWD = '/srv/rosetta';

describe('defaults', () => {
  const config = readConfig({}, CWD);

  it.each([
    ['port', 8080],
    ['host', '127.0.0.1'],
    ['mappingsDir', path.join(CWD, 'mappings')],
    ['schemasDir', path.join(CWD, 'schemas')],
    ['logLevel', 'info'],
    ['gatewayApiKeys', []],
    ['maxBodyBytes', 32 * 1024 * 1024],
    ['upstreamValidation', 'strict'],
  ] as const)('%s is %j', (key, value) => {
    expect(config[key]).toEqual(value);
  });

  it('upstream timeouts and limits have defaults', () => {
    expect(config.upstream).toEqual({ connectTimeoutMs: 10_000, headersTimeoutMs: 600_000, bodyTimeoutMs: 300_000, maxResponseBytes: 64 * 1024 * 1024 });
  });

  it('hot reload is on by default', () => {
    expect(config.hotReload).toBe(true);
  });

  it('stream settings have defaults', () => {
    expect(config.stream).toEqual({ pingIntervalMs: 10_000, maxEventBytes: 32 * 1024 * 1024 });
  });

  it('an empty variable counts as unset', () => {
    expect(readConfig({ PORT: '', LOG_LEVEL: '', UPSTREAM_VALIDATION: '', MAX_BODY_BYTES: '' }, CWD)).toEqual(config);
  });
});

describe('values from the environment', () => {
  it.each<{ name: string; env: NodeJS.ProcessEnv; pick: (c: ReturnType<typeof readConfig>) => unknown; expected: unknown }>([
    { name: 'PORT 0 asks for any free port', env: { PORT: '0' }, pick: (c) => c.port, expected: 0 },
    { name: 'PORT 65535 is the highest port', env: { PORT: '65535' }, pick: (c) => c.port, expected: 65535 },
    { name: 'LOG_LEVEL silent', env: { LOG_LEVEL: 'silent' }, pick: (c) => c.logLevel, expected: 'silent' },
    { name: 'UPSTREAM_VALIDATION warn', env: { UPSTREAM_VALIDATION: 'warn' }, pick: (c) => c.upstreamValidation, expected: 'warn' },
    { name: 'UPSTREAM_VALIDATION off', env: { UPSTREAM_VALIDATION: 'off' }, pick: (c) => c.upstreamValidation, expected: 'off' },
    { name: 'relative folders resolve against the working directory', env: { MAPPINGS_DIR: 'test/m', SCHEMAS_DIR: '../s' }, pick: (c) => [c.mappingsDir, c.schemasDir], expected: [path.join(CWD, 'test/m'), '/srv/s'] },
    { name: 'absolute folders stay as they are', env: { MAPPINGS_DIR: '/etc/m' }, pick: (c) => c.mappingsDir, expected: '/etc/m' },
    { name: 'GATEWAY_API_KEYS is a comma-separated list, trimmed, without empty entries', env: { GATEWAY_API_KEYS: ' a , b,,c ,' }, pick: (c) => c.gatewayApiKeys, expected: ['a', 'b', 'c'] },
    { name: 'GATEWAY_API_KEYS of only commas and spaces is no keys', env: { GATEWAY_API_KEYS: ' , ,' }, pick: (c) => c.gatewayApiKeys, expected: [] },
    { name: 'MAX_BODY_BYTES', env: { MAX_BODY_BYTES: '2048' }, pick: (c) => c.maxBodyBytes, expected: 2048 },
    { name: 'HOT_RELOAD off', env: { HOT_RELOAD: 'off' }, pick: (c) => c.hotReload, expected: false },
    { name: 'the stream settings at their minimums', env: { STREAM_PING_INTERVAL_MS: '10', STREAM_MAX_EVENT_BYTES: '1024' }, pick: (c) => c.stream, expected: { pingIntervalMs: 10, maxEventBytes: 1024 } },
    {
      name: 'upstream timeouts',
      env: { UPSTREAM_CONNECT_TIMEOUT_MS: '1', UPSTREAM_HEADERS_TIMEOUT_MS: '2', UPSTREAM_IDLE_TIMEOUT_MS: '3', UPSTREAM_MAX_RESPONSE_BYTES: '4' },
      pick: (c) => c.upstream,
      expected: { connectTimeoutMs: 1, headersTimeoutMs: 2, bodyTimeoutMs: 3, maxResponseBytes: 4 },
    },
  ])('$name', ({ env, pick, expected }) => {
    expect(pick(readConfig(env, CWD))).toEqual(expected);
  });
});

describe('bad values are a ConfigError', () => {
  it.each<{ name: string; env: NodeJS.ProcessEnv }>([
    { name: 'PORT that is not a number', env: { PORT: 'http' } },
    { name: 'PORT that is negative', env: { PORT: '-1' } },
    { name: 'PORT above 65535', env: { PORT: '65536' } },
    { name: 'PORT that is a fraction', env: { PORT: '80.5' } },
    { name: 'PORT with a unit', env: { PORT: '8080tcp' } },
    { name: 'LOG_LEVEL that pino does not know', env: { LOG_LEVEL: 'verbose' } },
    { name: 'LOG_LEVEL in capitals', env: { LOG_LEVEL: 'INFO' } },
    { name: 'UPSTREAM_VALIDATION that is not strict, warn or off', env: { UPSTREAM_VALIDATION: 'lenient' } },
    { name: 'UPSTREAM_VALIDATION true', env: { UPSTREAM_VALIDATION: 'true' } },
    { name: 'MAX_BODY_BYTES 0', env: { MAX_BODY_BYTES: '0' } },
    { name: 'MAX_BODY_BYTES with a unit', env: { MAX_BODY_BYTES: '10mb' } },
    { name: 'an upstream timeout of 0', env: { UPSTREAM_HEADERS_TIMEOUT_MS: '0' } },
    { name: 'an upstream timeout that is not a number', env: { UPSTREAM_CONNECT_TIMEOUT_MS: 'soon' } },
    { name: 'HOT_RELOAD that is not on or off', env: { HOT_RELOAD: 'yes' } },
    { name: 'STREAM_PING_INTERVAL_MS below 10', env: { STREAM_PING_INTERVAL_MS: '9' } },
    { name: 'STREAM_MAX_EVENT_BYTES below 1024', env: { STREAM_MAX_EVENT_BYTES: '1023' } },
  ])('$name', ({ env }) => {
    expect(() => readConfig(env, CWD)).toThrow(ConfigError);
  });

  it('every bad value is reported at once', () => {
    let message = '';
    try {
      readConfig({ PORT: 'x', LOG_LEVEL: 'loud', UPSTREAM_VALIDATION: 'maybe' }, CWD);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    // One line per bad variable, each naming the variable (the names are the contract, not prose).
    for (const name of ['PORT', 'LOG_LEVEL', 'UPSTREAM_VALIDATION']) expect(message).toContain(name);
  });

  // Fixed bug, kept as a guard — it was: `int()` parses with Number(), which reads whitespace as 0 and accepts hex and exponent
  // forms: PORT="  " silently means "any free port" (0), and PORT="0x1F90" is taken as 8080.
  // Expected: only decimal digits are a port; anything else is a ConfigError.
  it.each<{ name: string; env: NodeJS.ProcessEnv }>([
    { name: 'PORT of spaces', env: { PORT: '  ' } },
    { name: 'PORT in hex', env: { PORT: '0x1F90' } },
    { name: 'PORT as an exponent', env: { PORT: '8e3' } },
  ])('$name', ({ env }) => {
    expect(() => readConfig(env, CWD)).toThrow(ConfigError);
  });
});
