/**
 * JSONata's built-ins over arrays, objects and booleans (aggregates, $keys, $merge, $spread, …)
 * and its higher-order functions, with jsonata 2.2.2's exact behaviour — including which results
 * are sequences (a one-item sequence becomes its item) and which are plain arrays (kept as arrays).
 */
import { JsonataError } from './jsonata-error.js';
import { callFunction, createSequence, isSequence, noteStored, type JFn } from './evaluation-state.js';
import { append, deepEqual, isArrayOfNumbers, isArrayOfStrings, ownKeys, setProp, toBoolean, toJsonataString } from './values.js';

export function sum(args: number[] | undefined): number | undefined {
  if (args === undefined) return undefined;
  let total = 0;
  for (let i = 0; i < args.length; i++) total += args[i];
  return total;
}

export function count(args: unknown[] | undefined): number {
  return args === undefined ? 0 : args.length;
}

export function max(args: number[] | undefined): number | undefined {
  if (args === undefined || args.length === 0) return undefined;
  return Math.max.apply(Math, args);
}

export function min(args: number[] | undefined): number | undefined {
  if (args === undefined || args.length === 0) return undefined;
  return Math.min.apply(Math, args);
}

export function average(args: number[] | undefined): number | undefined {
  if (args === undefined || args.length === 0) return undefined;
  return sum(args)! / args.length;
}

export function not(arg: unknown): boolean | undefined {
  return arg === undefined ? undefined : !toBoolean(arg);
}

export function exists(arg: unknown): boolean {
  return arg !== undefined;
}

export function keys(arg: unknown): unknown[] {
  const result = createSequence();
  if (Array.isArray(arg)) {
    const merged: Record<string, boolean> = Object.create(null);
    for (let i = 0; i < arg.length; i++) for (const key of keys(arg[i]) as string[]) merged[key] = true;
    return keys(merged);
  }
  if (arg !== null && typeof arg === 'object') for (const key of Object.keys(arg)) result.push(key);
  return result;
}

export function spread(arg: unknown): unknown {
  let result: unknown = createSequence();
  if (Array.isArray(arg)) {
    for (let i = 0; i < arg.length; i++) result = append(result, spread(arg[i]));
  } else if (arg !== null && typeof arg === 'object') {
    for (const key of Object.keys(arg)) {
      const obj: Record<string, unknown> = {};
      setProp(obj, key, (arg as Record<string, unknown>)[key]);
      (result as unknown[]).push(obj);
    }
  } else {
    result = arg;
  }
  return result;
}

export function merge(arg: Array<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (arg === undefined) return undefined;
  if (arg.length === 0) return {};
  // A large first object (a stream's state) is copied fastest by object spread, which defines its
  // keys (an own "__proto__" stays a key) in Object.keys order; small ones key by key.
  const first = arg[0];
  const keys = Object.keys(first);
  let result: Record<string, unknown>;
  if (keys.length > 16) {
    result = { ...first };
  } else {
    result = {};
    for (let j = 0; j < keys.length; j++) setProp(result, keys[j], first[keys[j]]);
  }
  for (let i = 1; i < arg.length; i++) {
    const obj = arg[i];
    const more = Object.keys(obj);
    for (let j = 0; j < more.length; j++) setProp(result, more[j], obj[more[j]]);
  }
  return result;
}

export function reverse(arr: unknown[] | undefined): unknown[] | undefined {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  const result = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) result[arr.length - i - 1] = arr[i];
  return result;
}

export function distinct(arr: unknown): unknown {
  if (arr === undefined) return undefined;
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const results = isSequence(arr) ? createSequence() : [];
  for (let i = 0; i < arr.length; i++) {
    const value = arr[i];
    let includes = false;
    for (let j = 0; j < results.length; j++) {
      if (deepEqual(value, results[j])) {
        includes = true;
        break;
      }
    }
    if (!includes) results.push(value);
  }
  return results;
}

export function zip(...args: unknown[][]): unknown[][] {
  const result: unknown[][] = [];
  const length = Math.min.apply(Math, args.map((arg) => (Array.isArray(arg) ? arg.length : 0)));
  for (let i = 0; i < length; i++) result.push(args.map((arg) => arg[i]));
  return result;
}

export function error(message?: string): never {
  throw new JsonataError('D3137', { message: message || '$error() function evaluated' });
}

export function assert(condition: boolean, message?: string): undefined {
  if (!condition) throw new JsonataError('D3141', { message: message || '$assert() statement failed' });
  return undefined;
}

export function clone(arg: unknown): unknown {
  if (arg === undefined) return undefined;
  return JSON.parse(toJsonataString(arg)!);
}

// ----------------------------------------------------------------------------------------------
// Higher-order functions. Callbacks get as many of (value, index, whole) as their arity takes,
// and are called with no context (null), as JSONata calls them.

function callbackArgs(func: JFn, value: unknown, index: unknown, whole: unknown): unknown[] {
  const arity = func.arity;
  return arity >= 3 ? [value, index, whole] : arity >= 2 ? [value, index] : [value];
}

export function map(arr: unknown[] | undefined, func: JFn): unknown {
  if (arr === undefined) return undefined;
  const result = createSequence();
  for (let i = 0; i < arr.length; i++) {
    const res = callFunction(func, callbackArgs(func, arr[i], i, arr), null);
    if (res !== undefined) {
      noteStored(res);
      result.push(res);
    }
  }
  return result;
}

export function filter(arr: unknown[] | undefined, func: JFn): unknown {
  if (arr === undefined) return undefined;
  const result = createSequence();
  for (let i = 0; i < arr.length; i++) {
    if (toBoolean(callFunction(func, callbackArgs(func, arr[i], i, arr), null))) result.push(arr[i]);
  }
  return result;
}

export function single(arr: unknown[] | undefined, func?: JFn): unknown {
  if (arr === undefined) return undefined;
  let found = false;
  let result: unknown;
  for (let i = 0; i < arr.length; i++) {
    const positive = func === undefined ? true : toBoolean(callFunction(func, callbackArgs(func, arr[i], i, arr), null));
    if (positive) {
      if (found) throw new JsonataError('D3138', { index: i });
      result = arr[i];
      found = true;
    }
  }
  if (!found) throw new JsonataError('D3139');
  return result;
}

export function reduce(sequence: unknown[] | undefined, func: JFn, init?: unknown): unknown {
  if (sequence === undefined) return undefined;
  const arity = func.arity;
  if (arity < 2) throw new JsonataError('D3050', { index: 1 });
  let result: unknown;
  let index: number;
  if (init === undefined && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  while (index < sequence.length) {
    const args = [result, sequence[index]];
    if (arity >= 3) args.push(index);
    if (arity >= 4) args.push(sequence);
    result = callFunction(func, args, null);
    index++;
  }
  return result;
}

export function sift(arg: Record<string, unknown> | undefined, func: JFn): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  let any = false;
  for (const key of ownKeys(arg)) {
    const entry = arg![key];
    if (toBoolean(callFunction(func, callbackArgs(func, entry, key, arg), null))) {
      setProp(result, key, entry);
      any = true;
    }
  }
  return any ? result : undefined;
}

export function each(obj: Record<string, unknown> | undefined, func: JFn): unknown {
  const result = createSequence();
  for (const key of ownKeys(obj)) {
    const value = callFunction(func, callbackArgs(func, obj![key], key, obj), null);
    if (value !== undefined) {
      noteStored(value);
      result.push(value);
    }
  }
  return result;
}

/** $sort: JSONata's stable merge sort; a comparator answering truthy puts b before a. */
export function sort(arr: unknown[] | undefined, comparator?: JFn): unknown[] | undefined {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  let swap: (a: unknown, b: unknown) => boolean;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw new JsonataError('D3070', { index: 1 });
    swap = (a, b) => (a as number) > (b as number);
  } else {
    swap = (a, b) => Boolean(callFunction(comparator, [a, b], null));
  }
  return mergeSort(arr, swap);
}

function mergeSort(array: unknown[], swap: (a: unknown, b: unknown) => boolean): unknown[] {
  if (array.length <= 1) return array;
  const middle = Math.floor(array.length / 2);
  const left = mergeSort(array.slice(0, middle), swap);
  const right = mergeSort(array.slice(middle), swap);
  const merged: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (swap(left[i], right[j])) merged.push(right[j++]);
    else merged.push(left[i++]);
  }
  while (i < left.length) merged.push(left[i++]);
  while (j < right.length) merged.push(right[j++]);
  return merged;
}
