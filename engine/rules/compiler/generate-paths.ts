/**
 * Location paths and predicates as generated code.
 *
 * A path whose steps are plain names (`usage.input_tokens`, `$state.kind`) walks the objects
 * directly, with one property read per step; the moment the walk meets an array it gives way to
 * the general evaluation, which mirrors jsonata 2.2.2 step by step: each step evaluated for each
 * item of the previous step's result, results flattened one level (arrays built by a `[…]` step
 * excepted), a last step yielding exactly one plain array yields that array.
 */
import type { AstFilter, AstNode } from './ast.js';
import { literal, ownProperty } from './code-writer.js';
import type { At, Generator } from './generator.js';
import { UnsupportedFeature } from './jsonata-error.js';

export function generatePredicates(g: Generator, filters: readonly AstFilter[], value: string, at: At): string {
  let current = value;
  for (const filter of filters) current = generateFilter(g, filter, current, at);
  return current;
}

/** JSONata's evaluateFilter: keeps items by position (`[0]`, `[-1]`, `[[0, 2]]`) or by truth. */
function generateFilter(g: Generator, filter: AstFilter, value: string, at: At): string {
  if (filter.type !== 'filter' || !filter.expr) throw new UnsupportedFeature('positional variable (#$i)');
  const expr = filter.expr;
  if (expr.type === 'number') return g.assign(at, `filterIndex(${value}, ${literal(expr.value, g.constants)})`);
  const items = g.assign(at, `filterItems(${value})`);
  // Made at the first item kept, as an exact one-item sequence (see the values of a path step).
  const out = g.assign(at, 'undefined');
  const j = g.names.next('j');
  const n = g.names.next('n');
  const item = g.names.next('i');
  at.w.open(`for (let ${j} = 0; ${j} < ${items}.length; ${j}++) {`);
  at.w.line(`const ${item} = ${items}[${j}];`);
  const res = g.expr(expr, { scope: at.scope, input: item, w: at.w });
  at.w.line(`for (let ${n} = keepCount(${res}, ${j}, ${items}.length); ${n} > 0; ${n}--) if (${out} === undefined) ${out} = asSeq([${item}]); else ${out}.push(${item});`);
  at.w.close();
  at.w.line(`if (${out} === undefined) ${out} = seq();`);
  return out;
}

function plain(node: AstNode): boolean {
  return !node.stages && !node.predicate && !node.keepArray && !node.group;
}

export function generatePath(g: Generator, node: AstNode, at: At): string {
  if (node.group) throw new UnsupportedFeature('group-by on a path');
  const steps = node.steps!;
  if (steps.some((s) => s.type === 'parent' || s.ancestor !== undefined) || node.seekingParent) throw new UnsupportedFeature('parent operator (%)');
  if (node.tuple) throw new UnsupportedFeature('positional or focus variable binding (@$x, #$i) in a path');
  for (const step of steps) {
    if (step.focus !== undefined || step.index !== undefined || step.tuple) {
      throw new UnsupportedFeature('positional or focus variable binding (@$x, #$i) in a path');
    }
    if (step.type === 'sort') throw new UnsupportedFeature('order-by (^)');
  }
  const firstIsVariable = steps[0].type === 'variable';
  const rest = firstIsVariable ? steps.slice(1) : steps;
  const fast = !node.keepSingletonArray && rest.length > 0 && rest.every((s) => s.type === 'name' && plain(s)) && (!firstIsVariable || plain(steps[0]));
  if (!fast) return generalPath(g, node, at);

  const result = at.w.temp();
  const first = firstIsVariable ? g.expr(steps[0], at) : 'undefined';
  at.w.line(`${result} = ${firstIsVariable ? first : at.input};`);
  for (const step of rest) {
    at.w.line(
      `if (typeof ${result} === 'object' && ${result} !== null) ${result} = Array.isArray(${result}) ? SLOW : ${ownProperty(result, step.value as string)}; ` +
        `else if (${result} !== SLOW) ${result} = undefined;`,
    );
  }
  at.w.line(`if (Array.isArray(${result}) && ${result}[FL] !== undefined && isSeq(${result})) ${result} = SLOW;`);
  const names = g.constants.ref(rest.map((s) => s.value as string));
  at.w.line(`if (${result} === SLOW) ${result} = namePath(${at.input}, ${first}, ${firstIsVariable}, ${names});`);
  return result;
}

/** JSONata's evaluatePath and evaluateStep, written out. */
function generalPath(g: Generator, node: AstNode, at: At): string {
  const steps = node.steps!;
  const firstIsVariable = steps[0].type === 'variable';
  const sequence = g.assign(at, `pathStart(${at.input}, ${firstIsVariable}, ${steps[0].consarray === true})`);
  const result = at.w.temp();
  const label = g.names.next('p');
  at.w.line(`${result} = undefined;`);
  at.w.open(`${label}: {`);
  steps.forEach((step, i) => {
    if (i === 0 && step.consarray) {
      at.w.line(`${result} = ${g.expr(step, { scope: at.scope, input: sequence, w: at.w })};`);
    } else {
      // The step's values; made at its first value, as an exact one-item array (one made empty
      // and grown by push() first makes room for 17), and most steps give one value.
      const acc = g.assign(at, 'undefined');
      // Whether a value is an array or a function: only those give stepOut work to do.
      const mixed = g.assign(at, 'false');
      const j = g.names.next('j');
      const item = g.names.next('i');
      at.w.open(`for (let ${j} = 0; ${j} < ${sequence}.length; ${j}++) {`);
      at.w.line(`const ${item} = ${sequence}[${j}];`);
      const inner: At = { scope: at.scope, input: item, w: at.w };
      let value = g.expr(step, inner);
      if (step.stages) value = generatePredicates(g, step.stages, value, inner);
      at.w.line(`if (${value} !== undefined) { if (Array.isArray(${value}) || typeof ${value} === 'function') ${mixed} = true; if (${acc} === undefined) ${acc} = [${value}]; else ${acc}.push(${value}); }`);
      at.w.close();
      const last = i === steps.length - 1;
      at.w.line(`if (${acc} === undefined) ${acc} = [];`);
      at.w.line(`${result} = ${mixed} ? stepOut(${acc}, ${last}) : ${last ? `asSeq(${acc})` : acc};`);
    }
    const middle = i < steps.length - 1 && !(i === 0 && step.consarray);
    // A middle step's sequence is built without its flag (it is only read item by item): an
    // empty one ends the path as an empty sequence.
    if (middle) at.w.line(`if (${result}.length === 0) { ${result} = seq(); break ${label}; }`);
    else at.w.line(`if (${result} === undefined || ${result}.length === 0) break ${label};`);
    if (i < steps.length - 1) at.w.line(`${sequence} = ${result};`);
  });
  at.w.close();
  if (node.keepSingletonArray) at.w.line(`${result} = pathKeep(${result});`);
  return result;
}
