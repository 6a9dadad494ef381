/**
 * Starts the real gateway (the shipped mappings and schemas) against a fake upstream on loopback,
 * for end-to-end tests. Everything listens on 127.0.0.1 and is closed by `stop()`.
 */
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
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MAPPINGS_DIR: path.join(REPO_ROOT, 'mappings'),
    SCHEMAS_DIR: path.join(REPO_ROOT, 'schemas'),
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEY,
    GATEWAY_API_KEYS: GATEWAY_KEY,
    ...extraEnv,
  };
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(readConfig(env, REPO_ROOT), env);
  } catch (err) {
    await upstream.close();
    throw err;
  }
  return {
    gateway,
    upstream,
    async stop() {
      await gateway.close();
      await upstream.close();
    },
  };
}
