/**
 * engine/spec/yaml-file.ts: the strict YAML reader of mapping specs. Every refusal must say where
 * (file:line:col) so an editor can jump to it; a valid file keeps every value's position.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SPEC_FILE_BYTES, parseYamlText, readYamlFile, YamlFileError, type SpecProblem } from '../../../engine/spec/yaml-file.js';

const FILE = 'spec.yaml';

/** The problems parseYamlText refuses a text with (fails the test when the text is accepted). */
function problemsOf(text: string): SpecProblem[] {
  try {
    parseYamlText(FILE, text);
  } catch (err) {
    expect(err).toBeInstanceOf(YamlFileError);
    return (err as YamlFileError).problems;
  }
  throw new Error('expected the text to be refused');
}

const where = (p: SpecProblem) => ({ file: p.file, line: p.line, col: p.col });

/** file:line:col of the `nth` occurrence of `marker` in `text` (1-based, as problems report them). */
function positionOf(text: string, marker: string, nth = 1): { file: string; line: number; col: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(marker, offset + 1);
    if (offset < 0) throw new Error(`marker ${JSON.stringify(marker)} (#${nth}) not in the text`);
  }
  const before = text.slice(0, offset).split('\n');
  return { file: FILE, line: before.length, col: before[before.length - 1].length + 1 };
}

const byPosition = (a: { line?: number; col?: number }, b: { line?: number; col?: number }) => (a.line! - b.line!) || (a.col! - b.col!);

describe('yaml-file: refused constructs name file:line:col', () => {
  const cases: Array<{ name: string; text: string; at: Array<[marker: string, nth?: number]> }> = [
    {
      name: 'a duplicate top-level key is refused at the second occurrence',
      text: 'pair: a-to-b\ndescription: x\npair: c-to-d\n',
      at: [['pair', 2]],
    },
    {
      name: 'a duplicate key inside a flow mapping is refused at that key',
      text: 'request:\n  fields:\n    - { target: a, from: b, target: c }\n',
      at: [['target', 2]],
    },
    {
      name: 'a duplicate nested key is refused at the second occurrence',
      text: 'config:\n  tables:\n    kind: { a: b }\n    other: { c: d }\n    kind: { e: f }\n',
      at: [['kind', 2]],
    },
    {
      name: 'a merge key (<<) with an inline mapping is refused at the << key',
      text: 'request:\n  fields: []\nconfig:\n  <<: { x: 1 }\n',
      at: [['<<']],
    },
    {
      name: 'an unclosed quote is refused where YAML notices it (the end of the text)',
      text: 'a: 1\nb: "open\n',
      at: [['', 0]],
    },
    {
      name: 'a second YAML document in one file is refused at the separator',
      text: 'a: 1\n---\nb: 2\n',
      at: [['---']],
    },
  ];

  it.each(cases)('$name', ({ text, at }) => {
    const got = problemsOf(text).map(where).sort(byPosition);
    const expected = at.map(([marker, nth]) => (nth === 0 ? endOf(text) : positionOf(text, marker, nth)));
    expect(got).toEqual(expected);
  });

  function endOf(text: string) {
    const lines = text.split('\n');
    return { file: FILE, line: lines.length, col: lines[lines.length - 1].length + 1 };
  }

  it('an alias is refused where the *name is written', () => {
    const text = 'a: &base 1\nb: *base\n';
    expect(problemsOf(text).map(where)).toContainEqual(positionOf(text, '*base'));
  });

  it('a merge key (<<) through an alias is refused at the << key and at the alias', () => {
    const text = 'base: &b { x: 1 }\nderived:\n  <<: *b\n  y: 2\n';
    const got = problemsOf(text).map(where);
    expect(got).toContainEqual(positionOf(text, '<<'));
    expect(got).toContainEqual(positionOf(text, '*b'));
  });

  const anchors: Array<{ name: string; text: string; marker: string }> = [
    { name: 'an anchor on a scalar is refused even when nothing refers to it', text: 'pair: a-to-b\nlimit: &l 5\n', marker: '&l' },
    { name: 'an anchor inside a flow sequence is refused', text: 'a:\n  - 1\n  - [2, &two 3]\n', marker: '&two' },
    { name: 'an anchor on a block mapping is refused', text: 'pair: a-to-b\nconfig:\n  tables: &t\n    x: { _default: y }\n', marker: '&t' },
  ];

  it.each(anchors.slice(0, 2))('$name on the line where it is written', ({ text, marker }) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(positionOf(text, marker).line);
  });

  // BUG: an anchor problem points at the anchored node, not at the `&name` written in the file:
  // `limit: &l 5` reports the column of `5`, and `tables: &t` followed by a block mapping reports
  // the NEXT line (where the mapping starts). Expected: the position of `&`.
  it.fails.each(anchors)('$name, at the & of the anchor', ({ text, marker }) => {
    expect(problemsOf(text).map(where)).toEqual([positionOf(text, marker)]);
  });

  it.each([
    { name: 'a plain and a double-quoted spelling of one key', text: 'a: 1\n"a": 2\n', marker: '"a"' },
    { name: 'a plain and a single-quoted spelling of one key', text: "a: 1\n'a': 2\n", marker: "'a'" },
  ])('$name are duplicates', ({ text, marker }) => {
    expect(problemsOf(text).map(where)).toEqual([positionOf(text, marker)]);
  });

  // uniqueKeys compares YAML scalars by value AND type, but toJS() turns every key into a string,
  // so `1:` and `"1":` would collapse into one JSON key; yaml-file checks for that itself.
  it.each([
    { name: 'an integer key and the same number quoted', text: 'status:\n  400: invalid_request\n  "400": overloaded\n', marker: '"400"' },
    { name: 'a boolean key and the same word quoted', text: 'flags:\n  true: yes\n  "true": no\n', marker: '"true"' },
  ])('$name, which become one JSON key, are duplicates', ({ text, marker }) => {
    expect(problemsOf(text).map(where)).toEqual([positionOf(text, marker)]);
  });

  // YAML 1.1 tags would resolve into values that are not JSON (a Buffer, a Set, a Date); a spec
  // is plain JSON data, so such tags are refused like anchors and merge keys.
  it.each([
    { tag: '!!binary', text: 'a: !!binary aGk=\n' },
    { tag: '!!set', text: 'a: !!set { x, y }\n' },
    { tag: '!!timestamp', text: 'a: !!timestamp 2001-12-14\n' },
  ])('a value tagged $tag (not JSON) is refused', ({ text }) => {
    expect(problemsOf(text).length).toBeGreaterThan(0);
  });

  it('reports every problem of a file at once, not only the first', () => {
    const problems = problemsOf('a: 1\nb: *x\nc:\n  <<: { y: 1 }\nd: 1\nd: 2\n');
    expect(problems.map((p) => p.line).sort()).toEqual([2, 4, 6]);
  });
});

describe('yaml-file: the size cap', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rosetta-yaml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A valid YAML file of exactly `size` bytes: one key, then a comment padding it out. */
  async function fileOfSize(name: string, size: number): Promise<string> {
    const head = 'pair: a-to-b\n#';
    const file = path.join(dir, name);
    await writeFile(file, head + 'x'.repeat(size - head.length - 1) + '\n');
    return file;
  }

  it('a file of exactly the cap is read', async () => {
    const file = await fileOfSize('at-cap.yaml', MAX_SPEC_FILE_BYTES);
    const yaml = await readYamlFile(file);
    expect(yaml.data).toEqual({ pair: 'a-to-b' });
  });

  it('a file one byte over the cap is refused, naming the file and no position inside it', async () => {
    const file = await fileOfSize('over-cap.yaml', MAX_SPEC_FILE_BYTES + 1);
    const err = await readYamlFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(YamlFileError);
    const problems = (err as YamlFileError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe(file);
    expect(problems[0].line).toBeUndefined();
  });

  it('a valid file read from disk keeps its path in every position', async () => {
    const file = path.join(dir, 'small.yaml');
    const text = 'pair: a-to-b\nrequest:\n  fields:\n    - { target: x, from: y }\n';
    await writeFile(file, text);
    const yaml = await readYamlFile(file);
    expect(yaml.locate(['request', 'fields', 0, 'from'])).toEqual({ ...positionOf(text, 'y }'), file });
  });
});

describe('yaml-file: a valid file keeps positions (locate)', () => {
  const text = [
    'pair: toy-a-to-toy-b', //                     1
    'request:', //                                 2
    '  fields:', //                                3
    '    - { target: max, from: limit }', //       4
    '  rules:', //                                 5
    '    - id: prompt', //                         6
    '      target: input', //                      7
    "      from: '$upper(prompt)'", //             8
    '      examples:', //                          9
    '        - in: { prompt: hey }', //            10
    '          out: HEY', //                       11
    'config:', //                                  12
    '  tables:', //                                13
    '    kind: { a: b, _default: c }', //          14
    '',
  ].join('\n');
  const yaml = parseYamlText(FILE, text);

  const cases: Array<{ name: string; path: (string | number)[]; marker: string }> = [
    { name: 'a top-level scalar points at its value', path: ['pair'], marker: 'toy-a-to-toy-b' },
    { name: 'a value inside a flow mapping in a list points at that value', path: ['request', 'fields', 0, 'from'], marker: 'limit }' },
    { name: 'a list item points at its first character', path: ['request', 'rules', 0], marker: 'id: prompt' },
    { name: 'a quoted block-mapping value points at the opening quote', path: ['request', 'rules', 0, 'from'], marker: "'$upper" },
    { name: 'a nested example points at its own line', path: ['request', 'rules', 0, 'examples', 0, 'out'], marker: 'HEY' },
    { name: 'a deep config leaf points at its value', path: ['config', 'tables', 'kind', '_default'], marker: 'c }' },
    { name: 'a missing key falls back to its nearest existing parent', path: ['request', 'rules', 0, 'describe'], marker: 'id: prompt' },
    { name: 'a missing list index falls back to the list', path: ['request', 'fields', 7, 'from'], marker: '- { target: max' },
    { name: 'a path with nothing under the root falls back to the document start', path: ['nowhere'], marker: 'pair:' },
  ];

  it.each(cases)('$name', ({ path: at, marker }) => {
    expect(yaml.locate(at)).toEqual(positionOf(text, marker));
  });

  it('keeps the data as plain JSON', () => {
    expect(yaml.data).toEqual({
      pair: 'toy-a-to-toy-b',
      request: {
        fields: [{ target: 'max', from: 'limit' }],
        rules: [{ id: 'prompt', target: 'input', from: '$upper(prompt)', examples: [{ in: { prompt: 'hey' }, out: 'HEY' }] }],
      },
      config: { tables: { kind: { a: 'b', _default: 'c' } } },
    });
  });

  it('an empty file is valid and holds nothing', () => {
    expect(parseYamlText(FILE, '').data).toBeNull();
  });

  it('a "__proto__" key is kept as data and never becomes the prototype', () => {
    const data = parseYamlText(FILE, '__proto__: { polluted: true }\nb: 2\n').data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect((data as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
