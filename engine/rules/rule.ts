/**
 * The seam between the engine and the way a rule is evaluated. Every expression of a spec is
 * compiled once, at load, into a Rule; nothing else in the engine knows whether it is interpreted
 * JSONata, a plain property path, or (later) generated JavaScript. Keep it that way: the compiler
 * of issue #8 swaps implementations behind this interface.
 */

/** Per-evaluation context. Everything else (helpers, $config, functions) is fixed at compile time. */
export interface Bindings {
  /** The inbound request body (the client's request). */
  request?: unknown;
  /** Stream state carried between events. */
  state?: unknown;
}

export interface Rule {
  /** Where the rule comes from, e.g. `request.rules[system-to-instructions]`. */
  readonly id: string;
  /** The expression source, as written in the YAML. */
  readonly source: string;
  /** How this rule runs, for reports: `path` (plain property path) or `jsonata` (interpreter). */
  readonly mode: 'path' | 'jsonata';
  evaluate(input: unknown, bindings: Bindings): unknown | Promise<unknown>;
}

/** An error raised while evaluating a rule, carrying the rule id (for logs and reports). */
export class RuleEvaluationError extends Error {
  constructor(
    readonly ruleId: string,
    message: string,
    readonly jsonataCode?: string,
    options?: { cause?: unknown },
  ) {
    super(`${ruleId}: ${message}`, options);
    this.name = 'RuleEvaluationError';
  }
}
