/**
 * engine/rules/compiler: a table of JSONata's corners, each expression run through compileRule
 * twice — compiled and interpreted — and the answers compared. The interpreter is the oracle: no
 * expected value is written by hand. Every expression here must compile (mode "compiled"); equal
 * values, or both fail with the same JSONata code.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../engine/errors/gateway-error.js';
import { createHelpers } from '../../../../engine/rules/helpers.js';
import { compileRule, type RuleEnvironment } from '../../../../engine/rules/jsonata-rule.js';
import { RuleEvaluationError, type Rule } from '../../../../engine/rules/rule.js';
import { normalise } from '../../../../engine/translate/mapping-block.js';
import { sameJsonValue, show } from '../../../differential/both-engines.js';

const helpers = createHelpers({ models: [{ pattern: /^claude-.*$/, target: 'gpt-5' }], tables: { t: { a: 'A', _default: 'Z' } } });
const FUNCTIONS = new Map([
  ['double', 'function($x) { $x * 2 }'],
  ['textOf', 'function($blocks) { $join($blocks[type = "text"].text, "") }'],
  ['contextOf', 'function() { [$.s, $$.s, $request.s] }'],
  ['countdown', 'function($n) { $n <= 0 ? [] : $append([$n], $countdown($n - 1)) }'],
  ['usesLater', 'function() { $later }'],
]);
const env = (engine: 'compiled' | 'interpreted'): RuleEnvironment => ({ helpers, functions: FUNCTIONS, config: { limit: 3, tags: ['x'] }, engine });

interface Case {
  source: string;
  input?: unknown;
  request?: unknown;
  state?: unknown;
}

async function outcome(rule: Rule, c: Case): Promise<{ value?: unknown; error?: unknown }> {
  try {
    const value = await rule.evaluate(structuredClone(c.input), { request: structuredClone(c.request), state: structuredClone(c.state) });
    return { value: rule.plain ? value : normalise(value) };
  } catch (error) {
    return { error };
  }
}

function describeError(error: unknown): string {
  if (error instanceof GatewayError) return `GatewayError ${error.category}`;
  if (error instanceof RuleEvaluationError) return `RuleEvaluationError ${error.jsonataCode ?? '(no code)'}`;
  return String(error);
}

async function expectSame(c: Case): Promise<void> {
  const compiled = compileRule('r', c.source, env('compiled'));
  const interpreted = compileRule('r', c.source, env('interpreted'));
  expect(compiled.mode === 'compiled' || compiled.mode === 'path', `${c.source} falls back: ${compiled.fallbackReason}`).toBe(true);
  const [i, k] = [await outcome(interpreted, c), await outcome(compiled, c)];
  if (i.error !== undefined || k.error !== undefined) {
    expect(k.error === undefined ? `value ${show(k.value)}` : describeError(k.error)).toBe(i.error === undefined ? `value ${show(i.value)}` : describeError(i.error));
    return;
  }
  expect(sameJsonValue(k.value, i.value), `compiled ${show(k.value)} vs interpreted ${show(i.value)}`).toBe(true);
}

const table = (rows: Array<[string, Case]>) => rows.map(([name, c]) => ({ name, ...c }));

const NESTED = { a: [{ b: [1, 2] }, { b: [[3, 4]] }, { b: 5 }, { c: 6 }], one: [{ b: 1 }], n: null, s: 'text', e: [], o: {} };
const ITEMS = { items: [{ type: 'text', text: 'a', n: 2 }, { type: 'image', text: 'b', n: 1 }, { type: 'text', text: 'c', n: 3 }] };

describe('sequences and paths', () => {
  it.each(table([
    ['a path over an array of objects flattens one level', { source: 'a.b', input: NESTED }],
    ['arrays of arrays stay nested below the first level', { source: 'a.b[0]', input: NESTED }],
    ['a one-item result is the item (singleton unwrapping)', { source: 'one.b', input: NESTED }],
    ['[] keeps a one-item result an array', { source: 'one.b[]', input: NESTED }],
    ['[] on a plain key', { source: 'one[]', input: NESTED }],
    ['nothing along the way is nothing', { source: 'a.x.y', input: NESTED }],
    ['null is a value', { source: 'n', input: NESTED }],
    ['a path through null is nothing', { source: 'n.x', input: NESTED }],
    ['a path through a string is nothing', { source: 's.length', input: NESTED }],
    ['an empty array is kept', { source: 'e', input: NESTED }],
    ['a path over an empty array is nothing', { source: 'e.x', input: NESTED }],
    ['an array input maps the first step', { source: 'b', input: [{ b: 1 }, { b: 2 }] }],
    ['an array input with one item', { source: 'b', input: [{ b: 1 }] }],
    ['$ of an array input is the array', { source: '$', input: [1, 2] }],
    ['$[0] of an array input', { source: '$[0]', input: [1, 2] }],
    ['$$ is the root inside a step', { source: 'a.($$.s)', input: NESTED }],
    ['$ is the context inside a step', { source: 'items.($.text & "!")', input: ITEMS }],
    ['a variable then a path', { source: '($x := a; $x.b)', input: NESTED }],
    ['wildcard', { source: 'a[0].*', input: NESTED }],
    ['wildcard over an object of arrays', { source: '*', input: { x: [1, [2, 3]], y: 4 } }],
    ['descendants', { source: '**.b', input: NESTED }],
    ['a constructor as the last step keeps its arrays', { source: 'items.[type, text]', input: ITEMS }],
    ['a constructor as the first step', { source: '[items[0], items[1]].text', input: ITEMS }],
    ['an object constructor per item', { source: 'items.{ "t": text, "k": type }', input: ITEMS }],
    ['a stored sequence read back through a path', { source: '($o := { "ts": items.text }; $o.ts)', input: ITEMS }],
    ['a stored kept singleton read back', { source: '($o := { "ts": items[0].text[] }; [$o.ts, $o])', input: ITEMS }],
    ['the text of a string step is its characters', { source: '["abc"][0].($)', input: {} }],
    ['a name step after a filter, over objects, arrays, scalars and null', { source: 'a[$exists(b) or $exists(c)].b', input: NESTED }],
    ['a name step over objects, arrays and scalars', { source: '[$$.a, 7, null, "s", [[{ "b": 9 }]]].b', input: NESTED }],
    ['a step whose values are functions', { source: '$count(items.(function($x) { $x }))', input: ITEMS }],
    ['a last step of one array value per item, some nested', { source: 'a[0].b', input: NESTED }],
  ]))('$name: $source', expectSame);
});

describe('predicates', () => {
  it.each(table([
    ['a first item', { source: 'items[0].text', input: ITEMS }],
    ['a last item', { source: 'items[-1].text', input: ITEMS }],
    ['out of range', { source: 'items[5]', input: ITEMS }],
    ['a fractional index rounds down', { source: 'items[1.7].text', input: ITEMS }],
    ['a list of positions', { source: 'items[[0, 2]].text', input: ITEMS }],
    ['a position listed twice keeps its item twice', { source: 'items[[0, 0, 2]].text', input: ITEMS }],
    ['a filter keeping nothing, one item, every item', { source: '[items[n > 5], items[n = 1].text, items[n > 0].text]', input: ITEMS }],
    ['a range of positions', { source: 'items[[0..1]].text', input: ITEMS }],
    ['a filter', { source: 'items[type = "text"].text', input: ITEMS }],
    ['a filter then an index', { source: 'items[type = "text"][1].text', input: ITEMS }],
    ['an index on the step result of each item', { source: 'a.b[0]', input: NESTED }],
    ['a predicate on nothing', { source: 'missing[0]', input: ITEMS }],
    ['a filter on nothing', { source: 'missing[x = 1]', input: ITEMS }],
    ['a predicate on a single value', { source: 's[0]', input: NESTED }],
    ['positions around a single value', { source: '[o[-1], o[-2], o[1], o[0.5], o[-0.5], n[-1], missing[-1]]', input: NESTED }],
    ['positions around an array', { source: '[[items[-3].text, items[-4].text, items[2].text, items[3], items[-0], items[-1.5].text, items[1e300]]]', input: ITEMS }],
    ['a numeric expression as position', { source: 'items[$count($$.items) - 1].text', input: ITEMS }],
    ['a filter with $', { source: '[1, 5, 3][$ > 2]', input: {} }],
    ['an index on a variable', { source: '($v := [1, 2, 3]; $v[-1])', input: {} }],
    ['an index on an array item that is an array', { source: '[[1, 2], [3]][0]', input: {} }],
  ]))('$name: $source', expectSame);
});

describe('constructors', () => {
  it.each(table([
    ['undefined values are left out', { source: '{ "a": missing, "b": 1, "c": null }', input: {} }],
    ['computed keys', { source: '{ type: text }', input: ITEMS.items[0] }],
    ['grouping of an array input by key', { source: '{ type: text }', input: ITEMS.items }],
    ['two pairs giving one key fail (D1009)', { source: '{ "a": 1, "a": 2 }', input: {} }],
    ['a key that is not a string fails (T1003)', { source: '{ n: 1 }', input: { n: 5 } }],
    ['array-index keys come first', { source: '{ "b": 1, "1": 2, "a": 3, "0": 4 }', input: {} }],
    ['a "__proto__" key stays a key', { source: '{ "__proto__": { "x": 1 }, "y": 2 }', input: {} }],
    ['arrays in an array constructor are flattened one level', { source: '[items.text, [1, 2], missing, 3]', input: ITEMS }],
    ['nested array constructors stay nested', { source: '[[1], [[2]]]', input: {} }],
    ['single values first, then values that are flattened', { source: '[1, "x", { "a": 1 }, items.text, 2, [3], missing, { "b": items.n }]', input: ITEMS }],
    ['an empty array', { source: '[]', input: {} }],
    ['ranges', { source: '[1..3, 7, 5..4]', input: {} }],
    ['a range from expressions', { source: '[0..$count(items) - 1]', input: ITEMS }],
    ['a fractional range bound fails (T2003)', { source: '[1.5..3]', input: {} }],
  ]))('$name: $source', expectSame);
});

describe('operators', () => {
  it.each(table([
    ['& casts numbers, booleans, objects, arrays and null', { source: '1 & true & null & { "a": 1.5 } & [1, "b"] & missing & "!"', input: {} }],
    ['& on a float', { source: '0.1 + 0.2 & ""', input: {} }],
    ['& on a function', { source: '"f:" & function() { 1 }', input: {} }],
    ['strings compare', { source: '["a" < "b", "b" <= "a", "abc" > "abd"]', input: {} }],
    ['a string against a number fails (T2009)', { source: '"a" < 1', input: {} }],
    ['an object compared fails (T2010)', { source: '{} < 1', input: {} }],
    ['a comparison with nothing is nothing', { source: 'missing < 1', input: {} }],
    ['arithmetic on a string fails (T2001)', { source: 's + 1', input: { s: 'a' } }],
    ['arithmetic with a string on the right fails (T2002)', { source: '1 - s', input: { s: 'a' } }],
    ['arithmetic with nothing is nothing', { source: 'missing * 2', input: {} }],
    ['negation of a string fails (D1002)', { source: '-s', input: { s: 'a' } }],
    ['division by zero', { source: '{ "x": 1 / 0 = 1 / 0, "m": -7 % 3 }', input: {} }],
    ['deep equality', { source: '[1 = 1.0, [1, [2]] = [1, [2]], { "a": 1 } = { "a": 1 }, "1" = 1, null = null, missing = missing, missing != 1]', input: {} }],
    ['in', { source: '["b" in ["a", "b"], 1 in 1, "a" in "abc", { "a": 1 } in [{ "a": 1 }], missing in [1]]', input: {} }],
    ['and / or with truthiness', { source: '[true and missing, "" or 0, [0, false] and true, [] or {}, { "a": 0 } and "x"]', input: {} }],
    ['a condition without else', { source: 'n > 2 ? "big"', input: { n: 1 } }],
    ['a condition on an array', { source: '[0, ""] ? "yes" : "no"', input: {} }],
    ['elvis and coalescing', { source: '[missing ?: "d", "" ?: "e", missing ?? "f", null ?? "g"]', input: {} }],
  ]))('$name: $source', expectSame);
});

describe('strings and numbers', () => {
  it.each(table([
    ['$string(1.0)', { source: '$string(1.0)', input: {} }],
    ['$string of a float and of big numbers', { source: '[$string(0.1 + 0.2), $string(1e21), $string(123456789.123456789)]', input: {} }],
    ['$string of an object, pretty', { source: '$string({ "a": [1, 2.5, "x"] }, true)', input: {} }],
    ['$string of infinity fails (D3001)', { source: '$string(1 / 0)', input: {} }],
    ['$string of the context', { source: 'items[0].$string()', input: ITEMS }],
    ['code points in substring and length', { source: '[$substring("h😀llo wörld", 1, 4), $length("😀é"), $substring("abc", -2), $substring("abc", 1, -1)]', input: {} }],
    ['substringBefore / After', { source: '[$substringBefore("a-b-c", "-"), $substringAfter("a-b-c", "-"), $substringAfter("abc", "x")]', input: {} }],
    ['case and trim', { source: '[$uppercase("ab"), $lowercase("AB"), $trim("  a \\n\\t b  ")]', input: {} }],
    ['pad', { source: '[$pad("x", 5, "ab"), $pad("x", -4), $pad("long", 2)]', input: {} }],
    ['split', { source: '[$split("a,b,,c", ","), $split("a1b22c", /\\d+/), $split("abc", "", 2)]', input: {} }],
    ['join', { source: '[$join(["a", "b"], "-"), $join("a"), $join([])]', input: {} }],
    ['join of numbers fails (T0412)', { source: '$join([1, 2])', input: {} }],
    ['replace with a string', { source: '[$replace("abcb", "b", "x"), $replace("aaa", "a", "b", 2)]', input: {} }],
    ['replace with groups', { source: '$replace("John Smith", /(\\w+)\\s(\\w+)/, "$2, $1 ($0) $$")', input: {} }],
    ['replace with a function', { source: '$replace("abc", /[ac]/, function($m) { $uppercase($m.match) & $m.start })', input: {} }],
    ['replace with a flagged regex', { source: '$replace("Bearer abc", /(bearer)\\s+\\S+/i, "$1 ***")', input: {} }],
    ['replace of the empty string fails (D3010)', { source: '$replace("abc", "", "x")', input: {} }],
    ['a regex matching the empty string forever fails (D1004)', { source: '$replace("abc", /x*/, "-")', input: {} }],
    ['contains', { source: '[$contains("abc", "b"), $contains("abc", /^B/i), $contains("abc", /z/)]', input: {} }],
    ['match', { source: '$match("a1b22", /\\d+/)', input: {} }],
    ['base64', { source: '[$base64encode("héllo"), $base64decode("aGVsbG8=")]', input: {} }],
    ['number', { source: '[$number("1.5"), $number("0x1F"), $number(true), $number(-2)]', input: {} }],
    ['number of a word fails (D3030)', { source: '$number("abc")', input: {} }],
    ['rounding', { source: '[$round(2.5), $round(3.5), $round(1.255, 2), $floor(-1.5), $ceil(1.2), $abs(-3), $power(2, 10), $sqrt(16)]', input: {} }],
    ['a missing string argument takes the context', { source: 's.$uppercase()', input: { s: 'abc' } }],
    ['a context of the wrong type fails (T0411)', { source: 'n.$uppercase()', input: { n: 5 } }],
    ['a wrong argument type fails (T0410)', { source: '$substring(5, 1)', input: {} }],
    ['too few arguments fail (T0410)', { source: '$exists()', input: {} }],
  ]))('$name: $source', expectSame);
});

describe('functions, variables and blocks', () => {
  it.each(table([
    ['a block has its own frame', { source: '($x := 1; ($x := 2); $x)', input: {} }],
    ['a name bound later in a block is the outer one until then', { source: '($x := 1; ($y := $x; $x := 2; [$y, $x]))', input: {} }],
    ['a lambda sees a name bound after it was made', { source: '($f := function() { $x }; $x := 5; $f())', input: {} }],
    ['closures', { source: '($add := function($a) { function($b) { $a + $b } }; $add2 := $add(2); [$add2(3), $add(10)(1)])', input: {} }],
    ['recursion', { source: '($fib := function($n) { $n < 2 ? $n : $fib($n - 1) + $fib($n - 2) }; $fib(15))', input: {} }],
    ['deep tail recursion', { source: '($loop := function($n, $acc) { $n = 0 ? $acc : $loop($n - 1, $acc + $n) }; $loop(20000, 0))', input: {} }],
    ['mutual recursion', { source: '($even := function($n) { $n = 0 ? true : $odd($n - 1) }; $odd := function($n) { $n = 0 ? false : $even($n - 1) }; $even(11))', input: {} }],
    ['missing and extra arguments', { source: '[(function($a, $b) { $b })(1), (function($a) { $a })(1, 2)]', input: {} }],
    ['a lambda uses the context it was made in', { source: 'items[0].(function() { text })()', input: ITEMS }],
    ['a tail call of a built-in keeps its sequence', { source: '$map([1, 2], function($v) { $keys({ "k": $v }) })', input: {} }],
    ['calling nothing fails (T1006)', { source: '$nothing(1)', input: {} }],
    ['calling a value fails (T1006)', { source: '($x := 5; $x())', input: {} }],
    ['pair functions are inlined', { source: '[$double(4), $textOf(items)]', input: ITEMS }],
    ['a pair function sees the rule input as its context, wherever it is called', { source: '[$contextOf(), items.$contextOf()]', input: { ...ITEMS, s: 'ctx' }, request: { s: 'req' } }],
    ['a recursive pair function', { source: '$countdown(4)', input: {} }],
    ['a pair function referring to a name the rule binds later', { source: '($later := 5; $usesLater())', input: {} }],
    ['a bind at the top level', { source: '$x := items[0].text', input: ITEMS }],
    ['$request rebound', { source: '($request := 5; $request)', request: { a: 1 }, input: {} }],
    ['built-ins can be rebound', { source: '($string := function($x) { "mine" }; $string(1))', input: {} }],
    ['$config', { source: '[$config.limit, $config.tags]', input: {} }],
    ['$request and $state', { source: '[$request.model, $state.n]', request: { model: 'm' }, state: { n: 2 }, input: {} }],
  ]))('$name: $source', expectSame);
});

describe('higher-order functions and chains', () => {
  it.each(table([
    ['map with index and array', { source: '$map([1, 2, 3], function($v, $i, $a) { $v * $i + $count($a) })', input: {} }],
    ['map to one item', { source: '$map([1], function($v) { [$v] })', input: {} }],
    ['map to one item, kept', { source: '$map([1], function($v) { $v })[]', input: {} }],
    ['map over nothing', { source: '$map(missing, function($v) { $v })', input: {} }],
    ['filter', { source: '$filter(items, function($v, $i) { $i > 0 }).text', input: ITEMS }],
    ['reduce', { source: '[$reduce([1, 2, 3], function($p, $c) { $p + $c }), $reduce([], function($p, $c) { $p }, 7)]', input: {} }],
    ['reduce with a one-argument function fails (D3050)', { source: '$reduce([1, 2], function($p) { $p })', input: {} }],
    ['single', { source: '$single(items, function($v) { $v.n = 3 }).text', input: ITEMS }],
    ['single with two matches fails (D3138)', { source: '$single([1, 2])', input: {} }],
    ['sift', { source: '$sift({ "a": 1, "b": null, "c": "" }, function($v, $k) { $v or $k = "b" })', input: {} }],
    ['sift to nothing', { source: '$sift({ "a": 0 }, function($v) { $v })', input: {} }],
    ['each', { source: '$each({ "a": 1, "b": 2 }, function($v, $k) { $k & $v })', input: {} }],
    ['sort with a comparator', { source: '$sort(items, function($a, $b) { $a.n > $b.n }).text', input: ITEMS }],
    ['sort of strings', { source: '$sort(["b", "c", "a"])', input: {} }],
    ['sort of mixed values fails (D3070)', { source: '$sort([1, "a"])', input: {} }],
    ['a chain of calls', { source: '"  abc " ~> $trim() ~> $uppercase() ~> $substring(1)', input: {} }],
    ['a chain into a lambda', { source: '5 ~> function($x) { $x * 2 }', input: {} }],
    ['composed functions', { source: '($f := $uppercase ~> $trim; $f(" a "))', input: {} }],
    ['a chain into a value fails (T2006)', { source: '1 ~> 2', input: {} }],
    ['functions as arguments', { source: '$map(["a", "b"], $uppercase)', input: {} }],
  ]))('$name: $source', expectSame);
});

describe('other built-ins', () => {
  it.each(table([
    ['keys and lookup', { source: '[$keys(items[0]), $keys(items), $lookup(items, "text"), $lookup(items[0], "type")]', input: ITEMS }],
    ['merge', { source: '$merge([{ "a": 1, "b": 2 }, { "b": 3 }, { "c": [4] }])', input: {} }],
    ['merge of a single object', { source: '$merge(items[0])', input: ITEMS }],
    ['merge of a non-object fails (T0412)', { source: '$merge([{ "a": 1 }, "x"])', input: {} }],
    ['append', { source: '[$append(1, 2), $append([], []), $append(missing, [1]), $append([1], missing)]', input: {} }],
    ['append keeps an empty array', { source: '$append([], [])', input: {} }],
    ['exists, count, type', { source: '[$exists(missing), $exists(null), $count(missing), $count(5), $type(missing), $type(null), $type([]), $type({}), $type(1), $type("s"), $type(true), $type(function() { 1 })]', input: {} }],
    ['boolean and not', { source: '[$boolean([]), $boolean([0]), $boolean({}), $boolean(" "), $not(0), $not(missing)]', input: {} }],
    ['aggregates', { source: '[$max([1, 5, 2]), $min([]), $sum(items.n), $average([1, 2])]', input: ITEMS }],
    ['distinct, reverse, spread, zip', { source: '[$distinct([1, 2, 1, [1], [1]]), $reverse([1, 2, 3]), $spread({ "a": 1, "b": 2 }), $zip([1, 2], [3])]', input: {} }],
    ['$error fails (D3137)', { source: '$error("stop")', input: {} }],
    ['$assert fails (D3141)', { source: '$assert(false, "no")', input: {} }],
    ['clone', { source: '$clone(items[0])', input: ITEMS }],
  ]))('$name: $source', expectSame);
});

describe('engine helpers', () => {
  it.each(table([
    ['$table', { source: '[$table("t", "a"), $table("t", "b"), $table("t", missing)]', input: {} }],
    ['$table of an unknown table fails', { source: '$table("nope", "a")', input: {} }],
    ['$mapModel', { source: '[$mapModel("claude-x"), $mapModel("other"), $mapModel(5)]', input: {} }],
    ['$mapModel takes the context', { source: 'model.$mapModel()', input: { model: 'claude-y' } }],
    ['$hash and $parseJson', { source: '[$hash("abc"), $hash("abc", 16), $parseJson("{\\"a\\":1}"), $parseJson("{")]', input: {} }],
    ['$fail raises the gateway error', { source: '$fail("not_found", "no model")', input: {} }],
    ['$eval is disabled', { source: '$eval("1 + 1")', input: {} }],
  ]))('$name: $source', expectSame);
});
