/**
 * Graceful shutdown. On SIGTERM an orchestrator expects a process to stop taking work, finish
 * what it has, and exit — within its grace period, after which it kills the process anyway. So:
 *
 *   1. draining: /readyz answers 503, responses say `connection: close`, the shutdown hooks start
 *      (a batch worker checkpoints and stops picking up items);
 *   2. after SHUTDOWN_DELAY_MS (default 0; a few seconds behind a load balancer, so it sees the
 *      503 and stops routing here before the listener goes away), stop accepting connections;
 *   3. let requests in flight — long streams included — finish, up to SHUTDOWN_GRACE_MS counted
 *      from the start;
 *   4. destroy whatever is left (its clients see a cut connection), wait for the hooks (bounded by
 *      the same deadline), and release the rest: the file watcher, the upstream pool.
 */
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../observe/logger.js';

export type ShutdownHook = () => void | Promise<void>;

/** Readiness, in-flight requests and shutdown hooks of one gateway. */
export class Lifecycle {
  private active = 0;
  private draining = false;
  private readonly hooks: ShutdownHook[] = [];
  private idleWaiters: Array<() => void> = [];
  /** Called whenever a request ends while draining (its keep-alive socket can now be closed). */
  onRequestEndWhileDraining: () => void = () => {};

  get ready(): boolean {
    return !this.draining;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Registers work to do when the gateway shuts down (e.g. a batch worker's checkpoint). */
  onShutdown(hook: ShutdownHook): void {
    this.hooks.push(hook);
  }

  /** Counts a request until its response closes (finished, or cut). */
  track(res: ServerResponse): void {
    this.active++;
    res.once('close', () => {
      this.active--;
      if (this.draining) setImmediate(() => this.onRequestEndWhileDraining());
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs every hook once; a failing hook is logged and does not stop the others. */
  runHooks(log: Logger): Promise<void> {
    return Promise.allSettled(this.hooks.map(async (hook) => hook())).then((results) => {
      for (const r of results) if (r.status === 'rejected') log.error({ err: r.reason }, 'a shutdown hook failed');
    });
  }
}

export interface ShutdownOptions {
  /** Longest wait for requests in flight (and hooks), from the start of the shutdown, ms. */
  graceMs: number;
  /** Time between turning unready and closing the listener, ms. */
  delayMs: number;
}

export interface ShutdownTargets {
  servers: Server[];
  lifecycle: Lifecycle;
  /** Releases everything else; `force` when the grace period ran out (cut instead of waiting). */
  release(force: boolean): Promise<void>;
  log: Logger;
}

export interface ShutdownReport {
  /** Requests still in flight when the grace period ended (destroyed). */
  cut: number;
  ms: number;
}

export async function drainAndClose(targets: ShutdownTargets, options: ShutdownOptions): Promise<ShutdownReport> {
  const { servers, lifecycle, log } = targets;
  const started = performance.now();
  const deadline = started + options.graceMs;
  const remaining = () => Math.max(0, deadline - performance.now());

  lifecycle.startDraining();
  lifecycle.onRequestEndWhileDraining = () => servers.forEach((s) => s.closeIdleConnections());
  log.info({ inFlight: lifecycle.inFlight, graceMs: options.graceMs, delayMs: options.delayMs }, 'shutdown: draining');
  const hooks = lifecycle.runHooks(log);

  if (options.delayMs > 0) await sleep(Math.min(options.delayMs, remaining()));
  const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  for (const s of servers) s.closeIdleConnections();

  const drained = await within(lifecycle.idle(), remaining());
  const cut = drained ? 0 : lifecycle.inFlight;
  if (!drained) log.warn({ inFlight: cut }, 'shutdown: grace period over; cutting the requests still in flight');
  // Whatever is still open now is either cut on purpose or an idle keep-alive socket.
  for (const s of servers) s.closeAllConnections();
  await within(Promise.all(closed), 1000);

  if (!(await within(hooks, remaining()))) log.warn('shutdown: a shutdown hook did not finish within the grace period');
  await targets.release(!drained);
  const ms = Math.round(performance.now() - started);
  log.info({ ms, cut }, 'shutdown: done');
  return { cut, ms };
}

/** True when `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
