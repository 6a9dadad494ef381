/**
 * The deployment settings, read once from the environment and checked. Everything about
 * translation is in the YAML; only what differs between deployments is here (see README).
 */
import path from 'node:path';

export interface GatewayConfig {
  port: number;
  host: string;
  mappingsDir: string;
  schemasDir: string;
  dataDir: string;
  logLevel: string;
  /** Keys clients must present; empty = open gateway (warned about at start). */
  gatewayApiKeys: string[];
  /** Largest JSON body accepted on mapped routes, bytes. */
  maxBodyBytes: number;
  /** Watch the mappings and schemas folders and reload on change. */
  hotReload: boolean;
  /** What to do when a mapped payload fails the upstream API's schema. */
  upstreamValidation: 'strict' | 'warn' | 'off';
  upstream: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    /** Longest silence allowed between two chunks of an upstream body. */
    bodyTimeoutMs: number;
    /** Largest non-streaming upstream body read, bytes. */
    maxResponseBytes: number;
  };
  stream: {
    /** A ping event is written after this long without any other event. */
    pingIntervalMs: number;
    /** Most bytes of upstream SSE that may arrive without completing an event. */
    maxEventBytes: number;
  };
}

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): GatewayConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN; // no blanks, hex, exponents or signs
    if (!Number.isSafeInteger(value) || value < min) {
      problems.push(`${name} must be an integer ≥ ${min} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return (allowed as readonly string[]).includes(raw) ? (raw as T) : fallback;
  };
  const config: GatewayConfig = {
    port: int('PORT', 8080, 0),
    host: env.HOST || '127.0.0.1',
    mappingsDir: path.resolve(cwd, env.MAPPINGS_DIR || 'mappings'),
    schemasDir: path.resolve(cwd, env.SCHEMAS_DIR || 'schemas'),
    dataDir: path.resolve(cwd, env.DATA_DIR || 'data'),
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    gatewayApiKeys: (env.GATEWAY_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    maxBodyBytes: int('MAX_BODY_BYTES', 32 * 1024 * 1024, 1),
    hotReload: oneOf('HOT_RELOAD', ['on', 'off'] as const, 'on') === 'on',
    upstreamValidation: oneOf('UPSTREAM_VALIDATION', ['strict', 'warn', 'off'] as const, 'strict'),
    upstream: {
      connectTimeoutMs: int('UPSTREAM_CONNECT_TIMEOUT_MS', 10_000, 1),
      headersTimeoutMs: int('UPSTREAM_HEADERS_TIMEOUT_MS', 600_000, 1),
      bodyTimeoutMs: int('UPSTREAM_IDLE_TIMEOUT_MS', 300_000, 1),
      maxResponseBytes: int('UPSTREAM_MAX_RESPONSE_BYTES', 64 * 1024 * 1024, 1),
    },
    stream: {
      pingIntervalMs: int('STREAM_PING_INTERVAL_MS', 10_000, 10),
      maxEventBytes: int('STREAM_MAX_EVENT_BYTES', 32 * 1024 * 1024, 1024),
    },
  };
  if (config.port > 65535) problems.push(`PORT must be ≤ 65535 (got ${config.port})`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
