/**
 * What an expression reads, in words a reviewer who does not read JSONata can follow: the input
 * fields, the client's request fields, config entries and tables, the pair's functions, the model
 * map, and the error categories it may fail with. Read from the parsed expression (its AST), the
 * same way the coverage report finds the fields a rule reads — a guide for reading, not a proof.
 */
import jsonata from 'jsonata';

export interface ExpressionSources {
  /** Input fields read at the root (`max_tokens`, `metadata.user_id`); `$` alone is listed as "$". */
  input: string[];
  /** `$request.…` paths (the client's request, seen from response, error and stream rules). */
  request: string[];
  /** `$config.…` paths. */
  config: string[];
  /** `$state.…` paths (stream rules). */
  state: string[];
  /** Tables looked up with `$table("name", …)`. */
  tables: string[];
  /** Functions called: the pair's own (`functions:`) and the engine's helpers. */
  functions: string[];
  /** Gateway error categories passed to `$fail("category", …)`. */
  fails: string[];
}

type Node = Record<string, unknown>;

export function sourcesOf(source: string | undefined): ExpressionSources {
  const found = { input: new Set<string>(), request: new Set<string>(), config: new Set<string>(), state: new Set<string>(), tables: new Set<string>(), functions: new Set<string>(), fails: new Set<string>() };
  let ast: unknown;
  try {
    ast = source === undefined ? undefined : jsonata(source).ast();
  } catch {
    ast = undefined; // an expression that does not parse reads nothing we can name
  }
  const visit = (node: unknown, atRoot: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, atRoot));
    const n = node as Node;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const steps = n.steps as Node[];
      const first = steps[0];
      if (first?.type === 'variable' && typeof first.value === 'string' && first.value in VARIABLE_SOURCES) {
        const names = leadingNames(steps.slice(1));
        if (names) found[VARIABLE_SOURCES[first.value]].add(names);
      } else if (atRoot && first?.type === 'name') {
        found.input.add(leadingNames(steps) ?? String(first.value));
      } else if (atRoot && first?.type === 'variable' && first.value === '') {
        found.input.add('$');
      }
      // Later steps and predicates read the step's own context, not the input.
      steps.forEach((step, i) => visitChildren(step, atRoot && i === 0 && step.type !== 'name' && step.type !== 'variable'));
      return;
    }
    if (n.type === 'name' && atRoot) found.input.add(String(n.value));
    if (n.type === 'variable' && n.value === '' && atRoot) found.input.add('$');
    if (n.type === 'function' || n.type === 'partial') {
      const procedure = n.procedure as Node | undefined;
      const args = (n.arguments as Node[] | undefined) ?? [];
      if (procedure?.type === 'variable' && typeof procedure.value === 'string') {
        const name = procedure.value;
        found.functions.add(name);
        const literal = args[0]?.type === 'string' ? String(args[0].value) : undefined;
        if (name === 'table' && literal !== undefined) found.tables.add(literal);
        if (name === 'fail' && literal !== undefined) found.fails.add(literal);
      }
    }
    // A lambda's body reads its own arguments, not the input.
    if (n.type === 'lambda') return;
    visitChildren(n, atRoot);
  };
  const visitChildren = (n: Node, atRoot: boolean): void => {
    for (const [key, value] of Object.entries(n)) {
      if (key === 'position' || key === 'value' || key === 'type') continue;
      if (value && typeof value === 'object') visit(value, atRoot);
    }
  };
  visit(ast, true);
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    input: sorted(found.input),
    request: sorted(found.request),
    config: sorted(found.config),
    state: sorted(found.state),
    tables: sorted(found.tables),
    functions: sorted(found.functions),
    fails: sorted(found.fails),
  };
}

const VARIABLE_SOURCES: Record<string, 'request' | 'config' | 'state'> = { request: 'request', config: 'config', state: 'state' };

/** `a.b.c` for the run of plain name steps at the start of a path, or undefined when there is none. */
function leadingNames(steps: readonly Node[]): string | undefined {
  const names: string[] = [];
  for (const step of steps) {
    if (step.type !== 'name') break;
    names.push(String(step.value));
    if (step.stages || step.predicate || step.group) break; // a filtered step: stop at it
  }
  return names.length > 0 ? names.join('.') : undefined;
}
