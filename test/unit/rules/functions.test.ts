/**
 * engine/rules/jsonata-rule.ts: the pair's `functions:` are inlined into every expression that
 * uses them — directly or through another function — so each evaluation creates its own lambdas
 * under its own time and depth guard.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { createHelpers } from '../../../engine/rules/helpers.js';
import { compileRule, functionsUsedBy, RuleSyntaxError, type RuleEnvironment } from '../../../engine/rules/jsonata-rule.js';
import { normalise } from '../../../engine/translate/mapping-block.js';

const FUNCTIONS = new Map(
  Object.entries({
    shout: 'function($t) { $upper($t) & "!" }',
    upper: 'function($t) { $uppercase($t) }',
    greet: 'function($name) { "hello " & $shout($name) }',
    isEven: 'function($n) { $n = 0 ? true : $isOdd($n - 1) }',
    isOdd: 'function($n) { $n = 0 ? false : $isEven($n - 1) }',
    fact: 'function($n) { $n <= 1 ? 1 : $n * $fact($n - 1) }',
    unused: 'function() { $undefinedHelper() }',
  }),
);

function envWith(functions: ReadonlyMap<string, string> = FUNCTIONS, limits?: RuleEnvironment['limits']): RuleEnvironment {
  return { helpers: createHelpers({ models: [], tables: {} }), functions, config: {}, limits };
}

describe('functions used by an expression, followed through calls between functions', () => {
  it.each([
    { name: 'an expression calling no function needs none', source: 'prompt', used: [] },
    { name: 'a direct call needs that function', source: '$upper(prompt)', used: ['upper'] },
    { name: 'a function calling another needs both', source: '$shout(prompt)', used: ['shout', 'upper'] },
    { name: 'a chain of three needs all three', source: '$greet(name)', used: ['greet', 'shout', 'upper'] },
    { name: 'mutual recursion needs both, once each', source: '$isEven(4)', used: ['isEven', 'isOdd'] },
    { name: 'self recursion needs the function once', source: '$fact(3)', used: ['fact'] },
    { name: 'a built-in of the same spelling is not a pair function', source: '$uppercase(x)', used: [] },
    { name: 'a longer name is not taken for its prefix', source: '$shoutLoud(x)', used: [] },
  ])('$name', ({ source, used }) => {
    expect(functionsUsedBy(source, FUNCTIONS)).toEqual(used);
  });
});

describe('inlined functions evaluate', () => {
  const env = envWith();
  it.each([
    { name: 'a function calling another', source: '$shout(prompt)', input: { prompt: 'hi' }, expected: 'HI!' },
    { name: 'a function calling a function calling another', source: '$greet(name)', input: { name: 'ann' }, expected: 'hello ANN!' },
    { name: 'mutually recursive functions, whatever their order of definition', source: '[$isEven(4), $isOdd(4), $isEven(7)]', input: {}, expected: [true, false, false] },
    { name: 'a self-recursive function', source: '$fact(5)', input: {}, expected: 120 },
    { name: 'a function used twice in one expression', source: '$shout(a) & $shout(b)', input: { a: 'x', b: 'y' }, expected: 'X!Y!' },
    { name: 'a function passed as a value to a built-in', source: '$map(words, $shout)', input: { words: ['a', 'b'] }, expected: ['A!', 'B!'] },
  ])('$name', async ({ source, input, expected }) => {
    // Both engines inline the functions the same way; the default one compiles them to JavaScript.
    const rule = compileRule('r', source, env);
    expect(rule.mode).toBe('compiled');
    expect(normalise(await rule.evaluate(input, {}))).toEqual(expected);
    const interpreted = compileRule('r', source, { ...env, engine: 'interpreted' });
    expect(interpreted.mode).toBe('jsonata');
    expect(normalise(await interpreted.evaluate(input, {}))).toEqual(expected);
  });

  it('a function that is never used does not have to compile against anything', async () => {
    // `unused` calls a helper that does not exist; an expression that does not use it still works.
    expect(await compileRule('r', '$upper(x)', env).evaluate({ x: 'ok' }, {})).toBe('OK');
  });

  it('the rule keeps its own source, without the inlined prefix', () => {
    expect(compileRule('r', '$shout(prompt)', env).source).toBe('$shout(prompt)');
  });

  /** The code and position of the syntax error of `source`, compiled by the engine or by JSONata alone. */
  function syntaxErrorOf(compile: () => unknown): { code?: string; position?: number } {
    try {
      compile();
    } catch (err) {
      const e = err as { code?: string; position?: number };
      return { code: e.code, position: e.position };
    }
    throw new Error('expected a syntax error');
  }

  it.each(['a +', 'a ]', 'a.(b'])('a syntax error in %j (no function) is the one JSONata gives for the rule as written', (source) => {
    expect(syntaxErrorOf(() => compileRule('r', source, env))).toEqual(syntaxErrorOf(() => jsonata(source)));
  });

  it('a syntax error is a RuleSyntaxError', () => {
    expect(() => compileRule('r', '$shout(', env)).toThrow(RuleSyntaxError);
  });

  // Fixed bug, kept as a guard — it was: with a function inlined, the rule is wrapped as `(\n$f := …;\n<rule>\n)`, and an
  // unfinished rule swallows the wrapper's closing ")": `$shout(prompt) +` is reported as S0211
  // 'The symbol ")" cannot be used as a unary operator' at character 18 of a 16-character rule,
  // where JSONata says S0207 "Unexpected end of expression" at 16. Expected: the error of the rule
  // as written, at a position inside it.
  it.each(['$shout(prompt) +', '$shout(a) & (b', '$upper(prompt) ]'])('a syntax error in %j (which calls a function) is the one JSONata gives for the rule as written', (source) => {
    expect(syntaxErrorOf(() => compileRule('r', source, env))).toEqual(syntaxErrorOf(() => jsonata(source)));
  });

  it('each evaluation has a fresh time guard: a later evaluation is not timed from an earlier one', async () => {
    const rule = compileRule('r', '$shout(prompt)', envWith(FUNCTIONS, { timeoutMs: 50, maxDepth: 5000 }));
    expect(await rule.evaluate({ prompt: 'a' }, {})).toBe('A!');
    await sleep(120); // longer than the time limit
    expect(await rule.evaluate({ prompt: 'b' }, {})).toBe('B!');
  });
});
