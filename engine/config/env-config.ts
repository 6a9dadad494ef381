/**
 * The deployment settings, read once from the environment and checked. Everything about
 * translation is in the YAML; only what differs between deployments is here (see README).
 */
import path from 'node:path';
import { readKeysFile } from './keys-file.js';

export interface GatewayConfig {
  port: number;
  host: string;
  mappingsDir: string;
  schemasDir: string;
  dataDir: string;
  logLevel: string;
  /** Keys clients must present (GATEWAY_API_KEYS plus GATEWAY_API_KEYS_FILE); empty = open gateway (warned about at start). */
  gatewayApiKeys: string[];
  /** Send the client's own key upstream (as `authorization: Bearer`) instead of the pair's. */
  forwardClientKey: boolean;
  /** Largest JSON body accepted on mapped routes, bytes. */
  maxBodyBytes: number;
  /** Watch the mappings and schemas folders and reload on change. */
  hotReload: boolean;
  /** What to do when a mapped payload fails the upstream API's schema. */
  upstreamValidation: 'strict' | 'warn' | 'off';
  /**
   * How rules run: `compiled` (JSONata compiled to JavaScript, each rule the compiler cannot
   * translate interpreted) or `interpreted` (JSONata's interpreter for every rule, e.g. to compare).
   */
  ruleEngine: RuleEngine;
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
  /** Request limits (engine/server/limits/). Body sizes of batches and files are under `builtins`. */
  limits: {
    /** Deepest nesting of a JSON body. */
    maxJsonDepth: number;
    /** Requests per minute per client key; 0 = no rate limit. */
    rateLimitPerMinute: number;
    /** Requests a key may send at once after a quiet spell. */
    rateLimitBurst: number;
    /** Concurrent upstream requests; 0 = no cap. */
    maxConcurrentUpstream: number;
    /** Requests that may wait for an upstream slot. */
    maxQueue: number;
    /** Longest wait for an upstream slot, ms. */
    queueTimeoutMs: number;
  };
  /** Retries and the circuit breaker (engine/upstream/). */
  resilience: {
    maxRetries: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
    /** Retries may be at most this share of requests (percent) over a 10 s window, plus 10. */
    retryBudgetPercent: number;
    /** Consecutive upstream failures that open the breaker; 0 = off. */
    breakerFailures: number;
    /** Share of failed calls (percent, over ≥ 20 calls in 30 s) that opens it; 0 = off. */
    breakerFailurePercent: number;
    breakerCooldownMs: number;
  };
  observe: {
    /** Log request and response bodies (still scrubbed of secrets). */
    logBodies: boolean;
    /** Write OpenTelemetry spans to the globally registered tracer provider (observe/tracing.ts). */
    tracing: boolean;
    /** Serve /metrics on this port without keys instead of on the main port behind them. */
    metricsPort?: number;
  };
  shutdown: {
    /** Longest wait for requests in flight after SIGTERM, ms. */
    graceMs: number;
    /** Time between /readyz turning 503 and the listener closing, ms. */
    delayMs: number;
  };
  /** The built-ins: files, batches, token counting (engine/builtins/). */
  builtins: BuiltinsConfig;
}

export interface BuiltinsConfig {
  /** Largest file upload, bytes (enforced while streaming). */
  filesMaxBytes: number;
  /** Most bytes of stored files one request may inline for the upstream. */
  filesMaxInlineBytes: number;
  /** Files older than this are removed by the sweep; 0 keeps them until deleted. */
  filesRetentionMs: number;
  /** Largest message-batch creation body, bytes. */
  batchMaxBodyBytes: number;
  /** Batch items run at once (the worker pool). */
  batchConcurrency: number;
  /** Tries per batch item on an upstream 429/5xx or network failure. */
  batchMaxAttempts: number;
  /** First retry delay; doubles per try (a retry-after from the upstream wins). */
  batchRetryBaseMs: number;
  /** A batch not finished this long after creation ends, its rest expired. */
  batchExpiryMs: number;
  /** Ended batches are removed this long after creation. */
  batchRetentionMs: number;
  /** How often the sweep removes orphans and expired data. */
  sweepIntervalMs: number;
  /** The gateway's public origin for absolute URLs (results_url); unset: the request's own origin. */
  publicBaseUrl?: string;
}

export type RuleEngine = 'compiled' | 'interpreted';
export const RULE_ENGINES: readonly RuleEngine[] = ['compiled', 'interpreted'];

/** RULE_ENGINE alone, for code that compiles rules without the whole configuration (default compiled). */
export function ruleEngineOf(env: NodeJS.ProcessEnv): RuleEngine {
  const raw = env.RULE_ENGINE;
  if (raw === undefined || raw === '') return 'compiled';
  if (!(RULE_ENGINES as readonly string[]).includes(raw)) throw new ConfigError(`RULE_ENGINE must be one of ${RULE_ENGINES.join(', ')} (got "${raw}")`);
  return raw as RuleEngine;
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
  const config: Omit<GatewayConfig, 'builtins'> & { builtins?: BuiltinsConfig } = {
    port: int('PORT', 8080, 0),
    host: env.HOST || '127.0.0.1',
    mappingsDir: path.resolve(cwd, env.MAPPINGS_DIR || 'mappings'),
    schemasDir: path.resolve(cwd, env.SCHEMAS_DIR || 'schemas'),
    dataDir: path.resolve(cwd, env.DATA_DIR || 'data'),
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    gatewayApiKeys: (env.GATEWAY_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    forwardClientKey: oneOf('FORWARD_CLIENT_KEY', ['on', 'off'] as const, 'off') === 'on',
    maxBodyBytes: int('MAX_BODY_BYTES', 32 * 1024 * 1024, 1),
    hotReload: oneOf('HOT_RELOAD', ['on', 'off'] as const, 'on') === 'on',
    upstreamValidation: oneOf('UPSTREAM_VALIDATION', ['strict', 'warn', 'off'] as const, 'strict'),
    ruleEngine: oneOf('RULE_ENGINE', RULE_ENGINES, 'compiled'),
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
    limits: {
      maxJsonDepth: int('MAX_JSON_DEPTH', 64, 1),
      rateLimitPerMinute: int('RATE_LIMIT_RPM', 0, 0),
      rateLimitBurst: int('RATE_LIMIT_BURST', 0, 0) || int('RATE_LIMIT_RPM', 0, 0),
      maxConcurrentUpstream: int('MAX_CONCURRENT_UPSTREAM', 256, 0),
      maxQueue: int('MAX_QUEUE', 1024, 0),
      queueTimeoutMs: int('QUEUE_TIMEOUT_MS', 30_000, 1),
    },
    resilience: {
      maxRetries: int('UPSTREAM_MAX_RETRIES', 2, 0),
      retryBaseDelayMs: int('UPSTREAM_RETRY_BASE_DELAY_MS', 250, 0),
      retryMaxDelayMs: int('UPSTREAM_RETRY_MAX_DELAY_MS', 5_000, 0),
      retryBudgetPercent: int('UPSTREAM_RETRY_BUDGET_PERCENT', 20, 0),
      breakerFailures: int('CIRCUIT_BREAKER_FAILURES', 5, 0),
      breakerFailurePercent: int('CIRCUIT_BREAKER_FAILURE_PERCENT', 50, 0),
      breakerCooldownMs: int('CIRCUIT_BREAKER_COOLDOWN_MS', 30_000, 1),
    },
    observe: {
      tracing: oneOf('TRACING', ['on', 'off'] as const, 'off') === 'on',
      logBodies: oneOf('LOG_BODIES', ['on', 'off'] as const, 'off') === 'on',
      metricsPort: env.METRICS_PORT ? int('METRICS_PORT', 0, 0) : undefined,
    },
    shutdown: {
      graceMs: int('SHUTDOWN_GRACE_MS', 30_000, 0),
      delayMs: int('SHUTDOWN_DELAY_MS', 0, 0),
    },
  };
  const publicBaseUrl = env.PUBLIC_BASE_URL ? env.PUBLIC_BASE_URL.replace(/\/+$/, '') : undefined;
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(publicBaseUrl)) problems.push(`PUBLIC_BASE_URL must be an http(s) URL (got "${env.PUBLIC_BASE_URL}")`);
  const days = 24 * 60 * 60 * 1000;
  config.builtins = {
    filesMaxBytes: int('FILES_MAX_BYTES', 500 * 1024 * 1024, 1),
    filesMaxInlineBytes: int('FILES_MAX_INLINE_BYTES', 32 * 1024 * 1024, 1),
    filesRetentionMs: int('FILES_RETENTION_DAYS', 0, 0) * days,
    batchMaxBodyBytes: int('BATCH_MAX_BODY_BYTES', 256 * 1024 * 1024, 1),
    batchConcurrency: int('BATCH_CONCURRENCY', 4, 1),
    batchMaxAttempts: int('BATCH_MAX_ATTEMPTS', 3, 1),
    batchRetryBaseMs: int('BATCH_RETRY_BASE_MS', 1000, 0),
    batchExpiryMs: int('BATCH_EXPIRY_SECONDS', 24 * 60 * 60, 1) * 1000,
    batchRetentionMs: int('BATCH_RETENTION_DAYS', 29, 1) * days,
    sweepIntervalMs: int('SWEEP_INTERVAL_MS', 10 * 60 * 1000, 100),
    publicBaseUrl,
  };
  if (config.port > 65535) problems.push(`PORT must be ≤ 65535 (got ${config.port})`);
  if (env.GATEWAY_API_KEYS_FILE) {
    const file = readKeysFile(path.resolve(cwd, env.GATEWAY_API_KEYS_FILE));
    problems.push(...file.problems);
    config.gatewayApiKeys = [...new Set([...config.gatewayApiKeys, ...file.keys])];
  }
  if (env.RATE_LIMIT_BURST && !env.RATE_LIMIT_RPM) problems.push('RATE_LIMIT_BURST needs RATE_LIMIT_RPM');
  if (config.observe.metricsPort !== undefined && config.observe.metricsPort > 65535) problems.push(`METRICS_PORT must be ≤ 65535 (got ${config.observe.metricsPort})`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as GatewayConfig;
}
