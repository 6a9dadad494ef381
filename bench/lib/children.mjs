/**
 * The parent side of the bench's process protocol (see child-ipc.mjs): fork a server script,
 * wait for its `ready` (bounded), call it over IPC (each call bounded), stop it by its pid.
 */
import { fork } from 'node:child_process';
import { repoRoot } from './reference.mjs';

const TAIL_CHARS = 8000;

export async function startServer(name, script, env, { startTimeoutMs = 30_000, execArgv = [] } = {}) {
  const child = fork(script, [], {
    cwd: repoRoot,
    env,
    execArgv: ['--expose-gc', ...execArgv],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const pending = new Map();
  let nextId = 0;
  let exited = false;
  child.on('message', (msg) => {
    if (msg?.type === 'reply' && pending.has(msg.id)) {
      const { resolve, timer } = pending.get(msg.id);
      pending.delete(msg.id);
      clearTimeout(timer);
      resolve(msg);
    }
  });
  child.on('exit', () => {
    exited = true;
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(new Error(`${name} exited`));
    }
    pending.clear();
  });

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${name} did not start within ${startTimeoutMs} ms\n${tail}`)), startTimeoutMs);
    const onMessage = (msg) => {
      if (msg?.type === 'ready') finish(null, msg);
      else if (msg?.type === 'fatal') finish(new Error(msg.message));
    };
    const onExit = (code, signal) => finish(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready\n${tail.trim()}`));
    const finish = (err, value) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) {
        if (!exited) child.kill('SIGKILL');
        reject(err);
      } else resolve(value);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });

  return {
    name,
    url: ready.url,
    pid: child.pid,
    get alive() {
      return !exited;
    },
    output: () => tail,
    call(type, payload = {}, timeoutMs = 15_000) {
      if (exited) return Promise.reject(new Error(`${name} is not running\n${tail.trim()}`));
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name} did not answer "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        child.send({ type, id, ...payload });
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}
