/**
 * The errors compiled rules raise where JSONata's interpreter raises one, with the same codes
 * (T… type errors, D… dynamic errors), so a caller, a log line or a test sees the same code
 * whichever engine ran the rule. Messages are ours and shorter; tests assert on codes only.
 */

const MESSAGES: Record<string, string> = {
  T0410: 'Argument {{index}} of function {{token}} does not match function signature',
  T0411: 'Context value is not a compatible type with argument {{index}} of function {{token}}',
  T0412: 'Argument {{index}} of function {{token}} must be an array of the same type',
  T1003: 'Key in object structure must evaluate to a string',
  T1005: 'Attempted to invoke a non-function. Did you mean ${{token}}?',
  T1006: 'Attempted to invoke a non-function',
  T1010: 'The matcher function argument passed to function {{token}} does not return the correct object structure',
  T2001: 'The left side of the arithmetic expression is not a number',
  T2002: 'The right side of the arithmetic expression is not a number',
  T2003: 'The left side of the range operator (..) must evaluate to an integer',
  T2004: 'The right side of the range operator (..) must evaluate to an integer',
  T2006: 'The right side of the function application operator ~> must be a function',
  T2009: 'The values either side of the comparison operator must be of the same data type',
  T2010: 'The expressions either side of the comparison operator must evaluate to numbers or strings',
  D1001: 'Number out of range',
  D1002: 'Cannot negate a non-numeric value',
  D1004: 'Regular expression matches zero length string',
  D1009: 'Multiple key definitions evaluate to same key',
  D1011: 'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.',
  D1012: 'Expression evaluation timeout: Check for infinite loop',
  D1013: 'Attempted to set an internal JSONata key on an object',
  D2014: 'The size of the sequence allocated by the range operator (..) must not exceed 1e7',
  D3001: 'Attempting to invoke string function on Infinity or NaN',
  D3010: 'Second argument of replace function cannot be an empty string',
  D3011: 'Fourth argument of replace function must evaluate to a positive number',
  D3012: 'Attempted to replace a matched string with a non-string value',
  D3020: 'Third argument of split function must evaluate to a positive number',
  D3030: 'Unable to cast value to a number',
  D3040: 'Third argument of match function must evaluate to a positive number',
  D3050: 'The second argument of reduce function must be a function with at least two arguments',
  D3060: 'The sqrt function cannot be applied to a negative number',
  D3061: 'The power function has resulted in a value that cannot be represented as a JSON number',
  D3070: 'The single argument form of the sort function can only be applied to an array of strings or an array of numbers',
  D3137: '{{message}}',
  D3138: 'The $single() function expected exactly 1 matching result.  Instead it matched more.',
  D3139: 'The $single() function expected exactly 1 matching result.  Instead it matched 0.',
  D3140: 'Malformed URL passed to ${{token}}()',
  D3141: '{{message}}',
};

export interface JsonataErrorDetail {
  value?: unknown;
  index?: number;
  token?: string;
  message?: string;
}

export class JsonataError extends Error {
  readonly value: unknown;
  constructor(
    readonly code: string,
    detail: JsonataErrorDetail = {},
  ) {
    super(messageFor(code, detail));
    this.name = 'JsonataError';
    this.value = detail.value;
  }
}

function messageFor(code: string, detail: JsonataErrorDetail): string {
  const template = MESSAGES[code] ?? code;
  return template
    .replace('{{index}}', String(detail.index ?? ''))
    .replace('{{token}}', detail.token ?? '')
    .replace('{{message}}', detail.message ?? '');
}

/** A feature of an expression this compiler does not translate; the rule is then interpreted. */
export class UnsupportedFeature extends Error {
  constructor(readonly reason: string) {
    super(`unsupported: ${reason}`);
    this.name = 'UnsupportedFeature';
  }
}

/**
 * Raised by compiled code at run time for an input it does not reproduce exactly (a corner of
 * JSONata's behaviour no shipped rule relies on); the rule then evaluates that one input with the
 * interpreter instead. Never an answer that differs from the interpreter's.
 */
export class NeedsInterpreter extends Error {
  constructor(readonly reason: string) {
    super(`needs the interpreter: ${reason}`);
    this.name = 'NeedsInterpreter';
  }
}

/**
 * A native stack overflow inside compiled code. JSONata's interpreter is async and never grows
 * the native stack; compiled code does, so very deep recursion may overflow it before the depth
 * counter trips. Either way the rule fails with the interpreter's depth error, D1011.
 */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}
