/**
 * Starts a gateway: load and check the mappings, build the app, listen. Used by `rosetta start`,
 * the end-to-end tests and the benchmark alike.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { GatewayConfig } from '../config/env-config.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { loadMappingSet } from '../spec/load-mapping-set.js';
import { MappingRegistry } from '../spec/registry.js';
import { watchMappings, type HotReload } from '../spec/hot-reload.js';
import { formatProblem } from '../spec/yaml-file.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { createApp } from './app.js';

export interface RunningGateway {
  url: string;
  port: number;
  registry: MappingRegistry;
  /** Present when the gateway watches its mappings (config.hotReload). */
  hotReload?: HotReload;
  log: Logger;
  close(): Promise<void>;
}

export class MappingLoadError extends Error {}

export async function startGateway(config: GatewayConfig, env: NodeJS.ProcessEnv, log: Logger = createLogger(config.logLevel)): Promise<RunningGateway> {
  const loadOptions = { mappingsDir: config.mappingsDir, schemasDir: config.schemasDir, env };
  const { set, problems } = await loadMappingSet(loadOptions);
  if (!set) throw new MappingLoadError(`the mappings have problems:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  const registry = new MappingRegistry(set);
  if (config.gatewayApiKeys.length === 0) {
    log.warn('GATEWAY_API_KEYS is not set: the gateway is OPEN — anyone who can reach it can spend the upstream key');
  }
  const upstream = new UpstreamClient(config.upstream);
  const app = createApp({ config, registry, upstream, log });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Streams can be long; the server's own timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  const hotReload = config.hotReload ? watchMappings(registry, loadOptions, log) : undefined;
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info({ port, host: config.host, pairs: set.pairs.map((p) => p.name) }, 'rosetta is serving');
  return {
    url: `http://${host}:${port}`,
    port,
    registry,
    hotReload,
    log,
    async close() {
      await hotReload?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await upstream.close();
    },
  };
}
