/**
 * engine/rules/jsonata-rule.ts with the compiler (issue #8): which rules compile and why the others
 * do not, how a compiled rule answers (synchronously, plain JSON, failures as rejected promises with
 * the rule id and JSONata's codes), its guard rails (call depth, time limit), and what it never does
 * (mutate its input, run mapping text as code, evaluate $eval).
 */
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../engine/errors/gateway-error.js';
import { compileExpression } from '../../../../engine/rules/compiler/compile-expression.js';
import { createHelpers } from '../../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../../engine/rules/jsonata-rule.js';
import { RuleEvaluationError, type Rule } from '../../../../engine/rules/rule.js';
import { normalise } from '../../../../engine/translate/mapping-block.js';
import { extraKeys } from '../../../differential/both-engines.js';

const helpers = createHelpers({ models: [], tables: { kind: { a: 'A', _default: 'Z' } } });
const env = (extra: Partial<RuleEnvironment> = {}): RuleEnvironment => ({ helpers, functions: new Map(), config: {}, ...extra });

async function failure(rule: Rule, input: unknown = {}): Promise<unknown> {
  const value = rule.evaluate(input, {});
  expect(value).toBeInstanceOf(Promise); // a failure comes as a rejected promise, never a throw
  return (value as Promise<unknown>).then(() => undefined, (e: unknown) => e);
}

describe('which rules compile', () => {
  it('a rule JSONata can express in the supported subset compiles', () => {
    const rule = compileRule('r', '$join(items[type = "text"].text, "")', env());
    expect(rule.mode).toBe('compiled');
    expect(rule.fallbackReason).toBeUndefined();
    expect(rule).toMatchObject({ sync: true, plain: true });
  });

  it('a plain property path stays a path rule, with the compiled rule behind it', () => {
    const rule = compileRule('r', 'a.b', env());
    expect(rule.mode).toBe('path');
    expect(rule).toMatchObject({ sync: true, plain: true });
    expect(rule.evaluate({ a: [{ b: 1 }, { b: 2 }] }, {})).toEqual([1, 2]); // the array case, compiled
  });

  it.each([
    ['order-by', 'items^(n)', 'order-by'],
    ['a transform', 'a ~> |$|{"x": 1}|', 'transform'],
    ['a positional variable', 'items#$i.{"i": $i}', 'positional'],
    ['a focus variable', 'items@$x.text', 'positional or focus'],
    ['the parent operator', 'items.%.x', 'parent'],
    ['group-by on a path', 'items{type: text}', 'group-by'],
    ['partial application', '$substring(?, 1)', 'partial application'],
    ['a lambda signature', '(function($x)<n:n>{ $x })(1)', 'signature'],
    ['$formatNumber', '$formatNumber(1, "#")', '$formatNumber'],
    ['$now', '$now()', '$now'],
  ])('%s is interpreted, with the reason recorded', (_name, source, reason) => {
    const rule = compileRule('r', source, env());
    expect(rule.mode).toBe('jsonata');
    expect(rule.fallbackReason).toMatch(/^unsupported: /);
    expect(rule.fallbackReason).toContain(reason);
  });

  it('RULE_ENGINE=interpreted interprets every rule', () => {
    const rule = compileRule('r', '$count(items)', env({ engine: 'interpreted' }));
    expect(rule).toMatchObject({ mode: 'jsonata', fallbackReason: 'RULE_ENGINE=interpreted' });
  });

  it('the engine comes from RULE_ENGINE when the environment does not say', () => {
    const previous = process.env.RULE_ENGINE;
    try {
      process.env.RULE_ENGINE = 'interpreted';
      expect(compileRule('r', '1 + 1', env()).mode).toBe('jsonata');
      process.env.RULE_ENGINE = 'compiled';
      expect(compileRule('r', '1 + 1', env()).mode).toBe('compiled');
      process.env.RULE_ENGINE = 'fast';
      expect(() => compileRule('r', '1 + 1', env())).toThrow(/RULE_ENGINE must be one of compiled, interpreted/);
    } finally {
      if (previous === undefined) delete process.env.RULE_ENGINE;
      else process.env.RULE_ENGINE = previous;
    }
  });

  it("pair functions compile with the rule that uses them, and one the rule does not use is never compiled", () => {
    const functions = new Map([
      ['used', 'function($x) { $x * 2 }'],
      ['unused', 'function($x) { $x^(y) }'], // order-by: would make a rule using it interpreted
    ]);
    const rule = compileRule('r', '$used(3)', env({ functions }));
    expect(rule.mode).toBe('compiled');
    expect(rule.evaluate({}, {})).toBe(6);
  });
});

describe('how a compiled rule answers', () => {
  it('synchronously, with plain JSON: no sequence flags, no functions — what normalising the interpreted value gives', async () => {
    const source = '{ "texts": items.text, "one": items[0].text[], "f": function() { 1 }, "list": [items.text, function() { 2 }] }';
    const input = { items: [{ text: 'a' }, { text: 'b' }] };
    const value = compileRule('r', source, env()).evaluate(input, {});
    expect(value).not.toBeInstanceOf(Promise);
    expect(extraKeys(value)).toBeUndefined();
    // normalise() leaves a member where a function was in an array: so does the compiled rule.
    expect(value).toStrictEqual(normalise(await compileRule('r', source, env({ engine: 'interpreted' })).evaluate(input, {})));
    expect(value).toEqual({ texts: ['a', 'b'], one: ['a'], list: ['a', 'b', undefined] });
  });

  it('a function as the whole value is nothing', () => {
    expect(compileRule('r', 'function() { 1 }', env()).evaluate({}, {})).toBeUndefined();
  });

  it('a failure carries the rule id and the JSONata code', async () => {
    const err = await failure(compileRule('request.rules[x]', 'a + 1', env()), { a: 'text' });
    expect(err).toBeInstanceOf(RuleEvaluationError);
    expect(err).toMatchObject({ ruleId: 'request.rules[x]', jsonataCode: 'T2001' });
  });

  it('$fail raises the same gateway error as in the interpreter', async () => {
    const err = await failure(compileRule('r', '$fail("not_found", "no model " & m)', env()), { m: 'x' });
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'GW_ERR_MAPPING_FAILED', category: 'not_found', status: 404, message: 'no model x' });
  });

  it('$eval is not available', async () => {
    const err = await failure(compileRule('r', '$eval("1 + 1")', env()));
    expect(err).toBeInstanceOf(RuleEvaluationError);
    expect((err as Error).message).toContain('$eval is disabled');
  });

  it('an input whose corner the compiled code leaves to JSONata is interpreted, for that input only', async () => {
    // $replace of a string pattern by a function: JSONata pastes the function's source text.
    const source = '$replace(s, "a", function($m) { "x" })';
    const rule = compileRule('r', source, env());
    expect(rule.mode).toBe('compiled');
    const value = rule.evaluate({ s: 'banana' }, {});
    expect(value).toBeInstanceOf(Promise);
    expect(await value).toEqual(normalise(await compileRule('r', source, env({ engine: 'interpreted' })).evaluate({ s: 'banana' }, {})));
  });
});

describe('guard rails', () => {
  const recursion = '($deep := function($n) { $n = 0 ? 0 : 1 + $deep($n - 1) }; $deep(n))';

  it('recursion deeper than the limit fails with D1011, and the rule works again afterwards', async () => {
    const rule = compileRule('request.rules[deep]', recursion, env({ limits: { timeoutMs: 5000, maxDepth: 300 } }));
    expect(await failure(rule, { n: 1000 })).toMatchObject({ ruleId: 'request.rules[deep]', jsonataCode: 'D1011' });
    expect(rule.evaluate({ n: 30 }, {})).toBe(30);
  });

  it('recursion that overflows the native stack fails with D1011 too', async () => {
    const rule = compileRule('r', recursion, env({ limits: { timeoutMs: 10_000, maxDepth: 0 } }));
    expect(await failure(rule, { n: 1_000_000 })).toMatchObject({ jsonataCode: 'D1011' });
  });

  it('deep tail recursion runs in constant stack', () => {
    const rule = compileRule('r', '($loop := function($n, $acc) { $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; $loop(200000, 0))', env());
    expect(rule.evaluate({}, {})).toBe(200000);
  });

  it('an endless loop stops with D1012 after the time limit', async () => {
    const rule = compileRule('r', '($loop := function($n) { $loop($n + 1) }; $loop(0))', env({ limits: { timeoutMs: 100, maxDepth: 5000 } }));
    const started = Date.now();
    expect(await failure(rule)).toMatchObject({ jsonataCode: 'D1012' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('what a compiled rule never does', () => {
  function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === 'object') {
      for (const child of Object.values(value)) deepFreeze(child);
      Object.freeze(value);
    }
    return value;
  }

  it.each(['one[]', 'messages[]', 'metadata.tags[]', 'messages.content[type = "text"][]', '$merge([metadata, {"x": 1}])', '$sort(nums)', '$append(nums, 4)', '[$, $$][0].one[]'])(
    'mutate its input: %s on a frozen input',
    (source) => {
      const input = { one: [{ type: 'text' }], messages: [{ content: [{ type: 'text', text: 'a' }] }], metadata: { tags: ['a'] }, nums: [3, 1, 2] };
      const frozen = deepFreeze(structuredClone(input));
      const rule = compileRule('r', source, env());
      expect(rule.mode).toBe('compiled');
      expect(rule.evaluate(frozen, { request: frozen })).not.toBeInstanceOf(Promise);
      expect(frozen).toEqual(input);
    },
  );

  it('the source, generated again each time it is read, is the same text every time and after evaluations', () => {
    const text = '( $f := function($x) { $x.a ? $string($x.a) : $uppercase($x.b) }; { "m": items.$f($), "n": $count(items[a > 1]) } )';
    const compiled = compileExpression(jsonata(text).ast() as never, { helpers, config: {}, maxDepth: 5000, timeoutMs: 1000 });
    const first = compiled.source;
    expect(first).toContain('function rule(');
    expect(compiled.evaluate({ items: [{ a: 2 }, { b: 'x' }] }, undefined, undefined)).toEqual({ m: ['2', 'X'], n: 1 });
    expect(compiled.source).toBe(first);
  });

  it('run text from a mapping as code: strings, keys and names only ever appear as string literals', async () => {
    const evil = '"); globalThis.pwned = true; ("';
    const source = `{ ${JSON.stringify(evil)}: ${JSON.stringify(evil)}, "k": \`${evil.replace(/`/g, '')}\`, "r": $replace("a", /a/, ${JSON.stringify('$0' + evil)}) }`;
    const compiled = compileExpression(jsonata(source).ast() as never, { helpers, config: {}, maxDepth: 5000, timeoutMs: 1000 });
    expect(compiled.source).not.toContain('globalThis.pwned = true; ("');
    const value = compiled.evaluate({ [evil.replace(/`/g, '')]: 'field' }, undefined, undefined);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
    expect(value).toEqual(normalise(await jsonata(source).evaluate({ [evil.replace(/`/g, '')]: 'field' })));
  });
});
