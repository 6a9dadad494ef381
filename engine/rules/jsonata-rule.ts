/**
 * Compiles a JSONata expression of a spec into a Rule, once, at load: into JavaScript when the
 * compiler (./compiler/) translates every part of it, else — for that rule alone, with the reason
 * recorded in `fallbackReason` — into a JSONata interpreter expression. RULE_ENGINE=interpreted
 * interprets every rule, to compare the two.
 *
 * The pair's `functions:` are inlined as a block prefix into each expression that uses them,
 * rather than evaluated once and passed in as values: a JSONata lambda keeps the environment it
 * was created in, including that evaluation's timeout clock and stack counter, so a lambda made
 * at load time would carry a stale guard into every later call. Inlined, every evaluation gets
 * fresh guard-rails, and creating a handful of lambdas per evaluation costs next to nothing.
 */
import jsonata from 'jsonata';
import { ruleEngineOf, type RuleEngine } from '../config/env-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AstNode } from './compiler/ast.js';
import { compileExpression, toPlainJson, type CompiledExpression } from './compiler/compile-expression.js';
import { NeedsInterpreter, UnsupportedFeature } from './compiler/jsonata-error.js';
import type { Helper } from './helpers.js';
import { RuleEvaluationError, type Bindings, type Rule } from './rule.js';
import { createPathRule, isPlainPath } from './path-rule.js';

export interface JsonataLimits {
  /** Wall-clock limit of one evaluation, ms. */
  timeoutMs: number;
  /** Maximum evaluation depth (JSONata's own stack guard). */
  maxDepth: number;
}

// Depth counts nested evaluation steps (several per function call), not calls: a recursive walk over
// a tool's JSON Schema needs a few thousand. Evaluation is async, so this guards memory and runaway
// recursion, not the native stack.
// The time limit is wall-clock and JSONata evaluation is async, so under load one evaluation's
// time includes other requests' work interleaved with it: keep it well above a real mapping's cost.
export const DEFAULT_LIMITS: JsonataLimits = { timeoutMs: 3000, maxDepth: 5000 };

export interface RuleEnvironment {
  helpers: readonly Helper[];
  /** Name → JSONata source of a lambda (`function($x) { … }`). */
  functions: ReadonlyMap<string, string>;
  config: unknown;
  limits?: JsonataLimits;
  /** Compile rules to JavaScript or interpret them; default: the RULE_ENGINE setting (compiled). */
  engine?: RuleEngine;
}

/** A JSONata problem found at compile time, with its offset in the rule's own source. */
export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

const FUNCTION_REFERENCE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The functions an expression needs, following calls between functions. */
export function functionsUsedBy(source: string, functions: ReadonlyMap<string, string>): string[] {
  const used = new Set<string>();
  const pending = [source];
  while (pending.length > 0) {
    const text = pending.pop()!;
    for (const match of text.matchAll(FUNCTION_REFERENCE)) {
      const name = match[1];
      if (!used.has(name) && functions.has(name)) {
        used.add(name);
        pending.push(functions.get(name)!);
      }
    }
  }
  return [...used].sort();
}

export function compileRule(id: string, source: string, env: RuleEnvironment): Rule {
  const text = String(source);
  const used = functionsUsedBy(text, env.functions);
  const prefix = used.length > 0 ? `(${used.map((name) => `$${name} := ${env.functions.get(name)};`).join('\n')}\n` : '';
  const suffix = used.length > 0 ? '\n)' : '';
  const limits = env.limits ?? DEFAULT_LIMITS;

  // Parse the rule alone first, so a syntax error is reported against what the author wrote, not
  // against the wrapper that inlines the functions.
  if (used.length > 0) parseOrThrow(text, 0);
  let expression: jsonata.Expression;
  try {
    expression = jsonata(prefix + text + suffix, { timeout: limits.timeoutMs, stack: limits.maxDepth } as never);
  } catch (err) {
    const e = err as { message?: string; code?: string; position?: number };
    const position = typeof e.position === 'number' ? e.position - prefix.length : undefined;
    throw new RuleSyntaxError(e.message ?? String(err), e.code, position !== undefined && position >= 0 ? position : undefined);
  }
  for (const helper of env.helpers) expression.registerFunction(helper.name, helper.implementation, helper.signature);
  expression.assign('config', env.config);

  const interpret = async (input: unknown, bindings: Bindings): Promise<unknown> => {
    try {
      return await expression.evaluate(input, { request: bindings.request, state: bindings.state });
    } catch (err) {
      throw toEvaluationError(id, err);
    }
  };
  let rule: Rule;
  let reason: string | undefined;
  let compiled: CompiledExpression | undefined;
  if ((env.engine ?? ruleEngineOf(process.env)) === 'interpreted') {
    reason = 'RULE_ENGINE=interpreted';
  } else {
    try {
      compiled = compileExpression(expression.ast() as AstNode, { helpers: env.helpers, config: env.config, maxDepth: limits.maxDepth, timeoutMs: limits.timeoutMs });
    } catch (err) {
      // Anything the compiler does not translate is interpreted: slower, never wrong.
      reason = err instanceof UnsupportedFeature ? err.message : `compiler error: ${(err as Error).message}`;
    }
  }
  if (compiled) {
    const program = compiled;
    rule = {
      id,
      source: text,
      mode: 'compiled',
      sync: true,
      plain: true,
      evaluate(input: unknown, bindings: Bindings) {
        try {
          return program.evaluate(input, bindings.request, bindings.state);
        } catch (err) {
          // A corner the compiled code leaves to JSONata: this one input is interpreted.
          if (err instanceof NeedsInterpreter) return interpret(input, bindings).then(toPlainJson);
          return Promise.reject(toEvaluationError(id, err));
        }
      },
    };
  } else {
    rule = { id, source: text, mode: 'jsonata', fallbackReason: reason, evaluate: interpret };
  }
  if (!isPlainPath(text)) return rule;
  // A plain path walks the input itself (its values are plain JSON) and hands arrays to `rule`.
  return { ...createPathRule(id, text, rule), sync: rule.sync, plain: rule.plain };
}

function parseOrThrow(text: string, offset: number): void {
  try {
    jsonata(text);
  } catch (err) {
    const e = err as { message?: string; code?: string; position?: number };
    throw new RuleSyntaxError(e.message ?? String(err), e.code, typeof e.position === 'number' ? e.position - offset : undefined);
  }
}

/** JSONata 2.x's built-in functions (its documented function library); a spec function may not take their names. */
export const JSONATA_BUILTINS: ReadonlySet<string> = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean',
  'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge',
  'reverse', 'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone',
  'now', 'millis',
]);

function toEvaluationError(id: string, err: unknown): Error {
  if (err instanceof GatewayError) return err; // a deliberate $fail: keep its category for the client
  const e = err as { message?: string; code?: string };
  return new RuleEvaluationError(id, e?.message ?? String(err), e?.code, { cause: err });
}
