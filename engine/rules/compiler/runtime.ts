/**
 * What generated rule code calls: JSONata's operators and the pieces of its evaluator that are
 * better as functions than as inline code (path steps, predicates, grouping), all with jsonata
 * 2.2.2's exact semantics. Generated code receives this object and keeps each entry in a local.
 */
import {
  asSequence, callFunction, createSequence, enterCall, exitCall, FLAGS, finish, isConstructed, isSequence, makeFn, markConstructed,
  markKeepSingleton, noteStored, outerWrapper, TailCall, type JFn,
} from './evaluation-state.js';
import { JsonataError, NeedsInterpreter } from './jsonata-error.js';
import { createMatcher } from './regex-matcher.js';
import { symbolOf } from './signature.js';
import { keys } from './builtins-data.js';
import { append, deepEqual, isArrayOfNumbers, isNumeric, lookup, setProp, toBoolean, toJsonataString, typeOf } from './values.js';

/** A variable slot no bind has filled yet: a lookup passes on to enclosing scopes. */
export const UNBOUND: unique symbol = Symbol('unbound');
/** A plain-path walk met an array: the general path evaluation takes over. */
export const SLOW: unique symbol = Symbol('slow');

const hasOwn = Object.prototype.hasOwnProperty;

/** JSONata's lookup of a name step (objects directly, arrays mapped). */
function name(input: unknown, key: string): unknown {
  if (input === null || typeof input !== 'object') return undefined;
  if (!Array.isArray(input)) return hasOwn.call(input, key) ? (input as Record<string, unknown>)[key] : undefined;
  return lookup(input, key);
}

/**
 * The input sequence of a path's first step. It is only read item by item, so it needs no
 * sequence flag — unless a first step `[…]` is evaluated with it as its context and can hand it on.
 */
function pathStart(input: unknown, firstIsVariable: boolean, flag: boolean): unknown {
  if (Array.isArray(input) && !firstIsVariable) return input;
  return flag ? createSequence(input) : [input];
}

/**
 * The end of a step: one plain array from the last step is kept as it is, else flatten one level.
 * Only the last step's sequence can be the path's value; the others are read item by item.
 *
 * `result` is the step's own fresh array of values, which nobody else holds: when it has nothing
 * to flatten (the usual case) it becomes the step's sequence itself, rather than a copy. A middle
 * step's sequence is only read, so one array to flatten is that array itself.
 */
function stepOut(result: unknown[], lastStep: boolean): unknown[] {
  if (result.length === 1 && Array.isArray(result[0]) && (lastStep ? !isSequence(result[0]) : !isConstructed(result[0]))) return result[0] as unknown[];
  let i = 0;
  for (; i < result.length; i++) {
    const res = result[i];
    if (Array.isArray(res) && !isConstructed(res)) break;
    noteStored(res);
  }
  if (i === result.length) return lastStep ? asSequence(result) : result;
  const out: unknown[] = lastStep ? createSequence() : [];
  for (let j = 0; j < i; j++) out.push(result[j]);
  for (; i < result.length; i++) {
    const res = result[i];
    if (!Array.isArray(res) || isConstructed(res)) {
      noteStored(res);
      out.push(res);
    } else {
      for (let j = 0; j < res.length; j++) out.push(res[j]);
    }
  }
  return out;
}

/**
 * JSONata's evaluatePath for a path of plain names, optionally after a leading variable step whose
 * (finished) value is `first`: what a plain walk hands over to when it meets an array.
 */
function namePath(input: unknown, first: unknown, hasFirst: boolean, names: readonly string[]): unknown {
  let items: unknown;
  let result: unknown;
  if (hasFirst) {
    if (first === undefined) return createSequence();
    result = stepOut([first], false);
    if ((result as unknown[]).length === 0) return createSequence();
    items = result;
  } else {
    items = pathStart(input, false, false);
  }
  for (let s = 0; s < names.length; s++) {
    const list = items as ArrayLike<unknown>;
    let acc: unknown[];
    if (list.length === 1) {
      // Sized exactly: an array grown by push() starts with room for 17 items.
      const v = finish(name(list[0], names[s]), false);
      acc = v === undefined ? [] : [v];
    } else {
      acc = [];
      for (let j = 0; j < list.length; j++) {
        const v = finish(name(list[j], names[s]), false);
        if (v !== undefined) acc.push(v);
      }
    }
    const last = s === names.length - 1;
    result = stepOut(acc, last);
    // An empty sequence ends the path; one from a middle step was built without its flag.
    if ((result as unknown[]).length === 0) return last ? result : createSequence();
    items = result;
  }
  return result;
}

/**
 * The context an object constructor with literal keys evaluates its values in: JSONata groups the
 * items of a sequence by key, and with literal keys every key gathers every item (the first item,
 * then the others appended to it).
 */
function groupData(input: unknown[]): unknown {
  if (input.length === 0) return undefined;
  let data: unknown = input[0];
  for (let i = 1; i < input.length; i++) data = append(data, input[i]);
  return data;
}

/** A path ending in `[]`: its result is kept as an array. */
function pathKeep(result: unknown): unknown {
  let out = result;
  if (Array.isArray(out) && isConstructed(out) && !isSequence(out)) out = createSequence(out);
  if (!Array.isArray(out)) throw new NeedsInterpreter('[] on a path that yields no array');
  markKeepSingleton(out);
  return out;
}

/** The items a predicate runs over (read item by item: no sequence flag needed). */
function filterItems(input: unknown): unknown[] {
  return Array.isArray(input) ? input : [input];
}

/**
 * How many times a predicate's value keeps item `index` of `length`: once when it is true, or once
 * per position that names the item (`[[0, 0]]` keeps the first item twice, as JSONata does).
 */
function keepCount(res: unknown, index: number, length: number): number {
  let value = res;
  if (isNumeric(value)) value = [value];
  if (isArrayOfNumbers(value)) {
    let n = 0;
    for (const position of value as number[]) {
      let ii = Math.floor(position);
      if (ii < 0) ii = length + ii;
      if (ii === index) n++;
    }
    return n;
  }
  return toBoolean(value) ? 1 : 0;
}

/** A positional predicate (`[0]`, `[-1]`). */
function filterIndex(input: unknown, position: number): unknown {
  const items = Array.isArray(input) ? input : [input];
  let index = Math.floor(position);
  if (index < 0) index = items.length + index;
  const item = items[index];
  const results = createSequence();
  if (item === undefined) return results;
  if (Array.isArray(item)) return item;
  results.push(item);
  return results;
}

/**
 * A last positional predicate, finished: the item at the position (counted from the end when
 * negative), which is what `[n]` and then unwrapping the one-item result give.
 */
function pick(input: unknown, position: number): unknown {
  let index = Math.floor(position);
  if (!Array.isArray(input)) return index === 0 || index === -1 ? input : undefined; // a one-item sequence
  if (index < 0) index = input.length + index;
  return input[index];
}

function wildcard(input: unknown): unknown {
  let results: unknown = createSequence();
  let value = input;
  if (Array.isArray(value) && value === outerWrapper() && value.length > 0) value = value[0];
  if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[k];
      if (Array.isArray(item)) results = append(results, flatten(item, []));
      else (results as unknown[]).push(item);
    }
  }
  return results;
}

function flatten(arg: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(arg)) for (const item of arg) flatten(item, out);
  else out.push(arg);
  return out;
}

function descendants(input: unknown): unknown {
  if (input === undefined) return undefined;
  const results = createSequence();
  const walk = (value: unknown): void => {
    if (!Array.isArray(value)) results.push(value);
    if (Array.isArray(value)) for (const member of value) walk(member);
    else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k]);
  };
  walk(input);
  return results.length === 1 ? results[0] : results;
}

/** `$`: the context, or the array itself when the context is the wrapper around an array input. */
function dollar(input: unknown): unknown {
  return Array.isArray(input) && input === outerWrapper() ? input[0] : input;
}

function numeric(lhs: unknown, rhs: unknown): boolean {
  if (lhs !== undefined && !isNumeric(lhs)) throw new JsonataError('T2001', { value: lhs });
  if (rhs !== undefined && !isNumeric(rhs)) throw new JsonataError('T2002', { value: rhs });
  return lhs !== undefined && rhs !== undefined;
}

const add = (a: unknown, b: unknown) => (numeric(a, b) ? (a as number) + (b as number) : undefined);
const sub = (a: unknown, b: unknown) => (numeric(a, b) ? (a as number) - (b as number) : undefined);
const mul = (a: unknown, b: unknown) => (numeric(a, b) ? (a as number) * (b as number) : undefined);
const div = (a: unknown, b: unknown) => (numeric(a, b) ? (a as number) / (b as number) : undefined);
const mod = (a: unknown, b: unknown) => (numeric(a, b) ? (a as number) % (b as number) : undefined);

function comparable(lhs: unknown, rhs: unknown): boolean {
  const lt = typeof lhs;
  const rt = typeof rhs;
  if (!(lt === 'undefined' || lt === 'string' || lt === 'number') || !(rt === 'undefined' || rt === 'string' || rt === 'number')) {
    throw new JsonataError('T2010', { value: !(lt === 'string' || lt === 'number') ? lhs : rhs });
  }
  if (lt === 'undefined' || rt === 'undefined') return false;
  if (lt !== rt) throw new JsonataError('T2009', { value: lhs });
  return true;
}

const lt = (a: unknown, b: unknown) => (comparable(a, b) ? (a as number) < (b as number) : undefined);
const le = (a: unknown, b: unknown) => (comparable(a, b) ? (a as number) <= (b as number) : undefined);
const gt = (a: unknown, b: unknown) => (comparable(a, b) ? (a as number) > (b as number) : undefined);
const ge = (a: unknown, b: unknown) => (comparable(a, b) ? (a as number) >= (b as number) : undefined);

function eq(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || deepEqual(a, b);
}

function ne(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  return !(a === b || deepEqual(a, b));
}

/** One side of `&`: nothing is "", anything else is $string of it. */
function str(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : toJsonataString(value)!;
}

function includes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (!Array.isArray(rhs)) return rhs === lhs;
  for (let i = 0; i < rhs.length; i++) if (rhs[i] === lhs) return true;
  return false;
}

function neg(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (isNumeric(value)) return -value;
  throw new JsonataError('D1002', { value });
}

function range(lhs: unknown, rhs: unknown): unknown {
  if (lhs !== undefined && !Number.isInteger(lhs)) throw new JsonataError('T2003', { value: lhs });
  if (rhs !== undefined && !Number.isInteger(rhs)) throw new JsonataError('T2004', { value: rhs });
  if (lhs === undefined || rhs === undefined) return undefined;
  const from = lhs as number;
  const to = rhs as number;
  if (from > to) return undefined;
  const size = to - from + 1;
  if (size > 1e7) throw new JsonataError('D2014', { value: size });
  const result = createSequence();
  for (let item = from; item <= to; item++) result.push(item);
  return result;
}

const INTERNAL_KEYS = new Set(['_jsonata_lambda', '_jsonata_function']);

/** JSONata's object constructor over a sequence: items grouped by the keys they give. */
function group(input: unknown, keys: Array<(item: unknown) => unknown>, values: Array<(data: unknown) => unknown>): Record<string, unknown> {
  const items: unknown[] = Array.isArray(input) ? (input.length === 0 ? [undefined] : input) : [input];
  const groups: Record<string, { data: unknown; pair: number }> = Object.create(null);
  for (const item of items) {
    for (let p = 0; p < keys.length; p++) {
      const k = keys[p](item);
      if (typeof k !== 'string' && k !== undefined) throw new JsonataError('T1003', { value: k });
      if (k === undefined) continue;
      if (INTERNAL_KEYS.has(k)) throw new JsonataError('D1013', { value: k });
      const existing = groups[k];
      if (existing !== undefined) {
        if (existing.pair !== p) throw new JsonataError('D1009', { value: k });
        existing.data = append(existing.data, item);
      } else {
        groups[k] = { data: item, pair: p };
      }
    }
  }
  const result: Record<string, unknown> = {};
  for (const k of Object.keys(groups)) {
    const g = groups[k];
    const value = values[g.pair](g.data);
    if (value !== undefined) {
      noteStored(value);
      setProp(result, k, value);
    }
  }
  return result;
}

/** Adds one value to an array being constructed: arrays are spliced in, except `[…]` items. */
function arrayAdd(target: unknown[], value: unknown, asIs: boolean): void {
  if (value === undefined) return;
  if (asIs || !Array.isArray(value)) {
    noteStored(value);
    target.push(value);
  } else {
    for (let i = 0; i < value.length; i++) target.push(value[i]);
  }
}

function constructed(array: unknown[]): unknown[] {
  markConstructed(array);
  return array;
}

/** A function passed as an argument no longer takes the call site's context (JSONata wraps it). */
function asArg(value: unknown): unknown {
  if (typeof value === 'function' && (value as JFn).usesContext) {
    const f = value as JFn;
    return makeFn((args) => f(args, null), f.arity);
  }
  return value;
}

/** Runs the tail calls a direct call returned. */
function trampoline(result: unknown, context: unknown): unknown {
  let r = result;
  while (r instanceof TailCall) {
    const next = r.fn;
    if (typeof next !== 'function') throw new JsonataError('T1006', { value: next });
    r = (next as JFn)(r.args, context);
  }
  return r;
}

/** `f ~> g` for two functions: x ↦ g(f(x)). */
function compose(f: unknown, g: unknown): JFn {
  return makeFn((args) => {
    enterCall();
    const inner = callFunction(f, [asArg(args[0])], null);
    exitCall();
    return new TailCall(g, [inner]);
  }, 1);
}

/** `lhs ~> rhs` where rhs is not a call: rhs must be a function. */
function applyTo(value: unknown, fn: unknown): unknown {
  if (typeof fn !== 'function') throw new JsonataError('T2006', { value: fn });
  if (typeof value === 'function') return compose(value, fn);
  return callFunction(fn, [value], null);
}

/** An array whose items all have the type symbol `type` (a typed array parameter, e.g. `a<s>`). */
function arrayOf(array: unknown[], type: string): boolean {
  if (array.length === 0) return true;
  if (symbolOf(array[0]) !== type.charAt(0)) return false;
  for (let i = 1; i < array.length; i++) if (symbolOf(array[i]) !== type.charAt(0)) return false;
  return true;
}

/** $count with one argument (its signature takes anything): a non-array counts as one item. */
const count1 = (value: unknown): number => (value === undefined ? 0 : Array.isArray(value) ? value.length : 1);
/** $not with one argument. */
const not1 = (value: unknown): boolean | undefined => (value === undefined ? undefined : !toBoolean(value));
/** $string with one argument. */
const string1 = (value: unknown): string | undefined => toJsonataString(value);

export const runtime = {
  U: UNBOUND,
  FL: FLAGS,
  SLOW,
  TailCall,
  isSeq: isSequence,
  name,
  pathStart,
  namePath,
  groupData,
  stepOut,
  pathKeep,
  filterItems,
  keepCount,
  filterIndex,
  pick,
  wildcard,
  descendants,
  dollar,
  finish,
  seq: createSequence,
  asSeq: asSequence,
  note: noteStored,
  add,
  sub,
  mul,
  div,
  mod,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  str,
  includes,
  neg,
  range,
  bool: toBoolean,
  group,
  arrayAdd,
  constructed,
  setProp,
  asArg,
  call: callFunction,
  trampoline,
  applyTo,
  fn: makeFn,
  enter: enterCall,
  exit: exitCall,
  matcher: createMatcher,
  arrayOf,
  count1,
  not1,
  string1,
  typeOf,
  append,
  keys,
};

export type Runtime = typeof runtime;
