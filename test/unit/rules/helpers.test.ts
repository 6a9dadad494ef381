/**
 * engine/rules/helpers.ts: the generic helpers every expression may call ($mapModel, $table,
 * $fail, $parseJson, $hash) and the one it may not ($eval). Each is exercised through a compiled
 * rule, the way a spec uses it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CATEGORY_STATUS, GatewayError, type ErrorCategory } from '../../../engine/errors/gateway-error.js';
import { createHelpers, globToRegExp, type HelperContext } from '../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { RuleEvaluationError } from '../../../engine/rules/rule.js';
import { createMappingBlock } from '../../../engine/translate/mapping-block.js';

const MODELS: Array<[string, string]> = [
  ['small-*', 'tiny'],
  ['echo-*', '='],
  ['gpt-4.1*', 'four-one'],
  ['v?', 'single-char'],
  ['*-preview', 'preview'],
  ['exact', 'exactly'],
  ['*', 'fallback-model'],
];

const context: HelperContext = {
  models: MODELS.map(([glob, target]) => ({ pattern: globToRegExp(glob), target })),
  tables: {
    stop_reason: { completed: 'end_turn', max_output_tokens: 'max_tokens', _default: 'end_turn' },
    no_default: { a: 'b' },
  },
};

function env(functions: Record<string, string> = {}, ctx: HelperContext = context): RuleEnvironment {
  return { helpers: createHelpers(ctx), functions: new Map(Object.entries(functions)), config: { answer: 42 } };
}

async function evaluate(source: string, input: unknown = {}, e: RuleEnvironment = env()): Promise<unknown> {
  return compileRule('r', source, e).evaluate(input, { request: input });
}

async function failureOf(source: string, input: unknown = {}, e: RuleEnvironment = env()): Promise<unknown> {
  try {
    await evaluate(source, input, e);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('$eval is disabled', () => {
  it.each([
    { name: 'a direct call', source: '$eval("1 + 1")' },
    { name: 'a call with a context', source: '$eval("a", {"a": 1})' },
    { name: 'a call through a variable', source: '($e := $eval; $e("1 + 1"))' },
    { name: 'a call inside a lambda', source: '(function($x) { $eval($x) })("2 * 3")' },
    { name: 'a call passed to $map', source: '$map(["1"], $eval)' },
  ])('$name fails instead of evaluating', async ({ source }) => {
    const err = await failureOf(source);
    expect(err).toBeInstanceOf(RuleEvaluationError);
    expect(err).not.toBeInstanceOf(GatewayError);
  });

  it('a call from a pair function fails too', async () => {
    expect(await failureOf('$run("1 + 1")', {}, env({ run: 'function($s) { $eval($s) }' }))).toBeInstanceOf(RuleEvaluationError);
  });
});

describe('$fail stops the mapping with a gateway error of the category asked for', () => {
  const categories = Object.keys(CATEGORY_STATUS) as ErrorCategory[];

  it.each(categories)('category %s', async (category) => {
    const err = await failureOf(`$fail("${category}", "stopped")`);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'GW_ERR_MAPPING_FAILED', category, status: CATEGORY_STATUS[category] });
  });

  it.each([
    { name: 'from a conditional, the way a model check uses it', source: '$mapModel(model) ? $mapModel(model) : $fail("not_found", "model: " & model)', input: { model: 'nope' } },
    { name: 'from inside a pair function', source: '$check(model)', input: { model: 'x' }, functions: { check: 'function($m) { $fail("not_found", "no " & $m) }' } },
    { name: 'from inside a $map callback', source: '$map(items, function($i) { $fail("not_found", "item") })', input: { items: [1, 2] } },
    { name: 'from inside a predicate', source: 'items[$fail("not_found", "in a filter")]', input: { items: [1] } },
  ])('not_found surfaces with status 404 $name', async ({ source, input, functions }) => {
    const noFallback: HelperContext = { ...context, models: context.models.slice(0, -1) };
    const err = await failureOf(source, input, env(functions, noFallback));
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'GW_ERR_MAPPING_FAILED', category: 'not_found', status: 404 });
  });

  it('surfaces unchanged through a mapping block', async () => {
    const block = createMappingBlock([{ id: 'model', target: 'model', rule: compileRule('model', '$fail("not_found", "no such model")', env()) }]);
    await expect(block.apply({}, {})).rejects.toMatchObject({ name: 'GatewayError', code: 'GW_ERR_MAPPING_FAILED', category: 'not_found', status: 404 });
  });

  it('an unknown category is a rule failure, not a gateway error the client would see', async () => {
    const err = await failureOf('$fail("teapot", "short and stout")');
    expect(err).toBeInstanceOf(RuleEvaluationError);
  });
});

describe('$mapModel: first matching glob wins, "=" passes the name through', () => {
  it.each([
    { model: 'small-1', expected: 'tiny' },
    { model: 'small-', expected: 'tiny' },
    { model: 'echo-7', expected: 'echo-7' },
    { model: 'echo-small-1', expected: 'echo-small-1' },
    { model: 'gpt-4.1-mini', expected: 'four-one' },
    { model: 'gpt-4x1-mini', expected: 'fallback-model' }, // "." in a glob is a literal dot
    { model: 'v1', expected: 'single-char' },
    { model: 'v12', expected: 'fallback-model' }, // "?" is exactly one character
    { model: 'x-preview', expected: 'preview' },
    { model: 'exact', expected: 'exactly' },
    { model: 'exactly', expected: 'fallback-model' }, // globs match the whole name
    { model: 'prefix-small-1', expected: 'fallback-model' },
  ])('$model → $expected', async ({ model, expected }) => {
    expect(await evaluate('$mapModel(model)', { model })).toBe(expected);
  });

  const withoutFallback: HelperContext = { ...context, models: context.models.slice(0, -1) };
  it.each([
    { name: 'a name no glob matches', input: { model: 'unknown' } },
    { name: 'a missing model', input: {} },
  ])('$name gives nothing', async ({ input }) => {
    expect(await evaluate('$mapModel(model)', input, env({}, withoutFallback))).toBeUndefined();
  });

  // The helper keeps its last answer (the request rules ask for the same name again and again).
  it('names asked in turn each get their own answer', async () => {
    expect(await evaluate('[$mapModel("small-1"), $mapModel("echo-7"), $mapModel("small-1"), $mapModel(missing), $mapModel("echo-7")]', {})).toEqual([
      'tiny', 'echo-7', 'tiny', 'echo-7',
    ]);
  });

  it('regular-expression characters in a glob are literal', async () => {
    const ctx: HelperContext = { models: [{ pattern: globToRegExp('a+b(c)[d]^$|'), target: 'literal' }], tables: {} };
    expect(await evaluate('$mapModel("a+b(c)[d]^$|")', {}, env({}, ctx))).toBe('literal');
    expect(await evaluate('$mapModel("aab(c)[d]^$|")', {}, env({}, ctx))).toBeUndefined();
  });
});

describe('$table: the entry for a key, else the table default', () => {
  it.each([
    { name: 'a key in the table', source: '$table("stop_reason", "completed")', expected: 'end_turn' },
    { name: 'another key in the table', source: '$table("stop_reason", "max_output_tokens")', expected: 'max_tokens' },
    { name: 'a key not in the table', source: '$table("stop_reason", "cancelled")', expected: 'end_turn' },
    { name: 'a missing key (nothing)', source: '$table("stop_reason", missing)', expected: 'end_turn' },
    { name: 'a number key', source: '$table("stop_reason", 3)', expected: 'end_turn' },
    { name: 'the key _default itself', source: '$table("stop_reason", "_default")', expected: 'end_turn' },
    { name: 'a name the Object prototype has', source: '$table("stop_reason", "constructor")', expected: 'end_turn' },
    { name: '__proto__', source: '$table("stop_reason", "__proto__")', expected: 'end_turn' },
  ])('$name', async ({ source, expected }) => {
    expect(await evaluate(source)).toBe(expected);
  });

  it('an unknown table is a rule failure', async () => {
    expect(await failureOf('$table("nope", "x")')).toBeInstanceOf(RuleEvaluationError);
  });
});

describe('$parseJson', () => {
  it.each([
    { text: '{"a":[1,2]}', expected: { a: [1, 2] } },
    { text: '"s"', expected: 's' },
    { text: '3', expected: 3 },
    { text: 'null', expected: null },
  ])('parses $text', async ({ text, expected }) => {
    expect(await evaluate('$parseJson(text)', { text })).toEqual(expected);
  });

  it.each([
    { name: 'truncated JSON', text: '{"a":' },
    { name: 'not JSON at all', text: 'hello' },
    { name: 'the empty string', text: '' },
    { name: 'JSON with a trailing comma', text: '[1,]' },
  ])('$name gives nothing', async ({ text }) => {
    expect(await evaluate('$parseJson(text)', { text })).toBeUndefined();
  });

  it('a missing text gives nothing', async () => {
    expect(await evaluate('$parseJson(text)', {})).toBeUndefined();
  });
});

describe('$hash is deterministic', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('is the first 8 hex characters of SHA-256 by default', async () => {
    expect(await evaluate('$hash("abc")')).toBe(sha('abc').slice(0, 8));
  });

  it('gives the same value on every evaluation and from every compiled rule', async () => {
    const values = await Promise.all([evaluate('$hash(t)', { t: 'hello' }), evaluate('$hash(t)', { t: 'hello' }), evaluate('$hash("hello")')]);
    expect(new Set(values).size).toBe(1);
  });

  it.each([1, 16, 64])('takes a length of %i', async (length) => {
    expect(await evaluate(`$hash("abc", ${length})`)).toBe(sha('abc').slice(0, length));
  });

  it('differs for different texts', async () => {
    expect(await evaluate('$hash("a")')).not.toBe(await evaluate('$hash("b")'));
  });

  it('a missing text gives nothing', async () => {
    expect(await evaluate('$hash(t)', {})).toBeUndefined();
  });
});

describe('$config', () => {
  it('is the pair config, bound at compile time', async () => {
    expect(await evaluate('$config.answer')).toBe(42);
  });
});
