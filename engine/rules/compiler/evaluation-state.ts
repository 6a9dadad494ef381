/**
 * The state of the one compiled evaluation running right now, and the few primitives every part
 * of the compiled code shares: JSONata's sequence flags, function values and their calls, and the
 * guard rails (call depth, time limit).
 *
 * Compiled rules are synchronous, so exactly one evaluation runs at a time and its state can live
 * in a module variable (saved and restored around an evaluation, in case one ever nests).
 *
 * JSONata marks its arrays with flags (a result "sequence", "keep singleton", "constructed by
 * […]") by setting properties on the arrays themselves. Compiled code does the same, under a
 * symbol and only on arrays it created itself (never on an input), and a flag counts only in the
 * evaluation that set it (it holds that evaluation's number). Whenever a flagged array is put into
 * an object or array, the evaluation notes it, and its result is then copied to plain JSON: what a
 * rule returns carries no flag — exactly as if it had been normalised, as the interpreted path is.
 */
import { JsonataError } from './jsonata-error.js';

/** A JSONata function value (lambda, built-in, helper, regex matcher) as compiled code holds it. */
export interface JFn {
  (args: unknown[], context: unknown): unknown;
  /** What JSONata's getFunctionArity reports: how many arguments higher-order functions pass. */
  arity: number;
  /** Set on built-ins and helpers whose signature takes the context for a missing argument. */
  usesContext?: boolean;
}

export function makeFn(call: (args: unknown[], context: unknown) => unknown, arity: number, usesContext = false): JFn {
  const fn = call as JFn;
  fn.arity = arity;
  if (usesContext) fn.usesContext = true;
  return fn;
}

/** A call in tail position, returned to the caller's trampoline instead of growing the stack. */
export class TailCall {
  constructor(
    readonly fn: unknown,
    readonly args: unknown[],
  ) {}
}

const SEQUENCE = 1;
const KEEP_SINGLETON = 2;
const CONSTRUCTED = 4;
/** The flags of an array compiled code created: the evaluation's base number plus the flag bits. */
export const FLAGS: unique symbol = Symbol('jsonata flags');
let nextBase = 0;

type Flagged = unknown[] & { [FLAGS]?: number };

/**
 * A flagged array of every elements kind (small integers, doubles, anything; packed and holey),
 * alive for the life of the process. Optimised code that reads or sets the flag holds the hidden
 * classes of flagged arrays weakly; a full GC that finds none alive (all of them belonged to
 * finished evaluations) drops those classes, and V8 throws that code away to optimise it again
 * under load. One live instance of each class keeps them. (Exported so that it lives in the
 * module's bindings: a top-level constant nothing reads may be dropped once the module has run.)
 */
export const FLAGGED_CLASSES: readonly unknown[][] = [[1], [1, , 1], [1.5], [1.5, , 1.5], ['x'], ['x', , 'x'], []].map((array) => {
  (array as Flagged)[FLAGS] = 0;
  return array;
});

export interface EvaluationState {
  /** This evaluation's flag base: flags set by earlier evaluations are below it. */
  base: number;
  /** The wrapper JSONata puts around an array input (its `outerWrapper` sequence). */
  outer: unknown;
  depth: number;
  maxDepth: number;
  calls: number;
  started: number;
  timeoutMs: number;
  /** A function value or a flagged array was put into an array or object: the result must be cleaned. */
  functionStored: boolean;
}

function newState(): EvaluationState {
  return { base: 0, outer: undefined, depth: 0, maxDepth: 0, calls: 0, started: 0, timeoutMs: 0, functionStored: false };
}

/** One state per level of evaluations in progress (more than one only if an evaluation ever nests). */
const states: EvaluationState[] = [newState()];
let level = 0;
let current: EvaluationState = states[0];

/** Starts an evaluation with its own limits and a fresh flag base; end it with endEvaluation(). */
export function beginEvaluation(maxDepth: number, timeoutMs: number): void {
  level++;
  const state = (states[level] ??= newState());
  nextBase += 8;
  state.base = nextBase;
  state.outer = undefined;
  state.depth = 0;
  state.maxDepth = maxDepth;
  state.calls = 0;
  state.started = 0;
  state.timeoutMs = timeoutMs;
  state.functionStored = false;
  current = state;
}

export function endEvaluation(): void {
  current.outer = undefined; // keep no reference to an input after the evaluation
  level--;
  current = states[level];
}

export function outerWrapper(): unknown {
  return current.outer;
}

export function setOuterWrapper(sequence: unknown[]): void {
  current.outer = sequence;
}

function flagsOf(array: unknown): number {
  const flags = (array as Flagged)[FLAGS];
  if (flags === undefined) return 0;
  const base = current.base;
  return flags >= base ? flags - base : 0;
}

/** Only for arrays compiled code created. */
function addFlag(array: unknown[], flag: number): void {
  (array as Flagged)[FLAGS] = current.base + (flagsOf(array) | flag);
}

/** JSONata's createSequence(): an array flagged as a result sequence. */
export function createSequence(...items: unknown[]): unknown[] {
  (items as Flagged)[FLAGS] = current.base + SEQUENCE;
  return items;
}

/** Flags an array that compiled code has just built, and that nobody else holds, as a result sequence. */
export function asSequence(fresh: unknown[]): unknown[] {
  (fresh as Flagged)[FLAGS] = current.base + SEQUENCE;
  return fresh;
}

/** Whether an array carries flags (from any evaluation): such an array must not be returned. */
export function isFlagged(value: unknown): boolean {
  return Array.isArray(value) && (value as Flagged)[FLAGS] !== undefined;
}

export function isSequence(value: unknown): boolean {
  return Array.isArray(value) && (flagsOf(value) & SEQUENCE) !== 0;
}

export function isConstructed(value: unknown): boolean {
  return (flagsOf(value) & CONSTRUCTED) !== 0;
}

export function markConstructed(array: unknown[]): void {
  addFlag(array, CONSTRUCTED);
}

/** Marks a sequence as kept (an array that is no sequence — possibly the input's — is left alone). */
export function markKeepSingleton(array: unknown[]): void {
  if ((flagsOf(array) & SEQUENCE) !== 0) addFlag(array, KEEP_SINGLETON);
}

/**
 * The end of JSONata's evaluate(): a result sequence of one item becomes the item (unless it is
 * kept as an array by `[]`), an empty one becomes nothing.
 */
export function finish(result: unknown, keepArray: boolean): unknown {
  if (!Array.isArray(result)) return result;
  const flags = flagsOf(result);
  if ((flags & SEQUENCE) === 0) return result;
  if (keepArray) addFlag(result, KEEP_SINGLETON);
  if (result.length === 0) return undefined;
  if (result.length === 1) return keepArray || (flags & KEEP_SINGLETON) !== 0 ? result : result[0];
  return result;
}

/** Records that a function or a flagged array went into a container (see EvaluationState.functionStored). */
export function noteStored(value: unknown): void {
  // Only arrays carry flags: an object is never looked up for the symbol (a slow miss on a plain object).
  if (typeof value === 'function' || (Array.isArray(value) && (value as Flagged)[FLAGS] !== undefined)) current.functionStored = true;
}

export function functionStored(): boolean {
  return current.functionStored;
}

/**
 * Depth and time guard at every lambda call. The clock is read once every 1024 calls, and first
 * then: an evaluation that makes fewer calls (nearly all of them) never reads it, and one that loops
 * is timed from its 1024th call — a few microseconds later than its start.
 */
export function enterCall(): void {
  const state = current;
  if (++state.depth > state.maxDepth && state.maxDepth > 0) throw new JsonataError('D1011');
  if ((++state.calls & 1023) === 0 && state.timeoutMs > 0) checkClock(state);
}

function checkClock(state: EvaluationState): void {
  const now = Date.now();
  if (state.started === 0) state.started = now;
  else if (now - state.started > state.timeoutMs) throw new JsonataError('D1012');
}

export function exitCall(): void {
  current.depth--;
}


/**
 * JSONata's apply(): calls a function value and runs the trampoline of tail calls. `context` is
 * the input at the call site, which built-ins use for a missing argument.
 */
export function callFunction(fn: unknown, args: unknown[], context: unknown): unknown {
  if (typeof fn !== 'function') throw new JsonataError('T1006', { value: fn });
  let result = (fn as JFn)(args, context);
  while (result instanceof TailCall) {
    const next = result.fn;
    if (typeof next !== 'function') throw new JsonataError('T1006', { value: next });
    result = (next as JFn)(result.args, context);
  }
  return result;
}
