/**
 * Starts the built gateway (dist/, from `npm run build`) in this process, pointed at the fake
 * upstream BENCH_UPSTREAM_URL: OPENAI_BASE_URL (the real pair) and TOY_BASE_URL (the engine's toy
 * pair) are both set to <BENCH_UPSTREAM_URL>/v1. The mappings are the repository's (MAPPINGS_DIR
 * and SCHEMAS_DIR override, relative to the repository root), logging is off (LOG_LEVEL=silent
 * unless BENCH_GATEWAY_LOG_LEVEL says otherwise), and clients must present the key
 * GATEWAY_API_KEYS=bench-client-key, so authentication is part of what is measured.
 * BENCH_GATEWAY_DIST runs another checkout's build instead (its dist/ directory), with its mappings.
 * BENCH_RULES=replay replays the rules' first answers instead of running them (replay-rules.mjs):
 * the gateway as it would be with rules that cost nothing.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { failStart, serveBenchIpc } from '../lib/child-ipc.mjs';
import { repoRoot } from '../lib/reference.mjs';
import { replayRules } from './replay-rules.mjs';

const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
/** The built gateway to run: this checkout's dist/, or BENCH_GATEWAY_DIST (another checkout's, for bench/ab.mjs) with that checkout's mappings. */
const otherDist = process.env.BENCH_GATEWAY_DIST ? path.resolve(process.env.BENCH_GATEWAY_DIST) : undefined;
const dist = otherDist ? pathToFileURL(otherDist).href : '../../dist';
const root = otherDist ? path.dirname(otherDist) : repoRoot;

try {
  if (!upstreamUrl) throw new Error('BENCH_UPSTREAM_URL is not set');
  let mod;
  try {
    mod = {
      ...(await import(`${dist}/engine/server/gateway.js`)),
      ...(await import(`${dist}/engine/config/env-config.js`)),
    };
  } catch (err) {
    throw new Error(`cannot load the built gateway from dist/ (run \`npm run build\`): ${err.message}`);
  }
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL || 'silent',
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: 'bench-key',
    TOY_BASE_URL: `${upstreamUrl}/v1`,
    GATEWAY_API_KEYS: 'bench-client-key',
  };
  const gateway = await mod.startGateway(mod.readConfig(env, root), env);
  if (process.env.BENCH_RULES === 'replay') replayRules(gateway.registry);
  else if (process.env.BENCH_RULES) throw new Error(`BENCH_RULES must be replay or unset, not ${process.env.BENCH_RULES}`);
  process.on('SIGTERM', () => {
    gateway.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
  serveBenchIpc({ name: 'gateway', url: gateway.url, port: gateway.port });
} catch (err) {
  failStart('gateway', err);
}
