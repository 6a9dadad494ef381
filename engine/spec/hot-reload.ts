/**
 * Watches the mappings and schemas folders (chokidar) and reloads the whole set after a quiet
 * period. Only a fully valid set replaces the live one — in one reference swap, so requests in
 * flight finish on the set they started with; a bad edit is logged with file:line and kept on the
 * registry's status, and the last good set keeps serving.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../observe/logger.js';
import { loadMappingSet, type LoadOptions } from './load-mapping-set.js';
import type { MappingRegistry } from './registry.js';
import { formatProblem } from './yaml-file.js';

export interface HotReload {
  /** Resolves once the watcher has scanned the folders: edits from then on are seen. */
  ready: Promise<void>;
  /** Reload now (also what a file change triggers after the debounce). */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** `onReload` hears the result of every reload (metrics; re-registering secrets for the log scrubber). */
export function watchMappings(registry: MappingRegistry, options: LoadOptions, log: Logger, debounceMs = 100, onReload: (ok: boolean) => void = () => {}): HotReload {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;

  const reload = async (): Promise<boolean> => {
    if (running) {
      again = true; // a change landed while loading: load once more when this one ends
      return running;
    }
    running = (async () => {
      const started = performance.now();
      const { set, problems } = await loadMappingSet(options);
      const ms = Math.round(performance.now() - started);
      if (set) {
        registry.replace(set);
        log.info({ ms, pairs: set.pairs.map((p) => p.name) }, 'mappings reloaded');
        onReload(true);
        return true;
      }
      registry.reject(problems);
      log.error({ ms, problems: problems.map(formatProblem) }, 'mappings NOT reloaded: the last good set keeps serving');
      onReload(false);
      return false;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  };

  const watcher: FSWatcher = watch([options.mappingsDir, options.schemasDir], {
    ignoreInitial: true,
    // Editors save through temp files and renames; wait until a file stops changing.
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
  });
  watcher.on('all', (_event, file) => {
    if (/\.(ya?ml|json)$/.test(file) || _event === 'addDir' || _event === 'unlinkDir') schedule();
  });
  watcher.on('error', (err) => log.error({ err }, 'watching the mappings failed'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    ready,
    reload,
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
