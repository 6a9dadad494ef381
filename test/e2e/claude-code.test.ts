/**
 * The real client: Claude Code (pinned npm package, its own native binary) runs unmodified through
 * the gateway against the fake Responses upstream — a plain prompt, and a prompt where the upstream
 * asks for a Bash tool call, Claude Code runs it and sends the tool_result back.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, REPO_ROOT, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loadChunks } from '../helpers/reference.js';

type Event = { type: string; [k: string]: any };

const CLAUDE_BIN = [
  path.join(REPO_ROOT, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude'),
  path.join(REPO_ROOT, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe'),
].find((file) => existsSync(file));

let h: Harness;
let scratch: string;

beforeAll(async () => {
  h = await startHarness();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rosetta-claude-code-'));
});
afterAll(async () => {
  await h?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => h.upstream.reset());

/** The recorded Azure text stream, answering with `text` instead of its recorded word. */
function textStream(text: string): Event[] {
  const events = structuredClone(loadChunks('openai-responses/vercel-ai/azure-text.1.chunks.txt')) as Event[];
  const replace = (value: unknown): unknown => (typeof value === 'string' && value === 'Hello' ? text : value);
  return events.map((e) => JSON.parse(JSON.stringify(e), (_k, v) => replace(v)));
}

/** The recorded Azure function-call stream, calling Claude Code's Bash tool instead of `weather`. */
function bashCallStream(command: string): Event[] {
  const args = JSON.stringify({ command, description: 'Print a greeting' });
  const events = structuredClone(loadChunks('openai-responses/vercel-ai/azure-tool-call.1.chunks.txt')) as Event[];
  const out: Event[] = [];
  let deltaWritten = false;
  for (const e of events) {
    if (e.type === 'response.function_call_arguments.delta') {
      if (!deltaWritten) out.push({ ...e, delta: args });
      deltaWritten = true;
      continue;
    }
    if (e.item?.type === 'function_call') e.item = { ...e.item, name: 'Bash', arguments: e.type === 'response.output_item.done' ? args : e.item.arguments };
    if (e.type === 'response.function_call_arguments.done') e.arguments = args;
    if (e.response?.output) e.response.output = e.response.output.map((item: any) => (item.type === 'function_call' ? { ...item, name: 'Bash', arguments: args } : item));
    out.push(e);
  }
  return out;
}

async function runClaude(prompt: string, extraArgs: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = path.join(scratch, 'home');
  const work = path.join(scratch, 'work');
  await mkdir(home, { recursive: true });
  await mkdir(work, { recursive: true });
  return new Promise((resolve) => {
    execFile(
      CLAUDE_BIN!,
      ['-p', prompt, '--output-format', 'json', ...extraArgs],
      {
        cwd: work,
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          ANTHROPIC_BASE_URL: h.gateway.url,
          ANTHROPIC_API_KEY: GATEWAY_KEY,
          DISABLE_TELEMETRY: '1',
          DISABLE_ERROR_REPORTING: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_AUTOUPDATER: '1',
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('Claude Code through the gateway', () => {
  it('the pinned Claude Code binary is installed (devDependency @anthropic-ai/claude-code)', () => {
    expect(CLAUDE_BIN).toBeDefined();
  });

  it('answers a plain prompt with the upstream text', async () => {
    h.upstream.setDefault({ sse: textStream('Hi from the upstream model.') });
    const run = await runClaude('say hi', []);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.is_error).toBe(false);
    expect(result.result).toContain('Hi from the upstream model.');
    const first = h.upstream.requests.find((r) => r.path === '/v1/responses');
    expect(first?.body).toMatchObject({ model: 'gpt-5', stream: true });
  }, 120_000);

  it('runs a Bash tool call the upstream asks for and sends the result back', async () => {
    h.upstream.enqueue({ sse: bashCallStream('echo hello-from-tool') });
    h.upstream.setDefault({ sse: textStream('The tool ran; it printed hello-from-tool. Done.') });
    const run = await runClaude('Run the shell command: echo hello-from-tool', ['--allowedTools', 'Bash', '--max-turns', '4']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.is_error).toBe(false);
    expect(result.result).toContain('The tool ran; it printed hello-from-tool. Done.');

    const calls = h.upstream.requests.filter((r) => r.path === '/v1/responses');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const input = (calls[1].body as { input: Array<Record<string, any>> }).input;
    const call = input.find((i) => i.type === 'function_call');
    const output = input.find((i) => i.type === 'function_call_output');
    expect(call).toMatchObject({ name: 'Bash' });
    expect(output?.call_id).toBe(call?.call_id);
    expect(JSON.stringify(output?.output)).toContain('hello-from-tool');
  }, 120_000);
});
