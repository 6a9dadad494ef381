/**
 * JSONata's value semantics, written to give exactly what jsonata 2.2.2 gives (its utils and the
 * value functions the evaluator leans on): numbers, truthiness, deep equality, $string's
 * serialisation, property lookup over sequences, $append and $type.
 */
import { JsonataError } from './jsonata-error.js';
import { createSequence, functionStored, outerWrapper } from './evaluation-state.js';

/** A finite number; an infinite one is an error (D1001), NaN is not numeric. */
export function isNumeric(n: unknown): n is number {
  if (typeof n !== 'number') return false;
  if (n !== n) return false;
  if (n === Infinity || n === -Infinity) throw new JsonataError('D1001', { value: n });
  return true;
}

export function isArrayOfNumbers(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  let ok = true;
  // Every item is tested (no early exit), as JSONata's filter() does: an infinite item throws.
  for (let i = 0; i < value.length; i++) if (!isNumeric(value[i])) ok = false;
  return ok;
}

export function isArrayOfStrings(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

/** $boolean: JSONata's effective boolean value; undefined stays undefined. */
export function toBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) {
      let trues = 0;
      for (let i = 0; i < arg.length; i++) if (toBoolean(arg[i])) trues++;
      return trues > 0;
    }
    return false;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (arg !== null && typeof arg === 'object') return Object.keys(arg).length > 0;
  return arg === true;
}

/** The operands of `and` / `or` and conditions: undefined counts as false. */
export function boolize(value: unknown): boolean {
  return toBoolean(value) === true;
}

export function deepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!deepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    const lkeys = Object.getOwnPropertyNames(lhs).sort();
    const rkeys = Object.getOwnPropertyNames(rhs).sort();
    if (lkeys.length !== rkeys.length) return false;
    for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
    for (const key of lkeys) {
      if (!deepEqual((lhs as Record<string, unknown>)[key], (rhs as Record<string, unknown>)[key])) return false;
    }
    return true;
  }
  return false;
}

function jsonReplacer(_key: string, val: unknown): unknown {
  if (val !== undefined && val !== null && isNumeric(val)) {
    return Number.isInteger(val) ? val : Number(val.toPrecision(15));
  }
  return typeof val === 'function' ? '' : val;
}

/** $string: strings as they are, functions as "", everything else as JSON (15 significant digits). */
export function toJsonataString(arg: unknown, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'function') return '';
  if (typeof arg === 'number' && !Number.isFinite(arg)) throw new JsonataError('D3001', { value: arg });
  let value = arg;
  if (Array.isArray(value) && value === outerWrapper()) value = value[0];
  if (prettify) return JSON.stringify(value, jsonReplacer, 2);
  if (typeof value === 'object' && value !== null && !functionStored()) {
    // The native serialiser gives the same text, unless a number has more than 15 significant
    // digits (JSONata rounds them) or is infinite (JSONata fails, JSON says null), or a value is a
    // function (none is, in any container of this evaluation): then the slow way.
    const text = JSON.stringify(value);
    if (!LONG_NUMBER.test(text) && !text.includes('null')) return text;
  }
  return serialise(value) as string;
}

/** A run of 16 digits and dots: a number that may have more than 15 significant digits. */
const LONG_NUMBER = /\d[\d.]{15}/;

/**
 * JSON.stringify(value, jsonReplacer) written out for JSON values: the same text, without a call
 * from the native serialiser back into JavaScript for every value. (A "toJSON" key is an ordinary
 * key here: JSON data has no methods, and JSONata's own function values are not callable.)
 */
function serialise(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (isNumeric(value)) return String(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
      return 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'function':
      return '""';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += serialise(value[i]) ?? 'null';
        }
        return out + ']';
      }
      let out = '{';
      let first = true;
      for (const k of Object.keys(value)) {
        const item = serialise((value as Record<string, unknown>)[k]);
        if (item === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + item;
        first = false;
      }
      return out + '}';
    }
    default:
      return undefined;
  }
}

/** Property lookup, mapped over arrays (flattening array results one level). */
export function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res !== undefined) {
        if (Array.isArray(res)) {
          for (let j = 0; j < res.length; j++) result.push(res[j]);
        } else {
          result.push(res);
        }
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, key)) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

/** $append: undefined arguments are ignored; non-arrays are treated as one-item arrays. */
export function append(arg1: unknown, arg2: unknown): unknown {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  const first = Array.isArray(arg1) ? arg1 : [arg1];
  const out = first.slice();
  if (Array.isArray(arg2)) {
    for (let i = 0; i < arg2.length; i++) out.push(arg2[i]);
  } else {
    out.push(arg2);
  }
  return out;
}

export function typeOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (isNumeric(value)) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'function') return 'function';
  return 'object';
}

/** Object.keys for objects, [] for anything else (JSONata's utils.keys). */
export function ownKeys(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

/** Sets a key on an object built by compiled code; "__proto__" stays a key, never the prototype. */
export function setProp(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The characters (code points) of a string, as JSONata counts and slices them. */
export function codePoints(str: string): string[] {
  return Array.from(str);
}

export function codePointLength(str: string): number {
  if (!SURROGATE.test(str)) return str.length;
  let n = 0;
  for (let i = 0; i < str.length; i++, n++) if (isPairAt(str, i)) i++;
  return n;
}

function isPairAt(str: string, i: number): boolean {
  const c = str.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= str.length) return false;
  const d = str.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/** The code-unit offset of code point number `count` (or the string's length when it has fewer). */
function unitOffset(str: string, count: number): number {
  let i = 0;
  for (let n = 0; n < count && i < str.length; n++) i += isPairAt(str, i) ? 2 : 1;
  return i;
}

/** JSONata's ToIntegerOrInfinity of a slice bound. */
function integer(x: number): number {
  return x !== x ? 0 : x === Infinity || x === -Infinity ? x : Math.trunc(x);
}

/**
 * Array.prototype.slice over the code points of `str`, joined — without splitting the string:
 * only the code points before the end of the slice are walked (all of them only for a bound
 * counted from the end).
 */
export function sliceCodePoints(str: string, start: number, end?: number): string {
  let from = integer(start);
  let to = end === undefined ? Infinity : integer(end);
  if (from < 0 || to < 0) {
    const length = codePointLength(str);
    from = from < 0 ? Math.max(length + from, 0) : from;
    to = to < 0 ? Math.max(length + to, 0) : to;
  }
  if (to <= from) return '';
  const first = unitOffset(str, from);
  if (to === Infinity) return str.slice(first);
  let i = first;
  for (let n = from; n < to && i < str.length; n++) i += isPairAt(str, i) ? 2 : 1;
  return str.slice(first, i);
}
