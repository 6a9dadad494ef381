/**
 * load-mapping-set: several pairs may claim one route (method + path) only when `when:`
 * conditions decide between them — at most one of them may go without one. Otherwise the whole
 * set is unservable, with a problem naming both pairs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyToyPair, lineOf, TOY_PAIR, type ToyCopy } from './toy-pair-copy.js';

let copy: ToyCopy | undefined;
afterEach(async () => {
  await copy?.remove();
  copy = undefined;
});

const SECOND = 'toy-chat-to-toy-llm-two';
const ROUTE = '  - { method: POST, path: /chat, upstream: { method: POST, path: /generate } }';

describe('route collisions between pairs', () => {
  const cases: Array<{ name: string; route: string; collides: boolean }> = [
    { name: 'the same method and path in two pairs collide', route: ROUTE, collides: true },
    { name: 'the same path with another method does not collide', route: ROUTE.replace('method: POST, path: /chat', 'method: PUT, path: /chat'), collides: false },
    { name: 'another path with the same method does not collide', route: ROUTE.replace('path: /chat,', 'path: /chat2,'), collides: false },
  ];

  it.each(cases)('$name', async ({ route, collides }) => {
    copy = await copyToyPair();
    await copy.clonePair(SECOND);
    if (route !== ROUTE) await copy.edit('pair.yaml', ROUTE, route, SECOND);
    const { set, problems } = await copy.load();
    if (!collides) {
      expect(problems).toEqual([]);
      expect(set!.pairs.map((p) => p.name)).toEqual([TOY_PAIR, SECOND]);
      return;
    }
    expect(set).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain(TOY_PAIR);
    expect(problems[0].message).toContain(SECOND);
    expect(problems[0].file).toContain(SECOND);
  });

  // Fixed bug, kept as a guard — it was: load-mapping-set.ts routeCollisions reports `{ file: pair.dir }` only — the folder, with
  // no line — although the second pair's routes entry has a known position (source.locate). Expected:
  // the problem at the colliding routes entry of the second pair's pair.yaml.
  it('a collision is reported at the routes entry of the second pair', async () => {
    copy = await copyToyPair();
    await copy.clonePair(SECOND);
    const { problems } = await copy.load();
    const text = await copy.read('pair.yaml', SECOND);
    expect(problems).toEqual([expect.objectContaining({ file: copy.file('pair.yaml', SECOND), line: lineOf(text, 'path: /chat,') })]);
  });

  it('two pairs on one route load when one of them has a when: condition', async () => {
    copy = await copyToyPair();
    await copy.clonePair(SECOND);
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: '$hasModel(body.model)' }`, SECOND);
    const { set, problems } = await copy.load();
    expect(problems).toEqual([]);
    expect(set!.pairs[1].routeConditions.size).toBe(1);
  });

  it('a when: that is not JSONata is a problem at its place', async () => {
    copy = await copyToyPair();
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: 'body.model = ' }`);
    const { set, problems } = await copy.load();
    expect(set).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ at: 'routes[0].when', line: lineOf(await copy.read('pair.yaml'), 'path: /chat,') })]);
  });

  it('built-in routes collide like mapped ones: the same built-in mounted by two pairs without a condition', async () => {
    copy = await copyToyPair();
    await copy.edit('pair.yaml', ROUTE, `${ROUTE}\n  - { path: /files, builtin: files }`);
    await copy.clonePair(SECOND);
    await copy.edit('pair.yaml', ROUTE, `${ROUTE.slice(0, -2)}, when: 'false' }`, SECOND);
    const { problems } = await copy.load();
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/route POST \/files is served by both toy-chat-to-toy-llm and toy-chat-to-toy-llm-two/);
    expect(problems[0].at).toBe('routes[1]');
  });
});
