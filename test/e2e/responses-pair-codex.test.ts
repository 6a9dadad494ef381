/**
 * The real client of the reverse pair: OpenAI's Codex CLI (pinned npm package @openai/codex, its
 * own native binary), unmodified, through the gateway's Responses API against a fake Anthropic
 * upstream replaying recorded Anthropic streams — a plain prompt, and a prompt where the upstream
 * asks for Codex's exec_command tool, Codex runs it and sends the output back. Codex is configured
 * as for the captures in reference/clients/codex (a custom model provider, wire_api "responses").
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, REPO_ROOT, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { listRecordings, loadChunks } from '../helpers/reference.js';
import { apiSchemaKit } from '../helpers/api-schema-kit.js';

type Event = { type: string; [k: string]: any };

const CODEX_BIN = [path.join(REPO_ROOT, 'node_modules', '@openai', 'codex', 'bin', 'codex.js')].find((file) => existsSync(file));
const anthropic = apiSchemaKit('anthropic-messages');

let h: Harness;
let scratch: string;

beforeAll(async () => {
  h = await startHarness();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rosetta-codex-'));
});
afterAll(async () => {
  await h?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => h.upstream.reset());

/** The recorded Anthropic text stream (anthropic-text.chunks.txt), answering with `text`. */
function textStream(text: string): Event[] {
  const events = structuredClone(loadChunks('anthropic-messages/vercel-ai/anthropic-text.chunks.txt')) as Event[];
  let written = false;
  return events.flatMap((e) => {
    if (e.type !== 'content_block_delta') return [e];
    if (written) return [];
    written = true;
    return [{ ...e, delta: { type: 'text_delta', text } }];
  });
}

/** The recorded Anthropic tool-call stream (anthropic-json-tool.1.chunks.txt), calling Codex's exec_command. */
function execCommandStream(cmd: string): Event[] {
  const events = structuredClone(loadChunks('anthropic-messages/vercel-ai/anthropic-json-tool.1.chunks.txt')) as Event[];
  const args = JSON.stringify({ cmd });
  let written = false;
  return events.flatMap((e) => {
    if (e.type === 'content_block_start') return [{ ...e, content_block: { ...e.content_block, name: 'exec_command' } }];
    if (e.type !== 'content_block_delta') return [e];
    if (written) return [];
    written = true;
    return [{ ...e, delta: { type: 'input_json_delta', partial_json: args } }];
  });
}

/**
 * Claude thinking, then calling exec_command: the thinking block of the recorded thinking stream
 * (pydantic-ai test_anthropic_model_thinking_part_stream, signature included) followed by the
 * tool call of execCommandStream, as one answer.
 */
function thinkingThenExecCommandStream(cmd: string): { events: Event[]; thinking: string; signature: string } {
  const recorded = listRecordings('anthropic-messages').find((r) => r.name === 'pydantic-ai/test_anthropic_model_thinking_part_stream.yaml#0')!;
  const thinkingEvents = (recorded.events as Event[]).filter((e) => e.type === 'message_start' || e.index === 0);
  const tool = execCommandStream(cmd).filter((e) => e.type !== 'message_start').map((e) => ('index' in e ? { ...e, index: 1 } : e));
  const thinking = thinkingEvents.filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking).join('');
  const signature = thinkingEvents.find((e) => e.delta?.type === 'signature_delta')!.delta.signature;
  return { events: [...thinkingEvents, ...tool], thinking, signature };
}

async function runCodex(prompt: string, extraConfig: string[] = []): Promise<{ code: number; stdout: string; stderr: string; events: Event[] }> {
  const home = path.join(scratch, 'home');
  const codexHome = path.join(home, '.codex');
  const work = path.join(scratch, 'work');
  await mkdir(codexHome, { recursive: true });
  await mkdir(work, { recursive: true });
  await writeFile(
    path.join(codexHome, 'config.toml'),
    [
      'model = "gpt-fake"',
      'model_provider = "rosetta"',
      ...extraConfig,
      '',
      '[model_providers.rosetta]',
      'name = "Rosetta gateway"',
      `base_url = "${h.gateway.url}/v1"`,
      'env_key = "ROSETTA_GATEWAY_KEY"',
      'wire_api = "responses"',
      '',
    ].join('\n'),
  );
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CODEX_BIN!, 'exec', '--skip-git-repo-check', '--json', prompt],
      {
        cwd: work,
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { PATH: process.env.PATH, HOME: home, CODEX_HOME: codexHome, ROSETTA_GATEWAY_KEY: GATEWAY_KEY },
      },
      (error, stdout, stderr) => {
        const events = stdout.split('\n').flatMap((line) => {
          try {
            return [JSON.parse(line) as Event];
          } catch {
            return [];
          }
        });
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr, events });
      },
    );
    // `codex exec` reads more prompt from stdin while stdin is open and not a terminal.
    child.stdin?.end();
  });
}

describe('Codex CLI through the gateway (openai-responses-to-anthropic)', () => {
  it('the pinned Codex CLI is installed (devDependency @openai/codex)', () => {
    expect(CODEX_BIN).toBeDefined();
  });

  it('answers a plain prompt with the upstream text and reports the usage', async () => {
    const stream = textStream('Hi from Claude behind the gateway.');
    h.upstream.setDefault({ sse: stream });
    const run = await runCodex('say hi');
    expect(run.code, run.stderr).toBe(0);
    const message = run.events.find((e) => e.type === 'item.completed' && e.item?.type === 'agent_message');
    expect(message?.item.text).toBe('Hi from Claude behind the gateway.');
    const turn = run.events.find((e) => e.type === 'turn.completed');
    const started = stream.find((e) => e.type === 'message_start')!.message.usage;
    const ended = stream.find((e) => e.type === 'message_delta')!.usage;
    expect(turn?.usage).toMatchObject({
      input_tokens: ended.input_tokens + ended.cache_read_input_tokens + ended.cache_creation_input_tokens,
      cached_input_tokens: ended.cache_read_input_tokens,
      output_tokens: ended.output_tokens,
    });
    expect(started.input_tokens).toBe(ended.input_tokens);

    const calls = h.upstream.requests.filter((r) => r.path === '/v1/messages');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    anthropic.expectValid('request', calls[0].body, 'upstream request');
    expect(calls[0].body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true });
  }, 120_000);

  it('runs the exec_command tool call the upstream asks for and sends the output back as a tool_result', async () => {
    // Claude says what it is about to do (a text block), then calls the tool.
    const preamble = textStream("I'll run it.").filter((e) => e.type === 'message_start' || e.index === 0);
    const call = execCommandStream('echo hello-from-tool').filter((e) => e.type !== 'message_start').map((e) => ('index' in e ? { ...e, index: 1 } : e));
    h.upstream.enqueue({ sse: [...preamble, ...call] });
    h.upstream.setDefault({ sse: textStream('The command printed hello-from-tool. Done.') });
    const run = await runCodex('Run the shell command: echo hello-from-tool');
    expect(run.code, run.stderr).toBe(0);
    const command = run.events.find((e) => e.type === 'item.completed' && e.item?.type === 'command_execution');
    expect(command?.item.aggregated_output).toContain('hello-from-tool');
    const messages = run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').map((e) => e.item.text);
    expect(messages).toEqual(["I'll run it.", 'The command printed hello-from-tool. Done.']);

    const calls = h.upstream.requests.filter((r) => r.path === '/v1/messages');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const second = calls[1].body as { messages: Array<{ role: string; content: Array<Record<string, any>> }> };
    anthropic.expectValid('request', second, 'second upstream request');
    const toolUse = second.messages.flatMap((m) => m.content).find((b) => b.type === 'tool_use');
    const toolResult = second.messages.flatMap((m) => m.content).find((b) => b.type === 'tool_result');
    expect(toolUse).toMatchObject({ name: 'exec_command', input: { cmd: 'echo hello-from-tool' } });
    const assistant = second.messages.find((m) => m.role === 'assistant' && m.content.some((b) => b.type === 'tool_use'))!;
    expect(assistant.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect(assistant.content[0].text).toBe("I'll run it.");
    expect(toolResult?.tool_use_id).toBe(toolUse?.id);
    expect(JSON.stringify(toolResult?.content)).toContain('hello-from-tool');
  }, 120_000);

  it('with reasoning on, Claude\'s thinking reaches Codex as a reasoning item and goes back to Anthropic intact in the tool loop', async () => {
    const answer = thinkingThenExecCommandStream('echo hello-from-thinking');
    h.upstream.enqueue({ sse: answer.events });
    h.upstream.setDefault({ sse: textStream('It printed hello-from-thinking.') });
    const run = await runCodex('Think, then run: echo hello-from-thinking', ['model_reasoning_effort = "medium"', 'model_reasoning_summary = "auto"']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.find((e) => e.type === 'item.completed' && e.item?.type === 'reasoning')?.item.text).toContain(answer.thinking.slice(0, 40));
    expect(run.events.find((e) => e.type === 'item.completed' && e.item?.type === 'command_execution')?.item.aggregated_output).toContain('hello-from-thinking');

    const calls = h.upstream.requests.filter((r) => r.path === '/v1/messages');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect((calls[0].body as { thinking?: unknown }).thinking).toEqual({ type: 'enabled', budget_tokens: 10240 });
    const second = calls[1].body as { messages: Array<{ role: string; content: Array<Record<string, any>> }> };
    anthropic.expectValid('request', second, 'second upstream request');
    const assistant = second.messages.find((m) => m.role === 'assistant' && m.content.some((b) => b.type === 'tool_use'))!;
    expect(assistant.content[0]).toEqual({ type: 'thinking', thinking: answer.thinking, signature: answer.signature });
    expect(assistant.content[1]).toMatchObject({ type: 'tool_use', name: 'exec_command', input: { cmd: 'echo hello-from-thinking' } });
  }, 120_000);
});
