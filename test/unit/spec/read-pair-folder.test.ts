/**
 * engine/spec/read-pair-folder.ts: the YAML files of one pair folder become one spec. Only
 * functions / ignored / upstream_ignored / examples / config may be spread over files; anything
 * defined twice is a problem naming both files, and every merged path still maps back to the file
 * and line it was written on.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPairFolder } from '../../../engine/spec/read-pair-folder.js';

let root: string;
let folders = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'rosetta-pair-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a pair folder (relative path → YAML text) and returns its directory. */
async function pairFolder(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `folder-${++folders}`, 'a-to-b');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Line (1-based) of the `nth` line of `text` containing `marker`. */
function lineOf(text: string, marker: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(marker) && ++seen === nth) return i + 1;
  throw new Error(`marker ${JSON.stringify(marker)} not found`);
}

const PAIR = 'pair: a-to-b\ndescription: A to B.\n';
const REQUEST = [
  'request:',
  '  fields:',
  '    - { target: max, from: limit }',
  '  rules:',
  '    - id: prompt-to-input',
  '      target: input',
  '      describe: The prompt.',
  '      from: prompt',
  '',
].join('\n');
const FUNCTIONS_A = "functions:\n  first:\n    describe: One.\n    body: 'function() { 1 }'\n";
const FUNCTIONS_B = "functions:\n  second:\n    describe: Two.\n    body: 'function() { 2 }'\n";
const CONFIG_A = 'config:\n  tables:\n    kind: { a: b, _default: c }\n  limits:\n    tokens: 10\n';
const CONFIG_B = 'config:\n  tables:\n    other: { x: y, _default: z }\n  limits:\n    turns: 3\n';
const EXAMPLES_MAIN = 'examples:\n  - { id: first, describe: One., request: { n: 1 } }\n';
const EXAMPLES_MORE = [
  'examples:',
  '  - id: second',
  '    describe: Two.',
  '    request: { n: 2 }',
  '  - id: third',
  '    describe: Three.',
  '    request: { n: 3 }',
  '',
].join('\n');

describe('read-pair-folder: merging the files of a folder', () => {
  it('merges distinct top-level keys of several files into one spec', async () => {
    const dir = await pairFolder({ 'pair.yaml': PAIR, 'request.yaml': REQUEST });
    const { source, problems } = await readPairFolder(dir);
    expect(problems).toEqual([]);
    expect(source!.spec).toMatchObject({ pair: 'a-to-b', description: 'A to B.', request: { rules: [{ id: 'prompt-to-input' }] } });
    expect(source!.files).toEqual([path.join(dir, 'pair.yaml'), path.join(dir, 'request.yaml')]);
  });

  const merged: Array<{ name: string; files: Record<string, string>; key: string; expected: unknown }> = [
    {
      name: 'functions defined in two files are both available',
      files: { 'a.yaml': PAIR + FUNCTIONS_A, 'b.yaml': FUNCTIONS_B },
      key: 'functions',
      expected: { first: { describe: 'One.', body: 'function() { 1 }' }, second: { describe: 'Two.', body: 'function() { 2 }' } },
    },
    {
      name: 'ignored reasons from two files are merged',
      files: { 'a.yaml': `${PAIR}ignored:\n  top_k: No top_k upstream.\n`, 'b.yaml': 'ignored:\n  metadata: Not sent upstream.\n' },
      key: 'ignored',
      expected: { top_k: 'No top_k upstream.', metadata: 'Not sent upstream.' },
    },
    {
      name: 'upstream_ignored reasons from two files are merged',
      files: { 'a.yaml': `${PAIR}upstream_ignored:\n  store: Never set.\n`, 'b.yaml': 'upstream_ignored:\n  user: Never set either.\n' },
      key: 'upstream_ignored',
      expected: { store: 'Never set.', user: 'Never set either.' },
    },
    {
      name: 'config is merged deeply: sibling tables and sibling leaves from two files',
      files: { 'a.yaml': PAIR + CONFIG_A, 'b.yaml': CONFIG_B },
      key: 'config',
      expected: { tables: { kind: { a: 'b', _default: 'c' }, other: { x: 'y', _default: 'z' } }, limits: { tokens: 10, turns: 3 } },
    },
    {
      name: 'examples from the folder and from examples/*.yaml are concatenated, folder files first',
      files: { 'pair.yaml': PAIR + EXAMPLES_MAIN, 'examples/more.yaml': EXAMPLES_MORE },
      key: 'examples',
      expected: [
        { id: 'first', describe: 'One.', request: { n: 1 } },
        { id: 'second', describe: 'Two.', request: { n: 2 } },
        { id: 'third', describe: 'Three.', request: { n: 3 } },
      ],
    },
    {
      name: 'examples spread over several files of examples/ are all found, in file-name order',
      files: {
        'pair.yaml': PAIR,
        'examples/b.yaml': 'examples:\n  - { id: bee, describe: B., request: {} }\n',
        'examples/a.yaml': 'examples:\n  - { id: ay, describe: A., request: {} }\n',
      },
      key: 'examples',
      expected: [
        { id: 'ay', describe: 'A.', request: {} },
        { id: 'bee', describe: 'B.', request: {} },
      ],
    },
  ];

  it.each(merged)('$name', async ({ files, key, expected }) => {
    const { source, problems } = await readPairFolder(await pairFolder(files));
    expect(problems).toEqual([]);
    expect(source!.spec[key]).toEqual(expected);
  });

  it('reads only .yaml files of the folder and of examples/, not other files or folders', async () => {
    const dir = await pairFolder({
      'pair.yaml': PAIR,
      'README.md': 'notes: not a spec\n',
      'notes/extra.yaml': 'extra: true\n',
      'examples/notes.txt': 'examples: []\n',
    });
    const { source, problems } = await readPairFolder(dir);
    expect(problems).toEqual([]);
    expect(Object.keys(source!.spec)).toEqual(['pair', 'description']);
  });

  it('an empty file adds nothing and is no problem', async () => {
    const { source, problems } = await readPairFolder(await pairFolder({ 'pair.yaml': PAIR, 'empty.yaml': '' }));
    expect(problems).toEqual([]);
    expect(Object.keys(source!.spec)).toEqual(['pair', 'description']);
  });
});

describe('read-pair-folder: a key defined in two files is a problem naming both files', () => {
  // Problems point at the value of the second definition (for a block value: its first line).
  const conflicts: Array<{ name: string; first: string; second: string; marker: string }> = [
    { name: 'a top-level key (request) in two files', first: PAIR + REQUEST, second: REQUEST, marker: 'fields:' },
    { name: 'a scalar top-level key (description) in two files', first: PAIR, second: 'description: Again.\n', marker: 'description:' },
    { name: 'the same function in two files', first: PAIR + FUNCTIONS_A, second: FUNCTIONS_A, marker: 'describe: One.' },
    { name: 'the same ignored field in two files', first: `${PAIR}ignored:\n  top_k: Reason one.\n`, second: 'ignored:\n  top_k: Reason two.\n', marker: 'Reason two' },
    { name: 'the same upstream_ignored field in two files', first: `${PAIR}upstream_ignored:\n  store: Reason one.\n`, second: 'upstream_ignored:\n  store: Reason two.\n', marker: 'Reason two' },
  ];
  const configConflicts: typeof conflicts = [
    { name: 'the same config leaf in two files', first: PAIR + CONFIG_A, second: 'config:\n  limits:\n    tokens: 20\n', marker: 'tokens: 20' },
    { name: 'the same config table entry in two files', first: PAIR + CONFIG_A, second: 'config:\n  tables:\n    kind: { other: d, _default: e }\n', marker: 'kind:' },
    { name: 'a config leaf in one file and a mapping at the same path in the other', first: PAIR + CONFIG_A, second: 'config:\n  limits:\n    tokens: { max: 3 }\n', marker: 'tokens:' },
  ];

  async function conflictOf(first: string, second: string) {
    const dir = await pairFolder({ '1-first.yaml': first, '2-second.yaml': second });
    const { problems } = await readPairFolder(dir);
    expect(problems).toHaveLength(1);
    return { dir, problem: problems[0] };
  }

  it.each([...conflicts, ...configConflicts])('$name is reported where the second definition is', async ({ first, second, marker }) => {
    const { dir, problem } = await conflictOf(first, second);
    expect(problem.file).toBe(path.join(dir, '2-second.yaml'));
    expect(problem.line).toBe(lineOf(second, marker));
  });

  it.each(conflicts)('$name: the problem names the file of the first definition', async ({ first, second }) => {
    const { dir, problem } = await conflictOf(first, second);
    expect(problem.message).toContain(path.join(dir, '1-first.yaml'));
  });

  // Fixed bug, kept as a guard — it was: mergeInto records an origin only for the key it inserted, so when the first file brought
  // the enclosing config mapping (config.limits), a clash on a leaf below it (config.limits.tokens)
  // finds no origin and the problem says "is already defined" without naming the first file.
  it.each(configConflicts)('$name: the problem names the file of the first definition', async ({ first, second }) => {
    const { dir, problem } = await conflictOf(first, second);
    expect(problem.message).toContain(path.join(dir, '1-first.yaml'));
  });

  it('entries of the same config table from two files are merged when their keys differ', async () => {
    const dir = await pairFolder({ '1.yaml': PAIR + 'config:\n  tables:\n    kind: { a: b }\n', '2.yaml': 'config:\n  tables:\n    kind: { c: d, _default: e }\n' });
    const { source, problems } = await readPairFolder(dir);
    expect(problems).toEqual([]);
    expect(source!.spec.config).toEqual({ tables: { kind: { a: 'b', c: 'd', _default: 'e' } } });
  });
});

describe('read-pair-folder: malformed folders', () => {
  it('a folder without YAML files is a problem naming the folder', async () => {
    const dir = await pairFolder({ 'README.md': 'nothing here' });
    const { source, problems } = await readPairFolder(dir);
    expect(source).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file: dir })]);
  });

  it('a YAML error in one file is reported at its line and nothing is merged', async () => {
    const broken = 'ignored:\n  a: one\n  a: two\n';
    const dir = await pairFolder({ 'pair.yaml': PAIR, 'broken.yaml': broken });
    const { source, problems } = await readPairFolder(dir);
    expect(source).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file: path.join(dir, 'broken.yaml'), line: 3 })]);
  });

  it('YAML errors of several files are all reported', async () => {
    const dir = await pairFolder({ 'a.yaml': 'a: &x 1\n', 'b.yaml': 'b: *y\n' });
    const { problems } = await readPairFolder(dir);
    expect(problems.map((p) => path.basename(p.file!)).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  const shapes: Array<{ name: string; text: string; line: number }> = [
    { name: 'a file holding a list instead of keys', text: '- pair: a-to-b\n', line: 1 },
    { name: 'a file holding a bare scalar', text: 'just text\n', line: 1 },
    { name: 'examples that are not a list', text: 'examples:\n  id: one\n', line: 2 },
    { name: 'functions that are not a mapping', text: 'functions:\n  - shout\n', line: 2 },
    { name: 'config that is not a mapping', text: 'config: 3\n', line: 1 },
  ];

  it.each(shapes)('$name is a problem at its line', async ({ text, line }) => {
    const dir = await pairFolder({ 'pair.yaml': PAIR, 'bad.yaml': text });
    const { problems } = await readPairFolder(dir);
    expect(problems).toEqual([expect.objectContaining({ file: path.join(dir, 'bad.yaml'), line })]);
  });

  // Fixed bug, kept as a guard — it was: mergeInto tests `key in target` on a plain object, so a name the Object prototype has
  // (constructor, toString, hasOwnProperty, valueOf) is reported as "already defined" the first
  // time it appears. An inbound field called `constructor` cannot be listed under ignored:.
  it.each([
    { name: 'an ignored field called constructor', text: `${PAIR}ignored:\n  constructor: Not an API field we map.\n` },
    { name: 'a config key called toString', text: `${PAIR}config:\n  toString: to-string\n` },
    { name: 'a function called valueOf', text: `${PAIR}functions:\n  valueOf:\n    describe: V.\n    body: 'function() { 1 }'\n` },
  ])('$name, defined once, is no problem', async ({ text }) => {
    const { problems } = await readPairFolder(await pairFolder({ 'pair.yaml': text }));
    expect(problems).toEqual([]);
  });

  // Assigned naively, a top-level `__proto__:` key would become the prototype of the merged spec:
  // the key would vanish from the schema check and its entries be inherited. It is refused.
  it('a top-level __proto__ key is refused at its line and never becomes the prototype', async () => {
    const dir = await pairFolder({ 'pair.yaml': 'pair: a-to-b\n__proto__: { description: inherited }\n' });
    const { source, problems } = await readPairFolder(dir);
    expect(problems.map((p) => [p.line, p.message.includes('__proto__')])).toEqual([[2, true]]);
    if (source) expect(Object.getPrototypeOf(source.spec)).toBe(Object.prototype);
  });
});

describe('read-pair-folder: locate maps a merged path back to its file and line', () => {
  let dir: string;
  let locate: (p: (string | number)[]) => { file: string; line: number } | undefined;
  const files = {
    'pair.yaml': PAIR + FUNCTIONS_A + CONFIG_A + EXAMPLES_MAIN,
    'request.yaml': REQUEST,
    'more.yaml': FUNCTIONS_B + CONFIG_B + 'ignored:\n  metadata: Not sent upstream.\n',
    'examples/more.yaml': EXAMPLES_MORE,
  };
  beforeAll(async () => {
    dir = await pairFolder(files);
    const { source, problems } = await readPairFolder(dir);
    expect(problems).toEqual([]);
    locate = (p) => {
      const at = source!.locate(p);
      return at && { file: at.file, line: at.line };
    };
  });

  const cases: Array<{ name: string; path: (string | number)[]; file: keyof typeof files; marker: string; nth?: number }> = [
    { name: 'a top-level scalar of pair.yaml', path: ['description'], file: 'pair.yaml', marker: 'description:' },
    { name: 'a rule expression of request.yaml', path: ['request', 'rules', 0, 'from'], file: 'request.yaml', marker: 'from: prompt' },
    { name: 'a field row of request.yaml', path: ['request', 'fields', 0, 'target'], file: 'request.yaml', marker: 'target: max' },
    { name: 'a function body defined in pair.yaml', path: ['functions', 'first', 'body'], file: 'pair.yaml', marker: 'function() { 1 }' },
    { name: 'a function body defined in more.yaml', path: ['functions', 'second', 'body'], file: 'more.yaml', marker: 'function() { 2 }' },
    { name: 'a config table defined in pair.yaml', path: ['config', 'tables', 'kind', '_default'], file: 'pair.yaml', marker: 'kind:' },
    { name: 'a config table merged in from more.yaml', path: ['config', 'tables', 'other', 'x'], file: 'more.yaml', marker: 'other:' },
    { name: 'a config leaf merged in from more.yaml', path: ['config', 'limits', 'turns'], file: 'more.yaml', marker: 'turns: 3' },
    { name: 'an ignored reason from more.yaml', path: ['ignored', 'metadata'], file: 'more.yaml', marker: 'metadata:' },
    { name: 'the first example, from pair.yaml', path: ['examples', 0, 'request'], file: 'pair.yaml', marker: 'id: first' },
    { name: 'the second example: the first of examples/more.yaml', path: ['examples', 1, 'request'], file: 'examples/more.yaml', marker: 'request: { n: 2 }' },
    { name: 'the third example: the second of examples/more.yaml', path: ['examples', 2, 'id'], file: 'examples/more.yaml', marker: 'id: third' },
    { name: 'a missing key under a known example falls back to that example', path: ['examples', 2, 'response'], file: 'examples/more.yaml', marker: 'id: third' },
  ];

  it.each(cases)('$name', ({ path: at, file, marker, nth }) => {
    expect(locate(at)).toEqual({ file: path.join(dir, file), line: lineOf(files[file], marker, nth) });
  });
});
