/**
 * Variables, lambdas, calls, `~>` and tail calls as generated code.
 *
 * Calls follow jsonata 2.2.2: the procedure is evaluated first, then the arguments; a built-in or
 * helper takes the call site's input for an argument its signature takes from the context; a
 * function passed as an argument is wrapped so that it no longer sees that context. A call in tail
 * position of a lambda (JSONata marks it as a thunk) returns a TailCall to the caller's trampoline,
 * so tail recursion runs in constant stack, as in the interpreter. A call of a hoisted function
 * (see scopes.ts) is a direct JavaScript call.
 */
import type { AstNode } from './ast.js';
import { builtinFunction, UNSUPPORTED_BUILTINS, type CheckedFunction } from './builtin-registry.js';
import { CodeWriter } from './code-writer.js';
import type { At, Generator } from './generator.js';
import { UnsupportedFeature } from './jsonata-error.js';
import { ROOT_NAMES, type Scope } from './scopes.js';
import type { JFn } from './evaluation-state.js';

/** What a name refers to where it is used. */
type Target =
  | { kind: 'hoisted'; fn: string; value: string }
  | { kind: 'global'; value: unknown }
  | { kind: 'dynamic'; read: string };

function definiteIn(s: Scope, name: string): boolean {
  if (s.kind === 'root') return !s.binds.has(name);
  return s.params.has(name) || (s.kind === 'block' && (s.directBindAt.get(name) ?? Infinity) < s.statement);
}

function globalValue(g: Generator, name: string): unknown {
  if (g.globals.has(name)) return g.globals.get(name);
  if (UNSUPPORTED_BUILTINS.has(name)) throw new UnsupportedFeature(`$${name}`);
  return builtinFunction(name);
}

function resolve(g: Generator, name: string, scope: Scope): Target {
  const chain: string[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const id = s.vars.get(name);
    if (id === undefined) continue;
    const hoisted = s.hoisted.get(name);
    if (hoisted !== undefined) {
      const info = g.hoisted.get(name)!;
      if (chain.length === 0) return { kind: 'hoisted', fn: info.fn, value: info.value };
      return { kind: 'dynamic', read: readChain(chain, info.value) };
    }
    if (definiteIn(s, name)) return { kind: 'dynamic', read: readChain(chain, id) };
    chain.push(id);
  }
  const value = globalValue(g, name);
  if (chain.length === 0) return { kind: 'global', value };
  return { kind: 'dynamic', read: readChain(chain, value === undefined ? 'undefined' : g.constants.ref(value)) };
}

/** `(a !== U ? a : b !== U ? b : last)`: the first of the candidate variables that is bound. */
function readChain(chain: string[], last: string): string {
  return chain.reduceRight((rest, id) => `(${id} !== U ? ${id} : ${rest})`, last);
}

function read(g: Generator, target: Target): string {
  if (target.kind === 'hoisted') return target.value;
  if (target.kind === 'global') return target.value === undefined ? 'undefined' : g.constants.ref(target.value);
  return target.read;
}

export function generateVariable(g: Generator, node: AstNode, at: At): string {
  const name = node.value as string;
  if (name === '') return g.assign(at, `dollar(${at.input})`);
  return g.assign(at, read(g, resolve(g, name, at.scope)));
}

/**
 * Whether a variable reference reads $request, $state or $$ for sure: values from outside the
 * evaluation, never one of its result sequences (so finishing them changes nothing).
 */
export function readsOutside(g: Generator, node: AstNode, scope: Scope): boolean {
  const name = node.value as string;
  if (node.type !== 'variable' || !(ROOT_NAMES as readonly string[]).includes(name) || node.predicate || node.keepArray) return false;
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.vars.has(name)) return s.kind === 'root' && !s.binds.has(name);
  return false;
}

function plain(node: AstNode): boolean {
  return !node.predicate && !node.keepArray && !node.group && !node.stages;
}

/** Argument nodes whose value may be a function that takes the context (so it must be wrapped). */
const MAY_BE_CONTEXT_FUNCTION = new Set(['variable', 'path', 'function', 'apply', 'condition', 'block', 'bind']);

function argument(g: Generator, node: AstNode, at: At): string {
  const value = g.expr(node, at);
  return MAY_BE_CONTEXT_FUNCTION.has(node.type) ? g.assign(at, `asArg(${value})`) : value;
}

/** The built-in a call node calls, when it calls one for sure (its name bound nowhere, no helper of that name). */
export function builtinCalled(g: Generator, node: AstNode, scope: Scope): string | undefined {
  if (node.type !== 'function' || node.predicate || node.keepArray) return undefined;
  const procedure = node.procedure!;
  if (procedure.type !== 'variable' || procedure.value === '' || !plain(procedure)) return undefined;
  const name = procedure.value as string;
  const target = resolve(g, name, scope);
  return target.kind === 'global' && target.value !== undefined && target.value === builtinFunction(name) ? name : undefined;
}

/**
 * Built-ins that never answer with a result sequence (a value, a plain array or an object) — nor
 * with a function or a flagged array.
 */
export const PLAIN_RESULT_BUILTINS: ReadonlySet<string> = new Set([
  'exists', 'type', 'count', 'not', 'boolean', 'string', 'length', 'substring', 'substringBefore', 'substringAfter', 'uppercase',
  'lowercase', 'trim', 'pad', 'contains', 'join', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'sum', 'max', 'min',
  'average', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'merge', 'sift',
  'split', 'zip', 'clone', 'error', 'assert',
]);

/** Whether a built-in has a parameter that takes a function (and may call, keep or return it). */
function takesFunctions(name: string): boolean {
  const fn = builtinFunction(name) as Partial<CheckedFunction> | undefined;
  return fn?.signature?.takesFunctions ?? true;
}

/** Built-ins whose result cannot show whether a function argument was wrapped for them. */
const UNWRAPPED_ARGUMENTS = new Set(['exists', 'type', 'count', 'not', 'boolean', 'string']);

/** A call `proc(args…)`; with `first`, the `lhs ~> proc(args…)` form (lhs as the first argument). */
export function generateCall(g: Generator, node: AstNode, at: At, first?: string): string {
  const procedure = node.procedure!;
  let target: Target | undefined;
  if (procedure.type === 'variable' && procedure.value !== '' && plain(procedure)) target = resolve(g, procedure.value as string, at.scope);
  const proc = target && target.kind !== 'dynamic' ? undefined : g.expr(procedure, at);
  const called = builtinCalled(g, node, at.scope);
  const unwrapped = called !== undefined && (UNWRAPPED_ARGUMENTS.has(called) || !takesFunctions(called));
  const args = node.arguments!.map((arg) => (unwrapped ? g.expr(arg, at) : argument(g, arg, at)));
  if (first !== undefined) args.unshift(first);
  if (target?.kind === 'hoisted') {
    const result = g.assign(at, `${target.fn}(${args.join(', ')})`);
    at.w.line(`if (${result} instanceof TailCall) ${result} = trampoline(${result}, ${at.input});`);
    return result;
  }
  if (target?.kind === 'global' && typeof target.value === 'function') {
    return g.assign(at, checkedCall(g, procedure.value as string, target.value as JFn, args, at.input) ?? `${g.constants.ref(target.value)}([${args.join(', ')}], ${at.input})`);
  }
  const fn = proc ?? read(g, target!);
  return g.assign(at, `call(${fn}, [${args.join(', ')}], ${at.input})`);
}

const TYPE_TESTS: Record<string, (a: string) => string> = {
  s: (a) => `typeof ${a} === "string"`,
  n: (a) => `typeof ${a} === "number"`,
  b: (a) => `typeof ${a} === "boolean"`,
  l: (a) => `${a} === null`,
  o: (a) => `(typeof ${a} === "object" && ${a} !== null && !Array.isArray(${a}))`,
  a: (a) => `Array.isArray(${a})`,
  f: (a) => `typeof ${a} === "function"`,
  m: (a) => `${a} === undefined`,
};

/** A test that `arg` has one of the type symbols `accepts`; "" when it always has. */
function argumentTest(arg: string, accepts: string): string {
  if ('asnblfom'.split('').every((c) => accepts.includes(c))) return '';
  return `(${accepts.split('').map((c) => TYPE_TESTS[c](arg)).join(' || ')})`;
}

/** A test that `arg` suits an array parameter whose items have the type `items` ("" for any). */
function arrayArgumentTest(arg: string, items: string): string {
  if (items === '') return '';
  const type = items.charAt(0);
  if (!TYPE_TESTS[type]) return 'false';
  return `(Array.isArray(${arg}) ? arrayOf(${arg}, ${JSON.stringify(type)}) : (${arg} === undefined || ${TYPE_TESTS[type](arg)}))`;
}

/**
 * Built-ins whose signature accepts any value for each argument when called with exactly this
 * many (so there is nothing to check), called without building an argument list.
 */
const INLINE_BUILTINS: Record<string, (args: string[]) => string> = {
  'exists/1': ([a]) => `${a} !== undefined`,
  'type/1': ([a]) => `typeOf(${a})`,
  'count/1': ([a]) => `count1(${a})`,
  'not/1': ([a]) => `not1(${a})`,
  'boolean/1': ([a]) => `bool(${a})`,
  'string/1': ([a]) => `string1(${a})`,
  'append/2': ([a, b]) => `append(${a}, ${b})`,
  'keys/1': ([a]) => `keys(${a})`,
};

/**
 * A call of a built-in or helper whose arguments need no context: the implementation is called
 * directly when the arguments are of types its signature takes as they are (or wraps into a
 * one-item array), else through its signature check. Undefined when the call may need the context.
 */
function checkedCall(g: Generator, name: string, fn: JFn, args: string[], context: string): string | undefined {
  const inline = INLINE_BUILTINS[`${name}/${args.length}`];
  if (inline && fn === builtinFunction(name)) return inline(args);
  const checked = fn as Partial<CheckedFunction>;
  const plan = checked.signature?.quickPlan(args.length);
  if (!plan || !checked.implementation) return undefined;
  const generic = `${g.constants.ref(fn)}([${args.join(', ')}], ${context})`;
  const tests = plan.map((p, i) => (p.array ? arrayArgumentTest(args[i], p.items!) : argumentTest(args[i], p.accepts))).filter((t) => t !== '');
  const passed = plan.map((p, i) => (p.array ? `(Array.isArray(${args[i]}) || ${args[i]} === undefined ? ${args[i]} : [${args[i]}])` : args[i]));
  const direct = `${g.constants.ref(checked.implementation)}(${passed.join(', ')})`;
  return tests.length === 0 ? direct : `(${tests.join(' && ')}) ? ${direct} : ${generic}`;
}

/** A call in tail position (a JSONata thunk): evaluated here, called by the caller's trampoline. */
export function generateTailCall(g: Generator, node: AstNode, at: At): string {
  const call = node.body!;
  const procedure = call.procedure!;
  let fn: string;
  let direct: string | undefined;
  if (procedure.type === 'variable' && procedure.value !== '' && plain(procedure)) {
    const target = resolve(g, procedure.value as string, at.scope);
    fn = target.kind === 'dynamic' ? g.expr(procedure, at) : read(g, target);
    // A hoisted function that cannot lead back here is called directly: only a cycle of tail calls
    // needs the trampoline, and every such cycle stays within one strongly connected component.
    if (target.kind === 'hoisted' && g.mayCallDirectly(procedure.value as string)) direct = target.fn;
    // A built-in or helper returns no tail call: call it here, when it needs no context (a tail
    // call would give it the context of the lambda's caller).
    if (target.kind === 'global' && typeof target.value === 'function') {
      const args = call.arguments!.map((arg) => g.expr(arg, at));
      const code = checkedCall(g, procedure.value as string, target.value as JFn, args, at.input);
      if (code !== undefined) return g.assign(at, code);
      return g.assign(at, `new TailCall(${fn}, [${args.join(', ')}])`);
    }
  } else {
    fn = g.expr(procedure, at);
  }
  const args = call.arguments!.map((arg) => g.expr(arg, at));
  if (direct) return g.assign(at, `${direct}(${args.join(', ')})`);
  return g.assign(at, `new TailCall(${fn}, [${args.join(', ')}])`);
}

/**
 * The body of a lambda as a JavaScript function: `params` are its parameter list, `bind` the
 * statements giving the JSONata parameters their values.
 */
function lambdaFunction(g: Generator, node: AstNode, input: string, header: string, bindParams: (inner: Scope) => string[]): string {
  if (node.signature !== undefined) throw new UnsupportedFeature('lambda with a signature');
  const inner = g.analysis.scopeOf.get(node)!;
  const w = new CodeWriter(g.names);
  w.line('enter();');
  for (const line of bindParams(inner)) w.line(line);
  const locals = [...inner.vars].filter(([name]) => !inner.params.has(name)).map(([, id]) => `${id} = U`);
  if (locals.length > 0) w.line(`let ${locals.join(', ')};`);
  const value = g.expr(node.body!, { scope: inner, input, w });
  w.line('exit();');
  w.line(`return ${value};`);
  return `${header} {\n${w.body()}\n}`;
}

/** Each parameter's variable and the index of the argument it gets (the last one, for a repeated name). */
function params(node: AstNode, inner: Scope): Array<[string, number]> {
  const last = new Map<string, number>();
  node.arguments!.forEach((param, i) => last.set(param.value as string, i));
  return [...last].map(([name, i]) => [inner.vars.get(name)!, i]);
}

export function generateLambda(g: Generator, node: AstNode, at: At): string {
  const code = lambdaFunction(g, node, at.input, 'function (args)', (inner) => {
    const list = params(node, inner);
    return list.length > 0 ? [`let ${list.map(([id, i]) => `${id} = args[${i}]`).join(', ')};`] : [];
  });
  return g.assign(at, `fn(${code}, ${node.arguments!.length})`);
}

/** A hoisted function: `function F(a0, a1) {…}` for direct calls, and its value for everything else. */
export function hoistedFunction(g: Generator, node: AstNode, fn: string, value: string, input: string): string {
  const arity = node.arguments!.length;
  const positional = Array.from({ length: arity }, (_, i) => `a${i}`);
  const code = lambdaFunction(g, node, input, `function ${fn}(${positional.join(', ')})`, (inner) => {
    const list = params(node, inner);
    return list.length > 0 ? [`let ${list.map(([id, i]) => `${id} = a${i}`).join(', ')};`] : [];
  });
  return `${code}\nconst ${value} = fn((args) => ${fn}(${positional.map((_, i) => `args[${i}]`).join(', ')}), ${arity});`;
}

export function generateApply(g: Generator, node: AstNode, at: At): string {
  const lhs = g.expr(node.lhs as AstNode, at);
  const rhsNode = node.rhs as AstNode;
  if (rhsNode.type === 'function') return generateCall(g, rhsNode, at, lhs);
  const rhs = g.expr(rhsNode, at);
  return g.assign(at, `applyTo(${lhs}, ${rhs})`);
}
