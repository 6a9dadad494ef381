/**
 * The seam between the engine and the way a rule is evaluated. Every expression of a spec is
 * compiled once, at load, into a Rule; nothing else in the engine knows whether it is a plain
 * property path, JSONata compiled to JavaScript (engine/rules/compiler/), or JSONata interpreted.
 * Keep it that way: callers read `sync` and `plain` to skip work, never `mode`.
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
  /**
   * How this rule runs, for reports: `path` (plain property path), `compiled` (JSONata compiled to
   * JavaScript) or `jsonata` (JSONata's interpreter).
   */
  readonly mode: RuleMode;
  /** Why a `jsonata` rule is not compiled (e.g. `unsupported: $formatNumber`, or the RULE_ENGINE setting). */
  readonly fallbackReason?: string;
  /**
   * evaluate() returns its value directly, not a Promise — except for a failure, which comes as a
   * rejected Promise (so `await` sees it either way), and for the rare input a compiled rule hands
   * to the interpreter. Callers check `instanceof Promise` rather than awaiting every value.
   */
  readonly sync?: boolean;
  /**
   * evaluate()'s value is plain JSON already (no JSONata sequence flags, no functions, no undefined
   * members), so callers need not normalise it. It may share objects with the input, the bindings
   * and the pair's config, and mapping blocks and stream steps pass it on uncopied: read it, never
   * change it.
   */
  readonly plain?: boolean;
  evaluate(input: unknown, bindings: Bindings): unknown | Promise<unknown>;
}

export type RuleMode = 'path' | 'compiled' | 'jsonata';

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
