/**
 * engine/spec/compile-pair.ts through loadMappingSet: every defect of a pair is a problem that
 * names the file and line to fix, and a pair with any problem is not served. Each case breaks a
 * fresh copy of the toy pair in one way.
 */
import { mkdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpecProblem } from '../../../engine/spec/yaml-file.js';
import { copyToyPair, lineOf, TOY_PAIR, type ToyCopy } from './toy-pair-copy.js';

let copy: ToyCopy | undefined;
afterEach(async () => {
  await copy?.remove();
  copy = undefined;
});

interface DefectCase {
  name: string;
  /** Text replacements in pair.yaml, applied in order. */
  edits: Array<[from: string, to: string]>;
  env?: NodeJS.ProcessEnv;
  /** A text on the line the problem must point at (in the edited pair.yaml), and the spec path. */
  expected: { marker: string; nth?: number; at: string };
}

const FIELD_MAX = '{ target: max, from: limit }';

const defects: DefectCase[] = [
  {
    name: 'an unknown key in a field row is a schema problem at that key',
    edits: [[FIELD_MAX, '{ target: max, from: limit, colour: blue }']],
    expected: { marker: 'colour: blue', at: 'request.fields[1].colour' },
  },
  {
    name: 'an unknown key in a rule is a schema problem at that key',
    edits: [['      describe: Tags joined with commas.', '      describe: Tags joined with commas.\n      colour: blue']],
    expected: { marker: 'colour: blue', at: 'request.rules[1].colour' },
  },
  {
    name: 'a missing required key below the top (upstream.base_url) is a schema problem at its parent',
    edits: [['  base_url: ${TOY_BASE_URL:-http://127.0.0.1:9/v1}\n', '']],
    expected: { marker: 'api: toy-llm', at: 'upstream' },
  },
  {
    name: 'a pair name that breaks the naming pattern is a schema problem at pair',
    edits: [[`pair: ${TOY_PAIR}`, 'pair: Toy_Pair']],
    expected: { marker: 'pair: Toy_Pair', at: 'pair' },
  },
  {
    name: 'a pair name different from its folder name is a problem at pair',
    edits: [[`pair: ${TOY_PAIR}`, 'pair: toy-chat-to-toy-other']],
    expected: { marker: 'pair: toy-chat-to-toy-other', at: 'pair' },
  },
  {
    name: 'a JSONata syntax error in a field is a problem at its from',
    edits: [[FIELD_MAX, "{ target: max, from: 'limit +' }"]],
    expected: { marker: "from: 'limit +'", at: 'request.fields[1].from' },
  },
  {
    name: 'a JSONata syntax error in a rule is a problem at its from',
    edits: [['      from: $shout(prompt)', '      from: $shout(prompt']],
    expected: { marker: 'from: $shout(prompt', at: 'request.rules[0].from' },
  },
  {
    name: 'a JSONata syntax error in a response field is a problem at its from',
    edits: [['{ target: answer, from: output.text }', "{ target: answer, from: 'output.text]' }"]],
    expected: { marker: 'output.text]', at: 'response.fields[0].from' },
  },
  {
    name: 'a JSONata syntax error in an errors.gateway field is a problem at its from',
    edits: [['{ target: status, from: status }', "{ target: status, from: 'status =' }"]],
    expected: { marker: "from: 'status ='", at: 'errors.gateway.fields[0].from' },
  },
  {
    name: 'a JSONata syntax error in a function body is a problem at the body',
    edits: [[`$uppercase($text) & "!" }'`, `$uppercase($text) & }'`]],
    expected: { marker: 'body:', at: 'functions.shout.body' },
  },
  {
    name: 'a target with a __proto__ segment is a problem at the target',
    edits: [[FIELD_MAX, '{ target: __proto__.max, from: limit }']],
    expected: { marker: '__proto__.max', at: 'request.fields[1].target' },
  },
  {
    name: 'a target with a constructor.prototype path is a problem at the target',
    edits: [['      target: labels', '      target: constructor.prototype.labels']],
    expected: { marker: 'constructor.prototype.labels', at: 'request.rules[1].target' },
  },
  {
    name: 'a target with an empty segment is a problem at the target',
    edits: [[FIELD_MAX, '{ target: a..max, from: limit }']],
    expected: { marker: 'a..max', at: 'request.fields[1].target' },
  },
  {
    name: 'a table without _default is a problem at the table',
    edits: [['not_found: missing, _default: broken }', 'not_found: missing }']],
    expected: { marker: 'kind: {', at: 'config.tables.kind' },
  },
  {
    name: 'a rule id used twice is a problem at the second id',
    edits: [['    - id: tags-to-labels', '    - id: prompt-to-input']],
    expected: { marker: 'id: prompt-to-input', nth: 2, at: 'request.rules[1].id' },
  },
  {
    name: 'a failing rule example is a problem at that example',
    edits: [['out: "HEY!"', 'out: "HEY"']],
    expected: { marker: 'out: "HEY"', at: 'request.rules[0].examples[0]' },
  },
  {
    name: 'a failing function example is a problem at that example',
    edits: [['out: "HI!"', 'out: "HI"']],
    expected: { marker: 'out: "HI"', at: 'functions.shout.examples[0]' },
  },
  {
    name: 'a whole example whose upstream_request differs is a problem at upstream_request',
    edits: [['max: 5, labels', 'max: 6, labels']],
    expected: { marker: 'upstream_request:', at: 'examples[0].upstream_request' },
  },
  {
    name: 'a whole example whose response differs is a problem at response',
    edits: [['response: { answer: "hi there"', 'response: { answer: "bye"']],
    expected: { marker: 'response: { answer: "bye"', at: 'examples[0].response' },
  },
  {
    name: 'a whole example whose error differs in status is a problem at error',
    edits: [['    error: { status: 429', '    error: { status: 430']],
    expected: { marker: 'error: { status: 430', at: 'examples[0].error' },
  },
  {
    name: 'a whole example whose error differs in a header is a problem at error',
    edits: [['headers: { retry-after: "3" }', 'headers: { retry-after: "4" }']],
    expected: { marker: 'retry-after: "4"', at: 'examples[0].error' },
  },
  {
    name: 'a whole example whose produced upstream request breaks the upstream schema is a problem at upstream_request',
    edits: [
      [FIELD_MAX, `${FIELD_MAX}\n    - { target: extra, from: '"x"' }`],
      ['labels: "a,b" }', 'labels: "a,b", extra: x }'],
    ],
    expected: { marker: 'upstream_request:', at: 'examples[0].upstream_request' },
  },
  {
    name: 'a whole example whose response breaks the inbound response schema is a problem at response',
    edits: [
      ['{ target: answer, from: output.text }', '{ target: answer, from: output.size }'],
      ['response: { answer: "hi there", model: small-1 }', 'response: { model: small-1 }'],
    ],
    expected: { marker: 'response: { model: small-1 }', at: 'examples[0].response' },
  },
  {
    name: 'a missing environment variable without default in base_url is a problem at base_url',
    edits: [['${TOY_BASE_URL:-http://127.0.0.1:9/v1}', 'http://${TOY_HOST}/v1']],
    expected: { marker: 'base_url:', at: 'upstream.base_url' },
  },
  {
    name: 'a missing environment variable without default in a header is a problem at that header',
    edits: [['Bearer ${TOY_KEY:-}', 'Bearer ${TOY_KEY}']],
    expected: { marker: 'authorization: Bearer', at: 'upstream.headers.authorization' },
  },
  {
    name: 'a base_url that is not http(s) is a problem at base_url',
    edits: [],
    env: { TOY_BASE_URL: 'ftp://127.0.0.1/v1' },
    expected: { marker: 'base_url:', at: 'upstream.base_url' },
  },
];

async function loadBroken(edits: DefectCase['edits'], env: NodeJS.ProcessEnv = {}) {
  copy = await copyToyPair();
  for (const [from, to] of edits) await copy.edit('pair.yaml', from, to);
  const result = await copy.load(env);
  return { ...result, text: await copy.read('pair.yaml'), file: copy.file('pair.yaml') };
}

const located = (p: SpecProblem) => ({ file: p.file, line: p.line, at: p.at });

describe('compile-pair: a defect is a problem at the file and line to fix', () => {
  it.each(defects)('$name', async ({ edits, env, expected }) => {
    const { set, problems, text, file } = await loadBroken(edits, env);
    expect(set).toBeUndefined();
    expect(problems.map(located)).toContainEqual({ file, line: lineOf(text, expected.marker, expected.nth), at: expected.at });
  });

  it('a broken function is reported at its body even though rules calling it break too', async () => {
    const { problems, file } = await loadBroken([[`$uppercase($text) & "!" }'`, `$uppercase($text) & }'`]]);
    expect(problems.filter((p) => p.file === file && p.at === 'functions.shout.body')).toHaveLength(1);
  });

  it('examples are not run on a spec that already has problems (no noise from a broken spec)', async () => {
    const { problems } = await loadBroken([
      [FIELD_MAX, "{ target: max, from: 'limit +' }"],
      ['max: 5, labels', 'max: 6, labels'],
    ]);
    expect(problems.map((p) => p.at)).toEqual(['request.fields[1].from']);
  });

  it('every problem of a pair is reported at once, each at its own line', async () => {
    const { problems, text, file } = await loadBroken([
      [`pair: ${TOY_PAIR}`, 'pair: toy-chat-to-toy-other'],
      [FIELD_MAX, '{ target: __proto__.max, from: limit }'],
      ['    - id: tags-to-labels', '    - id: prompt-to-input'],
    ]);
    expect(problems.map(located)).toEqual(
      expect.arrayContaining([
        { file, line: lineOf(text, 'pair: toy-chat-to-toy-other'), at: 'pair' },
        { file, line: lineOf(text, '__proto__.max'), at: 'request.fields[1].target' },
        { file, line: lineOf(text, 'id: prompt-to-input', 2), at: 'request.rules[1].id' },
      ]),
    );
  });

  it('a rule example that $fails is a problem at that example, not a crash of the load', async () => {
    const { set, problems, text, file } = await loadBroken([['{ in: { prompt: "hey" }, out: "HEY!" }', '{ in: { prompt: 3 }, out: "3!" }']]);
    expect(set).toBeUndefined();
    expect(problems.map(located)).toContainEqual({ file, line: lineOf(text, 'prompt: 3'), at: 'request.rules[0].examples[0]' });
  });

  it('a problem in a second file of the pair names that file and its line', async () => {
    copy = await copyToyPair();
    const extra = ['functions:', '  whisper:', '    describe: Lower-cases a text.', "    body: 'function($t) { $lowercase($t }'", ''].join('\n');
    await copy.write('whisper.yaml', extra);
    const { set, problems } = await copy.load();
    expect(set).toBeUndefined();
    expect(problems.map(located)).toContainEqual({ file: copy.file('whisper.yaml'), line: lineOf(extra, 'body:'), at: 'functions.whisper.body' });
  });

  it('a failing example in examples/*.yaml names that file and line', async () => {
    copy = await copyToyPair();
    const extra = [
      'examples:',
      '  - id: echo-model',
      '    describe: An echo model passes its name through.',
      '    request: { model: echo-7, prompt: "yo" }',
      '    upstream_request: { engine: echo-8, input: "YO!" }',
      '',
    ].join('\n');
    await mkdir(copy.file('examples'), { recursive: true });
    await copy.write('examples/echo.yaml', extra);
    const { set, problems } = await copy.load();
    expect(set).toBeUndefined();
    const inEcho = problems.filter((p) => p.file === copy!.file('examples/echo.yaml'));
    expect(inEcho.map((p) => p.line)).toEqual([lineOf(extra, 'upstream_request:')]);
    // Examples are numbered across files: those of the folder's own files come first.
    expect(inEcho[0].at).toMatch(/^examples\[[1-9]\d*\]\.upstream_request$/);
  });
});

describe('compile-pair: function names', () => {
  // Fixed bug, kept as a guard — it was: a pair function is inlined as `$name := function…`, so a function named after a JSONata
  // built-in or an engine helper (count, join, string, table, fail, mapModel …) silently replaces
  // it in every expression of the pair — including its own body: `count: function($xs) {
  // $count($xs) }` calls itself forever and every use ends in D1012 after the time limit.
  // Expected: such a name is a load problem at the function.
  it.each(['count', 'string', 'table', 'fail'])('a function named %s (taken by JSONata or the engine) is a problem at that function', async (name) => {
    copy = await copyToyPair();
    const text = ['functions:', `  ${name}:`, '    describe: Shadows a function every expression relies on.', `    body: 'function($x) { $x }'`, ''].join('\n');
    await copy.write('shadow.yaml', text);
    const { set, problems } = await copy.load();
    expect(set).toBeUndefined();
    expect(problems.map((p) => p.at)).toContainEqual(expect.stringContaining(`functions.${name}`));
  });
});

describe('compile-pair: schema problems at the top of the spec', () => {
  it('an unknown top-level key is a schema problem naming the key', async () => {
    const { set, problems } = await loadBroken([['ignored:\n', 'colour: blue\nignored:\n']]);
    expect(set).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('"colour"')]);
  });

  // Fixed bug, kept as a guard — it was: AJV reports an unknown or missing top-level key at instance path "" (the root), and
  // PairSource.locate([]) returns undefined, so the problem has no file and no line at all —
  // `rosetta check` prints it without saying which pair folder (let alone which file) is wrong.
  it('an unknown top-level key is a problem at the line of that key in pair.yaml', async () => {
    const { problems, text, file } = await loadBroken([['ignored:\n', 'colour: blue\nignored:\n']]);
    expect(problems).toEqual([expect.objectContaining({ file, line: lineOf(text, 'colour: blue') })]);
  });

  it('a missing pair: key is a problem naming pair.yaml', async () => {
    const { set, problems, file } = await loadBroken([[`pair: ${TOY_PAIR}\n`, '']]);
    expect(set).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file })]);
  });

  // Fixed bug, kept as a guard — it was: a top-level `__proto__:` key becomes the prototype of the merged spec
  // (read-pair-folder.ts `spec[key] = value`), so the spec schema never sees it and its entries
  // satisfy `required` by inheritance: this spec has no own `description` yet loads and is served.
  it('a top-level __proto__ key is refused, not used to supply other keys', async () => {
    const { set, problems } = await loadBroken([['description: A toy pair for the engine\'s own tests.', '__proto__: { description: "Hidden." }']]);
    expect(set).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
  });
});

describe('compile-pair: the good toy pair', () => {
  it('loads with no problem and every part of its examples passing', async () => {
    copy = await copyToyPair();
    const { set, problems } = await copy.load();
    expect(problems).toEqual([]);
    expect(set!.pairs.map((p) => p.name)).toEqual([TOY_PAIR]);
    const [pair] = set!.pairs;
    expect(pair.examples.length).toBeGreaterThan(0);
    for (const example of pair.examples) {
      expect(example.failures, example.id).toEqual([]);
      expect(example.parts.every((p) => p.ok), example.id).toBe(true);
    }
    expect(pair.examples.find((e) => e.id === 'small-model')?.parts.map((p) => p.part)).toEqual(['upstream_request', 'response', 'error']);
  });

  it('compiles plain property paths as path rules and everything else to JavaScript', async () => {
    copy = await copyToyPair();
    const { set } = await copy.load();
    const modes = Object.fromEntries(set!.pairs[0].rules.map((r) => [r.source, r.mode]));
    expect(modes).toMatchObject({ limit: 'path', 'output.text': 'path', message: 'path', '$shout(prompt)': 'compiled', '$request.model': 'compiled' });
  });

  it('an added example with all parts passing keeps the pair served', async () => {
    copy = await copyToyPair();
    await copy.edit(
      'pair.yaml',
      '\nexamples:\n',
      [
        '',
        'examples:',
        '  - id: echo-model',
        '    describe: An echo model passes its name through; no tags, no limit.',
        '    request: { model: echo-7, prompt: "yo" }',
        '    upstream_request: { engine: echo-7, input: "YO!" }',
        '',
      ].join('\n'),
    );
    const { set, problems } = await copy.load();
    expect(problems).toEqual([]);
    const results = set!.pairs[0].examples;
    expect(results.map((e) => e.id)).toContain('echo-model');
    expect(results.flatMap((e) => e.failures)).toEqual([]);
  });
});
