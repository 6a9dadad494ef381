/**
 * Generates the JavaScript of one rule from its JSONata syntax tree, node by node, mirroring
 * jsonata 2.2.2's evaluator: the same order of evaluation, the same sequence handling, the same
 * errors. Each node becomes statements that leave its value in a temporary (or a literal); no
 * value is read after a later statement could have changed what it depends on.
 *
 * Paths and predicates are in generate-paths.ts, variables, lambdas and calls in
 * generate-functions.ts; this file holds the rest and the dispatch.
 */
import type { AstNode } from './ast.js';
import { CodeWriter, Constants, key, literal, NameSource, ownProperty } from './code-writer.js';
import { generatePath, generatePredicates } from './generate-paths.js';
import { builtinCalled, generateApply, generateCall, generateLambda, generateTailCall, generateVariable, PLAIN_RESULT_BUILTINS, readsOutside } from './generate-functions.js';
import { UnsupportedFeature } from './jsonata-error.js';
import type { Scope, ScopeAnalysis } from './scopes.js';

/** Where code is being generated: the JSONata scope, the context's identifier, the function written. */
export interface At {
  scope: Scope;
  input: string;
  w: CodeWriter;
}

export class Generator {
  readonly constants = new Constants();
  /** The hoisted function whose body is being generated (its name), if any. */
  inside: string | undefined;
  /** Strongly connected component of each hoisted function in the graph of their references. */
  component = new Map<string, number>();

  constructor(
    readonly names: NameSource,
    readonly analysis: ScopeAnalysis,
    /** Helpers and $config by name (JSONata's expression frame). */
    readonly globals: ReadonlyMap<string, unknown>,
    /** Hoisted functions: name → identifier of the direct-call function (F…) and of its value (F…v). */
    readonly hoisted: ReadonlyMap<string, { fn: string; value: string; arity: number }>,
  ) {}

  /** Whether a tail call of the hoisted function `name` from here may be a direct call. */
  mayCallDirectly(name: string): boolean {
    const here = this.inside === undefined ? undefined : this.component.get(this.inside);
    return here !== undefined && this.component.get(name) !== here;
  }

  /** The value of `node`: statements written to `at.w`, and an expression that is safe to read later. */
  expr(node: AstNode, at: At): string {
    if (node.group && node.type !== 'path') throw new UnsupportedFeature('group-by');
    let value = this.core(node, at);
    const keepArray = node.keepArray === true;
    if (node.predicate) {
      const last = node.predicate[node.predicate.length - 1];
      if (!keepArray && last.type === 'filter' && last.expr?.type === 'number') {
        // `[n]` last: the item itself is what finishing the one-item result would give.
        value = generatePredicates(this, node.predicate.slice(0, -1), value, at);
        return this.assign(at, pickCode(value, last.expr.value as number, this.constants));
      }
      value = generatePredicates(this, node.predicate, value, at);
      return this.finish(at, value, keepArray);
    }
    if (keepArray) return this.finish(at, value, true);
    if (readsOutside(this, node, at.scope)) return value;
    if (mayBeSequence(node) && !PLAIN_RESULT_BUILTINS.has(builtinCalled(this, node, at.scope) ?? '')) return this.finish(at, value, false);
    return value;
  }

  /**
   * finish(value): with the usual case — anything but a flagged array, which finish leaves as it
   * is — tested right here. Each generated test keeps its own inline cache for the flag lookup;
   * the one inside finish() meets every kind of array of every rule and is slow (megamorphic).
   */
  finish(at: At, value: string, keepArray: boolean): string {
    return this.assign(at, `Array.isArray(${value}) && ${value}[FL] !== undefined ? finish(${value}, ${keepArray}) : ${value}`);
  }

  /** A fresh temporary holding `code`, evaluated now. */
  assign(at: At, code: string): string {
    const t = at.w.temp();
    at.w.line(`${t} = ${code};`);
    return t;
  }

  private core(node: AstNode, at: At): string {
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        return literal(node.value, this.constants);
      case 'name': {
        // An object's own key read here, with an inline cache of its own; anything else by name().
        const [x, k] = [at.input, key(node.value as string)];
        return this.assign(at, `typeof ${x} === 'object' && ${x} !== null && !Array.isArray(${x}) ? ${ownProperty(x, node.value as string)} : name(${x}, ${k})`);
      }
      case 'path':
        return generatePath(this, node, at);
      case 'variable':
        return generateVariable(this, node, at);
      case 'wildcard':
        return this.assign(at, `wildcard(${at.input})`);
      case 'descendant':
        return this.assign(at, `descendants(${at.input})`);
      case 'binary':
        return this.binary(node, at);
      case 'unary':
        return this.unary(node, at);
      case 'condition':
        return this.condition(node, at);
      case 'block':
        return this.block(node, at);
      case 'bind':
        return this.bind(node, at);
      case 'lambda':
        return node.thunk ? generateTailCall(this, node, at) : generateLambda(this, node, at);
      case 'function':
        return generateCall(this, node, at);
      case 'apply':
        return generateApply(this, node, at);
      case 'regex':
        return this.assign(at, `matcher(${this.constants.ref(new RegExp(node.value as RegExp))})`);
      case 'partial':
        throw new UnsupportedFeature('partial application');
      case 'transform':
        throw new UnsupportedFeature('transform (|…|…|)');
      case 'parent':
        throw new UnsupportedFeature('parent operator (%)');
      case 'sort':
        throw new UnsupportedFeature('order-by (^)');
      default:
        throw new UnsupportedFeature(`expression of type ${node.type}`);
    }
  }

  private binary(node: AstNode, at: At): string {
    const op = node.value as string;
    if (op === 'and' || op === 'or') {
      const lhs = this.truth(node.lhs as AstNode, at);
      const result = at.w.temp();
      at.w.open(op === 'and' ? `if (${lhs}) {` : `if (!${lhs}) {`);
      at.w.line(`${result} = ${this.truth(node.rhs as AstNode, at)};`);
      at.w.close(`} else ${result} = ${op === 'or'};`);
      return result;
    }
    const fn = BINARY[op];
    if (!fn) throw new UnsupportedFeature(`operator ${op}`);
    const lhs = this.expr(node.lhs as AstNode, at);
    const rhs = this.expr(node.rhs as AstNode, at);
    if (op === '&') return this.assign(at, `str(${lhs}) + str(${rhs})`);
    // Against a literal that is not an array or object, equality is identity.
    if ((op === '=' || op === '!=') && (isLiteral(node.lhs) || isLiteral(node.rhs))) {
      return this.assign(at, op === '=' ? `${lhs} === ${rhs}` : `${lhs} !== undefined && ${rhs} !== undefined && ${lhs} !== ${rhs}`);
    }
    return this.assign(at, `${fn}(${lhs}, ${rhs})`);
  }

  private unary(node: AstNode, at: At): string {
    if (node.value === '-') return this.assign(at, `neg(${this.expr(node.expression!, at)})`);
    if (node.value === '[') return this.array(node, at);
    if (node.value === '{') return this.object(node, at);
    throw new UnsupportedFeature(`unary operator ${node.value}`);
  }

  /** A JavaScript boolean: whether `node`'s value counts as true (JSONata's $boolean, nothing as false). */
  truth(node: AstNode, at: At): string {
    const value = this.expr(node, at);
    return isBoolean(node) ? value : `(bool(${value}) === true)`;
  }

  private condition(node: AstNode, at: At): string {
    const test = this.truth(node.condition!, at);
    const result = at.w.temp();
    at.w.open(`if (${test}) {`);
    at.w.line(`${result} = ${this.expr(node.then!, at)};`);
    if (node.else) {
      at.w.close('} else {');
      at.w.open('');
      at.w.line(`${result} = ${this.expr(node.else, at)};`);
      at.w.close();
    } else {
      at.w.close(`} else ${result} = undefined;`);
    }
    return result;
  }

  private block(node: AstNode, at: At): string {
    const scope = this.analysis.scopeOf.get(node)!;
    const statements = node.expressions!;
    if (statements.length === 0) return 'undefined';
    const result = at.w.temp();
    at.w.open('{');
    const local = [...scope.vars].filter(([name]) => !scope.hoisted.has(name)).map(([, id]) => `${id} = U`);
    if (local.length > 0) at.w.line(`let ${local.join(', ')};`);
    const inner: At = { scope, input: at.input, w: at.w };
    statements.forEach((statement, i) => {
      scope.statement = i;
      if (statement.type === 'bind' && scope.hoisted.has(statement.lhs.value as string)) return; // compiled once per rule
      const value = this.expr(statement, inner);
      if (i === statements.length - 1) at.w.line(`${result} = ${value};`);
    });
    scope.statement = -1;
    at.w.close();
    return result;
  }

  private bind(node: AstNode, at: At): string {
    const id = at.scope.vars.get(node.lhs.value as string)!;
    const value = this.expr(node.rhs as AstNode, at);
    at.w.line(`${id} = ${value};`);
    return this.assign(at, id);
  }

  private array(node: AstNode, at: At): string {
    const items = node.expressions!;
    const single = (item: AstNode) => isLiteral(item) || (item.type === 'unary' && item.value === '{' && !item.predicate);
    // The leading items that are one value each are evaluated first and make the array, sized
    // exactly (one made empty and grown by push() first makes room for 17 items).
    let lead = 0;
    while (lead < items.length && single(items[lead])) lead++;
    const result = this.assign(at, `[${items.slice(0, lead).map((item) => this.expr(item, at)).join(', ')}]`);
    for (const item of items.slice(lead)) {
      const value = this.expr(item, at);
      if (single(item)) at.w.line(`${result}.push(${value});`);
      else at.w.line(`arrayAdd(${result}, ${value}, ${item.value === '['});`);
    }
    if (node.consarray) at.w.line(`constructed(${result});`);
    return result;
  }

  private object(node: AstNode, at: At): string {
    const pairs = node.lhs as Array<[AstNode, AstNode]>;
    const keys = pairs.map(([k]) => k.value as string);
    const literalKeys =
      pairs.every(([k]) => k.type === 'string' && !k.predicate && !k.keepArray && !k.group) &&
      new Set(keys).size === keys.length &&
      !keys.some((k) => /^(0|[1-9][0-9]*)$/.test(k) || k === '_jsonata_lambda' || k === '_jsonata_function');
    if (!literalKeys) {
      const closures = (side: 0 | 1) => `[${pairs.map((pair) => this.closure(pair[side], at)).join(', ')}]`;
      return this.assign(at, `group(${at.input}, ${closures(0)}, ${closures(1)})`);
    }
    // JSONata groups the items of a sequence input by key; with literal keys (all different, none an
    // array index, so visited in the order written) every value sees the same, gathered, context.
    const context = this.names.next('i');
    at.w.line(`const ${context} = Array.isArray(${at.input}) ? groupData(${at.input}) : ${at.input};`);
    const inner: At = { scope: at.scope, input: context, w: at.w };
    const result = this.assign(at, '{}');
    pairs.forEach(([, v], i) => {
      const value = this.expr(v, inner);
      const set = keys[i] === '__proto__' ? `setProp(${result}, "__proto__", ${value})` : `${result}[${key(keys[i])}] = ${value}`;
      const plainValue = neverFlagged(v) || PLAIN_RESULT_BUILTINS.has(builtinCalled(this, v, at.scope) ?? '');
      if (isLiteral(v)) at.w.line(`${set};`);
      else at.w.line(`if (${value} !== undefined) { ${plainValue ? '' : `note(${value}); `}${set}; }`);
    });
    return result;
  }

  /** `node` as an arrow function of its context, for runtime helpers that choose the context. */
  closure(node: AstNode, at: At): string {
    const param = this.names.next('i');
    const w = new CodeWriter(this.names);
    const value = this.expr(node, { scope: at.scope, input: param, w });
    return `(${param}) => {\n${w.body()}\n  return ${value};\n}`;
  }
}

/**
 * `[n]` with a literal n, finished: what pick() does, written out for an integer position so that
 * the read has an inline cache of its own. A single value is a one-item sequence.
 */
function pickCode(value: string, position: number, constants: Constants): string {
  const index = Math.floor(position);
  if (!Number.isSafeInteger(index)) return `pick(${value}, ${literal(position, constants)})`;
  const single = index === 0 || index === -1 ? value : 'undefined';
  return `Array.isArray(${value}) ? ${value}[${index >= 0 ? index : `${value}.length - ${-index}`}] : ${single}`;
}

const BINARY: Record<string, string> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod',
  '=': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge',
  '&': 'str', in: 'includes', '..': 'range',
};

/** A node whose value is always true or false. */
function isBoolean(node: AstNode): boolean {
  if (node.predicate || node.keepArray) return false;
  if (node.type === 'binary') return ['and', 'or', '=', '!=', 'in'].includes(node.value as string);
  return node.type === 'value' && typeof node.value === 'boolean';
}

/** A string, number, true, false or null as written (never undefined, never an array). */
function isLiteral(node: AstNode): boolean {
  return (node.type === 'string' || node.type === 'number' || node.type === 'value') && !node.predicate && !node.keepArray;
}

/** A value that is never a function or a flagged array (so storing it needs no note). */
function neverFlagged(node: AstNode): boolean {
  if (node.predicate || node.keepArray) return false;
  if (node.type === 'unary') return node.value === '{' || node.value === '-' || (node.value === '[' && !node.consarray);
  if (node.type === 'binary') return node.value !== '..';
  return node.type === 'string' || node.type === 'number' || node.type === 'value';
}

/** Node types whose own value may be a fresh result sequence (others pass on finished values). */
function mayBeSequence(node: AstNode): boolean {
  switch (node.type) {
    case 'path':
    case 'variable':
    case 'function':
    case 'apply':
    case 'wildcard':
    case 'descendant':
      return true;
    case 'binary':
      return node.value === '..';
    default:
      return false;
  }
}
