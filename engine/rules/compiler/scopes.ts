/**
 * Where each variable of an expression lives, worked out once at compile time.
 *
 * JSONata binds variables in frames: every block `( … )` and every lambda call gets a new one, and
 * `$x := …` binds in the frame of the nearest enclosing block or lambda, when it runs. A lookup walks
 * outwards and takes the first frame that has the name bound. Generated code keeps that exact rule
 * with JavaScript's own scopes: each name a block or lambda binds becomes a `let` of that block or
 * function, starting out "unbound", and a reference becomes a short chain of candidates tried in
 * order. Where a bind certainly ran before the reference (an earlier statement of the same block,
 * or a parameter), the chain stops there and the read is a plain variable read.
 *
 * The functions a rule's prefix block binds (the pair's `functions:`, inlined) are hoisted: compiled
 * once per rule instead of created per evaluation, and called directly (see hoistableFunctions).
 */
import type { AstNode } from './ast.js';
import { childrenOf } from './ast.js';
import type { NameSource } from './code-writer.js';
import { UnsupportedFeature } from './jsonata-error.js';

export type ScopeKind = 'root' | 'block' | 'lambda';

export class Scope {
  /** Name → the JavaScript identifier of its variable in this scope. */
  readonly vars = new Map<string, string>();
  readonly params = new Set<string>();
  readonly binds = new Map<string, AstNode[]>();
  /** Name → index of the earliest statement of this block that is a bind of it. */
  readonly directBindAt = new Map<string, number>();
  /** Names bound to hoisted functions (root block only): name → the function's identifier. */
  readonly hoisted = new Map<string, string>();
  /** The statement of this block being generated right now. */
  statement = -1;
  statementCount = 0;

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
    private readonly names: NameSource,
  ) {}

  declare(name: string): string {
    let id = this.vars.get(name);
    if (id === undefined) {
      id = this.names.next('v');
      this.vars.set(name, id);
    }
    return id;
  }
}

/** The three names every rule has: $request, $state, and $$ (JSONata binds the input as "$"). */
export const ROOT_NAMES = ['request', 'state', '$'] as const;

export interface ScopeAnalysis {
  root: Scope;
  scopeOf: Map<AstNode, Scope>;
  /** The scope each variable reference is evaluated in. */
  referenceScope: Map<AstNode, Scope>;
}

export function analyseScopes(ast: AstNode, names: NameSource): ScopeAnalysis {
  const root = new Scope('root', undefined, names);
  for (const name of ROOT_NAMES) root.declare(name);
  const analysis: ScopeAnalysis = { root, scopeOf: new Map(), referenceScope: new Map() };
  walk(ast, root, analysis, names);
  return analysis;
}

function walk(node: AstNode, scope: Scope, analysis: ScopeAnalysis, names: NameSource): void {
  switch (node.type) {
    case 'block': {
      const inner = new Scope('block', scope, names);
      analysis.scopeOf.set(node, inner);
      inner.statementCount = node.expressions!.length;
      node.expressions!.forEach((statement, i) => {
        if (statement.type === 'bind') {
          const name = statement.lhs.value as string;
          if (!inner.directBindAt.has(name)) inner.directBindAt.set(name, i);
        }
        walk(statement, inner, analysis, names);
      });
      walkPostfix(node, scope, analysis, names);
      return;
    }
    case 'lambda': {
      if (node.thunk) break; // a tail call: evaluated in the scope of the lambda it ends
      const inner = new Scope('lambda', scope, names);
      analysis.scopeOf.set(node, inner);
      for (const param of node.arguments!) {
        inner.declare(param.value as string);
        inner.params.add(param.value as string);
      }
      walk(node.body!, inner, analysis, names);
      walkPostfix(node, scope, analysis, names);
      return;
    }
    case 'bind': {
      const name = node.lhs.value as string;
      if (name === '' || name === '$') throw new UnsupportedFeature('binding $ or $$');
      scope.declare(name);
      scope.binds.set(name, [...(scope.binds.get(name) ?? []), node]);
      walk(node.rhs as AstNode, scope, analysis, names);
      walkPostfix(node, scope, analysis, names);
      return;
    }
    case 'variable':
      analysis.referenceScope.set(node, scope);
      break;
  }
  for (const child of childrenOf(node)) walk(child, scope, analysis, names);
}

/** Predicates and group-by of a node are evaluated in the enclosing scope. */
function walkPostfix(node: AstNode, scope: Scope, analysis: ScopeAnalysis, names: NameSource): void {
  for (const p of node.predicate ?? []) walk(p.expr!, scope, analysis, names);
  for (const [k, v] of node.group?.lhs ?? []) {
    walk(k, scope, analysis, names);
    walk(v, scope, analysis, names);
  }
}

function plainNode(node: AstNode): boolean {
  return !node.predicate && !node.group && !node.keepArray && !node.stages;
}

/**
 * The functions of the rule's outermost block that can be compiled once per rule: the leading
 * statements of that block that bind a lambda (`$f := function(…){…};`, each name bound once),
 * whose bodies refer, outside themselves, only to each other, to $request, $state and $$, and to
 * the globals (helpers, $config, built-ins).
 *
 * Why this changes nothing: such statements only create functions, and nothing can run before the
 * last of them has, so every call sees all of them bound — as in JSONata; and creating a lambda has
 * no effect but capturing its scope, which for these holds only the other functions, per
 * evaluation the same.
 */
export function hoistableFunctions(ast: AstNode, analysis: ScopeAnalysis): Map<string, AstNode> {
  const found = new Map<string, AstNode>();
  if (ast.type !== 'block') return found;
  const block = analysis.scopeOf.get(ast)!;
  const statements = ast.expressions!;
  for (let i = 0; i < statements.length - 1; i++) {
    const statement = statements[i];
    if (statement.type !== 'bind') break;
    const name = statement.lhs.value as string;
    const lambda = statement.rhs as AstNode;
    if (!plainNode(statement) || lambda.type !== 'lambda' || lambda.thunk || !plainNode(lambda) || lambda.signature !== undefined) break;
    if ((block.binds.get(name) ?? []).length !== 1) break;
    found.set(name, lambda);
  }
  // Drop those that refer to anything else of the block, until none does.
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, lambda] of found) {
      if (!refersOnlyTo(lambda, block, found, analysis)) {
        found.delete(name);
        changed = true;
      }
    }
  }
  return found;
}

function refersOnlyTo(lambda: AstNode, block: Scope, allowed: Map<string, AstNode>, analysis: ScopeAnalysis): boolean {
  const inside = new Set<Scope>();
  const collect = (node: AstNode) => {
    const s = analysis.scopeOf.get(node);
    if (s) inside.add(s);
    for (const child of childrenOf(node)) collect(child);
  };
  collect(lambda);
  const ok = (node: AstNode): boolean => {
    if (node.type === 'variable' && node.value !== '') {
      const name = node.value as string;
      for (let s = analysis.referenceScope.get(node); s; s = s.parent) {
        if (!s.vars.has(name)) continue;
        if (inside.has(s)) {
          if (s.params.has(name)) break; // a parameter: always bound, never outside
          continue; // maybe bound inside; else the lookup goes on outwards
        }
        if (s === block) return allowed.has(name);
        if (s.kind === 'root') return (ROOT_NAMES as readonly string[]).includes(name) && !s.binds.has(name);
        return false;
      }
    }
    return childrenOf(node).every(ok);
  };
  return ok(lambda);
}
