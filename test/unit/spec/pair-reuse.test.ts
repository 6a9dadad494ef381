/**
 * compile-pair: a reload reuses the compiled pair of a folder whose files did not change (same
 * schemas, same environment), and compiles again any folder that did — so an edit to one pair
 * costs the reload that pair only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyToyPair, TOY_PAIR, type ToyCopy } from './toy-pair-copy.js';

let copy: ToyCopy | undefined;
afterEach(async () => {
  await copy?.remove();
  copy = undefined;
});

const SECOND = 'toy-chat-to-toy-llm-two';
const byName = (set: Awaited<ReturnType<ToyCopy['load']>>['set']) => new Map(set!.pairs.map((p) => [p.name, p]));

describe('reusing compiled pairs across loads', () => {
  it('an unchanged folder gives the same compiled pair; an edited one a new one', async () => {
    copy = await copyToyPair();
    await copy.clonePair(SECOND);
    await copy.edit('pair.yaml', 'path: /chat,', 'path: /chat2,', SECOND);
    const first = byName((await copy.load()).set);
    await copy.edit('pair.yaml', 'describe: Tags joined with commas.', 'describe: The tags, joined with commas.', SECOND);
    const second = byName((await copy.load()).set);
    expect(second.get(TOY_PAIR)).toBe(first.get(TOY_PAIR));
    expect(second.get(SECOND)).not.toBe(first.get(SECOND));
    expect(second.get(SECOND)!.spec.request!.rules![1].describe).toBe('The tags, joined with commas.');
  });

  it('another environment compiles again (settings come from it)', async () => {
    copy = await copyToyPair();
    const a = byName((await copy.load({ TOY_BASE_URL: 'http://127.0.0.1:1/v1' })).set).get(TOY_PAIR)!;
    const b = byName((await copy.load({ TOY_BASE_URL: 'http://127.0.0.1:2/v1' })).set).get(TOY_PAIR)!;
    expect(b).not.toBe(a);
    expect(b.upstream.baseUrl).toBe('http://127.0.0.1:2/v1');
  });

  it('a folder that failed is compiled again at the next load, and its problems reported again', async () => {
    copy = await copyToyPair();
    await copy.edit('pair.yaml', 'from: $shout(prompt)', 'from: $shout(prompt');
    expect((await copy.load()).problems).toHaveLength(1);
    expect((await copy.load()).problems).toHaveLength(1);
  });
});
