/**
 * The shape of the syntax tree jsonata 2.2.2 builds (`jsonata(source).ast()`, after its own
 * post-processing: paths as step lists, predicates as filters or stages, tail calls as thunks).
 * The compiler only reads it; the same tree also serves the interpreter.
 */

export interface AstFilter {
  type: string;
  expr?: AstNode;
  value?: string;
}

export interface AstNode {
  type: string;
  value?: any;
  position?: number;
  steps?: AstNode[];
  predicate?: AstFilter[];
  stages?: AstFilter[];
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  consarray?: boolean;
  group?: { lhs: Array<[AstNode, AstNode]> };
  /** A binary node's left operand, or the key/value pairs of an object constructor. */
  lhs?: any;
  rhs?: any;
  expression?: AstNode;
  expressions?: AstNode[];
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  procedure?: AstNode;
  arguments?: AstNode[];
  body?: AstNode;
  signature?: unknown;
  thunk?: boolean;
  focus?: string;
  index?: string;
  tuple?: boolean;
  ancestor?: unknown;
  seekingParent?: unknown;
  terms?: unknown;
  pattern?: AstNode;
  update?: AstNode;
  delete?: AstNode;
}

/** Every sub-expression of a node, in no particular order (for analyses that visit them all). */
export function childrenOf(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const add = (n: unknown) => {
    if (n && typeof n === 'object' && typeof (n as AstNode).type === 'string') out.push(n as AstNode);
  };
  for (const step of node.steps ?? []) add(step);
  for (const p of node.predicate ?? []) add(p.expr);
  for (const s of node.stages ?? []) add(s.expr);
  for (const [k, v] of node.group?.lhs ?? []) {
    add(k);
    add(v);
  }
  if (node.type === 'unary' && node.value === '{') {
    for (const [k, v] of node.lhs as Array<[AstNode, AstNode]>) {
      add(k);
      add(v);
    }
  } else {
    add(node.lhs);
  }
  add(node.rhs);
  add(node.expression);
  for (const e of node.expressions ?? []) add(e);
  add(node.condition);
  add(node.then);
  add(node.else);
  add(node.procedure);
  for (const a of node.arguments ?? []) add(a);
  add(node.body);
  add(node.pattern);
  add(node.update);
  add(node.delete);
  return out;
}
