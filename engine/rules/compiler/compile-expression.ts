/**
 * The compiler's entry point: a JSONata syntax tree in, a synchronous JavaScript function out,
 * giving exactly what jsonata 2.2.2's interpreter gives for every input — or an UnsupportedFeature
 * error at compile time, naming what it does not translate, so the rule stays interpreted.
 *
 * The function is generated JavaScript source (generator.ts), turned into a function once, at
 * load, with `new Function`. Nothing from the mapping becomes code: see code-writer.ts.
 */
import type { Helper } from '../helpers.js';
import { childrenOf, type AstNode } from './ast.js';
import { helperFunction } from './builtin-registry.js';
import { CodeWriter, NameSource } from './code-writer.js';
import { beginEvaluation, createSequence, endEvaluation, functionStored, isFlagged, setOuterWrapper } from './evaluation-state.js';
import { hoistedFunction } from './generate-functions.js';
import { Generator } from './generator.js';
import { isStackOverflow, JsonataError } from './jsonata-error.js';
import { runtime } from './runtime.js';
import { analyseScopes, hoistableFunctions } from './scopes.js';
import { setProp } from './values.js';

export interface CompileOptions {
  helpers: readonly Helper[];
  /** The value of `$config`. */
  config: unknown;
  /** JSONata's depth limit (nested evaluation steps); compiled code limits nested calls to a third of it. */
  maxDepth: number;
  /** Wall-clock limit of one evaluation, ms (0: none). */
  timeoutMs: number;
}

export interface CompiledExpression {
  /**
   * Evaluates synchronously. The result is plain JSON (no sequence flags, no functions, no
   * undefined members) and may share objects with the input; it throws a JsonataError (with
   * JSONata's code), a helper's own error, or NeedsInterpreter for an input to leave to JSONata.
   */
  evaluate(input: unknown, request: unknown, state: unknown): unknown;
  /** The generated JavaScript (for tests and for reading). */
  readonly source: string;
}

/**
 * JSONata counts about three nested evaluation steps per function call in a recursion; the
 * compiled depth counter counts calls.
 */
const STEPS_PER_CALL = 3;

/** The rule's context, kept where hoisted functions (compiled once per rule) can read it. */
const CONTEXT = 'R_in';

type RuleFunction = (input: unknown, request: unknown, state: unknown, root: unknown) => unknown;

export function compileExpression(ast: AstNode, options: CompileOptions): CompiledExpression {
  const { source, constants } = generate(ast, options);
  const [run, forget] = new Function('rt', 'k', source)(runtime, constants) as [RuleFunction, () => void];

  const maxCalls = options.maxDepth > 0 ? Math.max(1, Math.floor(options.maxDepth / STEPS_PER_CALL)) : 0;
  const timeoutMs = options.timeoutMs;
  return {
    // Generated again when asked (tests, reading) rather than kept: the sources of a mapping set
    // are megabytes, and V8 keeps its own copy of each for the function it compiled.
    get source() {
      return generate(ast, options).source;
    },
    evaluate(input, request, state) {
      beginEvaluation(maxCalls, timeoutMs);
      try {
        let context = input;
        if (Array.isArray(input)) {
          context = createSequence(input);
          setOuterWrapper(context as unknown[]);
        }
        const result = run(context, request, state, input);
        if (typeof result === 'function') return undefined;
        return functionStored() || isFlagged(result) ? toPlainJson(result) : result;
      } catch (err) {
        if (isStackOverflow(err)) throw new JsonataError('D1011');
        throw err;
      } finally {
        forget();
        endEvaluation();
      }
    },
  };
}

/** The rule's JavaScript source and the constants it reads (as `k`); the same for the same tree and options. */
function generate(ast: AstNode, options: CompileOptions): { source: string; constants: unknown[] } {
  const names = new NameSource();
  const analysis = analyseScopes(ast, names);
  const globals = new Map<string, unknown>();
  for (const helper of options.helpers) globals.set(helper.name, helperFunction(helper));
  globals.set('config', options.config);

  const hoistable = hoistableFunctions(ast, analysis);
  const hoisted = new Map<string, { fn: string; value: string; arity: number }>();
  if (hoistable.size > 0) {
    const block = analysis.scopeOf.get(ast)!;
    for (const [name, lambda] of hoistable) {
      const fn = names.next('F');
      hoisted.set(name, { fn, value: `${fn}v`, arity: lambda.arguments!.length });
      block.hoisted.set(name, fn);
    }
  }
  const g = new Generator(names, analysis, globals, hoisted);
  g.component = components(hoistable);
  const functions = [...hoistable].map(([name, lambda]) => {
    g.inside = name;
    const code = hoistedFunction(g, lambda, hoisted.get(name)!.fn, hoisted.get(name)!.value, CONTEXT);
    g.inside = undefined;
    return code;
  });

  const w = new CodeWriter(names);
  const root = analysis.root;
  const rootVars = [...root.vars.values()];
  w.line(`${CONTEXT} = input; ${rootVars[0]} = request; ${rootVars[1]} = state; ${rootVars[2]} = root;`);
  for (const id of rootVars.slice(3)) w.line(`${id} = U;`);
  const value = g.expr(ast, { scope: root, input: CONTEXT, w });
  w.line(`return ${value};`);

  const source = [
    '"use strict";',
    `const { ${Object.keys(runtime).join(', ')} } = rt;`,
    'const hasOwn = Object.prototype.hasOwnProperty;',
    `let ${[CONTEXT, ...rootVars].join(', ')};`,
    ...functions,
    // rule() evaluates; forget() drops the references to the last evaluation's values.
    `return [function rule(input, request, state, root) {\n${w.body()}\n}, function forget() { ${[CONTEXT, ...rootVars].join(' = ')} = undefined; }];`,
  ].join('\n');
  return { source, constants: g.constants.values };
}

/**
 * The strongly connected components (Tarjan) of the hoisted functions, an edge for every mention
 * of one function's name in another's body (a call or a value handed on: either may lead to a call).
 */
function components(functions: ReadonlyMap<string, AstNode>): Map<string, number> {
  const edges = new Map<string, string[]>();
  for (const [name, lambda] of functions) {
    const out = new Set<string>();
    const visit = (node: AstNode) => {
      if (node.type === 'variable' && functions.has(node.value as string)) out.add(node.value as string);
      for (const child of childrenOf(node)) visit(child);
    };
    visit(lambda);
    edges.set(name, [...out]);
  }
  const component = new Map<string, number>();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.set(w, next);
      } while (w !== v);
      next++;
    }
  };
  for (const name of functions.keys()) if (!index.has(name)) connect(name);
  return component;
}

/**
 * A plain JSON copy of a JSONata value: no sequence flags, no undefined members, no functions
 * (a function in an object is dropped, in an array it leaves an undefined member) — the same as
 * the engine's normalise(), which the interpreted path applies to every result.
 */
export function toPlainJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== undefined) out.push(toPlainJson(item));
    }
    return out;
  }
  if (typeof value === 'function') return undefined;
  if (value !== null && typeof value === 'object') {
    const v = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
    if (v._jsonata_lambda === true || v._jsonata_function === true) return undefined;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = toPlainJson((value as Record<string, unknown>)[key]);
      if (item !== undefined) setProp(out, key, item);
    }
    return out;
  }
  return value;
}
