/**
 * Starts the real gateway (the shipped mappings and schemas) against a fake upstream on loopback,
 * for end-to-end tests. Everything listens on 127.0.0.1 and is closed by `stop()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../../engine/config/env-config.js';
import { startGateway, type RunningGateway } from '../../engine/server/gateway.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const UPSTREAM_KEY = 'sk-upstream-canary-0123456789';
export const GATEWAY_KEY = 'gw-client-key-abc';

export interface Harness {
  gateway: RunningGateway;
  upstream: FakeUpstream;
  stop(): Promise<void>;
}

export async function startHarness(extraEnv: Record<string, string> = {}): Promise<Harness> {
  const upstream = await startFakeUpstream();
  // Each gateway keeps its files and batches in its own scratch folder, never in the work tree.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rosetta-data-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MAPPINGS_DIR: path.join(REPO_ROOT, 'mappings'),
    SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas'),
    // The one fake upstream stands behind every shipped pair: the Responses upstream's base URL
    // ends in /v1, the Messages upstream's is the bare origin (its route path starts with /v1).
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEY,
    // Every shipped pair's upstream is the same fake (told apart by path: /v1/responses,
    // /v1/chat/completions, /v1/messages), so no test can reach a real server by accident.
    OPENAI_CHAT_BASE_URL: upstream.url,
    OPENAI_CHAT_API_KEY: UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: upstream.origin,
    ANTHROPIC_API_KEY: UPSTREAM_KEY,
    GATEWAY_API_KEYS: GATEWAY_KEY,
    // One upstream call per request, so a test's scripted replies line up with its requests;
    // test/faults/ turns retries on where retries are what is tested.
    UPSTREAM_MAX_RETRIES: '0',
    DATA_DIR: dataDir,
    ...extraEnv,
  };
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(readConfig(env, REPO_ROOT), env);
  } catch (err) {
    await upstream.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    gateway,
    upstream,
    async stop() {
      await gateway.close();
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
