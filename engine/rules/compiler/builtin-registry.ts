/**
 * The built-in functions compiled rules can call, with JSONata's signatures and arities, and the
 * engine's helpers wrapped the same way. A built-in that is not here (date and number formatting,
 * random numbers, $eval, …) makes the compiler leave the rule to the interpreter.
 */
import type { Helper } from '../helpers.js';
import { makeFn, type JFn } from './evaluation-state.js';
import { Signature } from './signature.js';
import * as data from './builtins-data.js';
import * as text from './builtins-text.js';
import { append, lookup, toBoolean, typeOf } from './values.js';

type Implementation = (...args: any[]) => unknown;

/** name → [implementation, signature, arity (the `length` of JSONata's own implementation)] */
const BUILTINS: Record<string, [Implementation, string, number]> = {
  sum: [data.sum, '<a<n>:n>', 1],
  count: [data.count, '<a:n>', 1],
  max: [data.max, '<a<n>:n>', 1],
  min: [data.min, '<a<n>:n>', 1],
  average: [data.average, '<a<n>:n>', 1],
  string: [text.string, '<x-b?:s>', 1],
  substring: [text.substring, '<s-nn?:s>', 3],
  substringBefore: [text.substringBefore, '<s-s:s>', 2],
  substringAfter: [text.substringAfter, '<s-s:s>', 2],
  lowercase: [text.lowercase, '<s-:s>', 1],
  uppercase: [text.uppercase, '<s-:s>', 1],
  length: [text.length, '<s-:n>', 1],
  trim: [text.trim, '<s-:s>', 1],
  pad: [text.pad, '<s-ns?:s>', 3],
  match: [text.match, '<s-f<s:o>n?:a<o>>', 3],
  contains: [text.contains, '<s-(sf):b>', 2],
  replace: [text.replace, '<s-(sf)(sf)n?:s>', 4],
  split: [text.split, '<s-(sf)n?:a<s>>', 3],
  join: [text.join, '<a<s>s?:s>', 2],
  number: [text.number, '<(nsb)-:n>', 1],
  floor: [text.floor, '<n-:n>', 1],
  ceil: [text.ceil, '<n-:n>', 1],
  round: [text.round, '<n-n?:n>', 2],
  abs: [text.abs, '<n-:n>', 1],
  sqrt: [text.sqrt, '<n-:n>', 1],
  power: [text.power, '<n-n:n>', 2],
  boolean: [toBoolean, '<x-:b>', 1],
  not: [data.not, '<x-:b>', 1],
  map: [data.map, '<af>', 2],
  zip: [data.zip, '<a+>', 0],
  filter: [data.filter, '<af>', 2],
  single: [data.single, '<af?>', 2],
  reduce: [data.reduce, '<afj?:j>', 3],
  sift: [data.sift, '<o-f?:o>', 2],
  keys: [data.keys, '<x-:a<s>>', 1],
  lookup: [lookup, '<x-s:x>', 2],
  append: [append, '<xx:a>', 2],
  exists: [data.exists, '<x:b>', 1],
  spread: [data.spread, '<x-:a<o>>', 1],
  merge: [data.merge, '<a<o>:o>', 1],
  reverse: [data.reverse, '<a:a>', 1],
  each: [data.each, '<o-f:a>', 2],
  error: [data.error, '<s?:x>', 1],
  assert: [data.assert, '<bs?:x>', 2],
  type: [typeOf, '<x:s>', 1],
  sort: [data.sort, '<af?:a>', 2],
  distinct: [data.distinct, '<x:x>', 1],
  base64encode: [text.base64encode, '<s-:s>', 1],
  base64decode: [text.base64decode, '<s-:s>', 1],
  encodeUrlComponent: [text.encodeUrlComponent, '<s-:s>', 1],
  encodeUrl: [text.encodeUrl, '<s-:s>', 1],
  decodeUrlComponent: [text.decodeUrlComponent, '<s-:s>', 1],
  decodeUrl: [text.decodeUrl, '<s-:s>', 1],
  clone: [data.clone, '<(oa)-:o>', 1],
};

/** JSONata built-ins that compiled rules do not provide: a rule using one is interpreted. */
export const UNSUPPORTED_BUILTINS: ReadonlySet<string> = new Set([
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'random', 'shuffle', 'eval', 'toMillis', 'fromMillis', 'now', 'millis',
]);

/** A built-in or helper value, with what a call site needs to call its implementation directly. */
export interface CheckedFunction extends JFn {
  implementation: Implementation;
  signature: Signature;
}

function wrap(name: string, implementation: Implementation, signature: string, arity: number): JFn {
  const sig = new Signature(signature, name);
  const fn = makeFn((args, context) => implementation(...sig.validate(args, context)), arity, sig.usesContext) as CheckedFunction;
  fn.implementation = implementation;
  fn.signature = sig;
  return fn;
}

const builtinFns = new Map<string, JFn>(Object.entries(BUILTINS).map(([name, [impl, sig, arity]]) => [name, wrap(name, impl, sig, arity)]));

/** The function value of a built-in, or undefined when there is no such (supported) built-in. */
export function builtinFunction(name: string): JFn | undefined {
  return builtinFns.get(name);
}

/** A helper of the engine as a JSONata function value: its signature checked, its arity kept. */
export function helperFunction(helper: Helper): JFn {
  return wrap(helper.name, helper.implementation, helper.signature, helper.implementation.length);
}
