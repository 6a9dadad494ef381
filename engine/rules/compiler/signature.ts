/**
 * JSONata function signatures (`<s-nn?:s>`): the argument checks and fix-ups JSONata applies
 * before calling a built-in or a registered helper. Same algorithm as jsonata 2.2.2: each argument
 * becomes a type symbol, the symbols are matched against a regular expression built from the
 * signature, a missing argument marked `-` takes the context, and an `a` parameter turns a single
 * value into a one-item array. Matches are cached per symbol string, since a rule calls the same
 * function with the same kinds of arguments over and over.
 */
import { JsonataError } from './jsonata-error.js';

interface Param {
  regex: string;
  type: string;
  subtype?: string;
  context?: boolean;
  contextRegex?: RegExp;
  /** The type symbols this parameter takes (from its regex), for the quick check. */
  accepts?: string;
}

export class Signature {
  private readonly params: Param[] = [];
  private readonly regex: RegExp;
  private readonly matches = new Map<string, RegExpExecArray | null>();
  /** Whether a missing argument may be taken from the context. */
  readonly usesContext: boolean;

  constructor(
    readonly definition: string,
    private readonly name: string,
  ) {
    this.parse(definition);
    this.regex = new RegExp('^' + this.params.map((p) => '(' + p.regex + ')').join('') + '$');
    this.usesContext = this.params.some((p) => p.context);
    this.quick = !this.params.some((p) => p.regex.endsWith('+'));
    for (const p of this.params) p.accepts = p.regex.replace(/[[\]?+]/g, '');
  }

  /** No parameter takes several arguments: a call with one argument per parameter can be checked directly. */
  private readonly quick: boolean;

  /** Whether some parameter takes a function value. */
  get takesFunctions(): boolean {
    return this.params.some((p) => p.accepts!.includes('f'));
  }

  private parse(signature: string): void {
    let param: Param = { regex: '', type: '' };
    let previous: Param = param;
    const next = () => {
      this.params.push(param);
      previous = param;
      param = { regex: '', type: '' };
    };
    for (let position = 1; position < signature.length; position++) {
      const symbol = signature.charAt(position);
      if (symbol === ':') break;
      switch (symbol) {
        case 's':
        case 'n':
        case 'b':
        case 'l':
        case 'o':
          param.regex = '[' + symbol + 'm]';
          param.type = symbol;
          next();
          break;
        case 'a':
          param.regex = '[asnblfom]';
          param.type = symbol;
          next();
          break;
        case 'f':
          param.regex = 'f';
          param.type = symbol;
          next();
          break;
        case 'j':
          param.regex = '[asnblom]';
          param.type = symbol;
          next();
          break;
        case 'x':
          param.regex = '[asnblfom]';
          param.type = symbol;
          next();
          break;
        case '-':
          previous.context = true;
          previous.contextRegex = new RegExp(previous.regex);
          previous.regex += '?';
          break;
        case '?':
        case '+':
          previous.regex += symbol;
          break;
        case '(': {
          const end = closing(signature, position, '(', ')');
          const choice = signature.substring(position + 1, end);
          if (choice.includes('<')) throw new Error(`signature ${signature}: parameterised types in a choice are not supported`);
          param.regex = '[' + choice + 'm]';
          param.type = '(' + choice + ')';
          position = end;
          next();
          break;
        }
        case '<': {
          if (previous.type !== 'a' && previous.type !== 'f') throw new Error(`signature ${signature}: type parameter on ${previous.type}`);
          const end = closing(signature, position, '<', '>');
          previous.subtype = signature.substring(position + 1, end);
          position = end;
          break;
        }
      }
    }
  }

  private match(symbols: string): RegExpExecArray | null {
    let found = this.matches.get(symbols);
    if (found === undefined) {
      found = this.regex.exec(symbols);
      if (this.matches.size < 256) this.matches.set(symbols, found);
    }
    return found;
  }

  validate(args: readonly unknown[], context: unknown): unknown[] {
    if (this.quick && args.length === this.params.length && this.plainCall(args)) return args as unknown[];
    let symbols = '';
    for (let i = 0; i < args.length; i++) symbols += symbolOf(args[i]);
    const isValid = this.match(symbols);
    if (!isValid) this.throwValidationError(args, symbols);
    const validated: unknown[] = [];
    let argIndex = 0;
    const params = this.params;
    for (let index = 0; index < params.length; index++) {
      const param = params[index];
      const match = isValid![index + 1];
      if (match === '') {
        if (param.context && param.contextRegex) {
          if (param.contextRegex.test(symbolOf(context))) validated.push(context);
          else throw new JsonataError('T0411', { value: context, index: argIndex + 1, token: this.name });
        } else {
          validated.push(args[argIndex]);
          argIndex++;
        }
        continue;
      }
      for (let k = 0; k < match.length; k++) {
        const single = match.charAt(k);
        let arg = args[argIndex];
        if (param.type === 'a') {
          if (single === 'm') {
            arg = undefined;
          } else {
            if (param.subtype !== undefined && !this.arrayOk(param.subtype, single, match, arg)) {
              throw new JsonataError('T0412', { value: arg, index: argIndex + 1, token: this.name });
            }
            if (single !== 'a') arg = [arg];
          }
        }
        validated.push(arg);
        argIndex++;
      }
    }
    return validated;
  }

  /**
   * What a call with `count` arguments must look like to pass the check unchanged: for each argument
   * the type symbols it may have (and, for an array, its items' type). Undefined when such a call
   * always needs the full check (several arguments for one parameter, or a missing argument that
   * the context or a fix-up would supply).
   */
  quickPlan(count: number): Array<{ accepts: string; items?: string; array?: boolean }> | undefined {
    if (!this.quick || count > this.params.length) return undefined;
    for (let i = count; i < this.params.length; i++) {
      const param = this.params[i];
      if (!param.regex.endsWith('?') || param.context) return undefined;
    }
    return this.params.slice(0, count).map((param) => {
      if (param.type !== 'a') return { accepts: param.accepts! };
      // An array parameter takes any value; a single one becomes a one-item array (of the item type).
      return { accepts: param.accepts!, items: param.subtype ?? '', array: true };
    });
  }

  /**
   * A call with one argument per parameter, each of a type its parameter takes, an array for each
   * `a` parameter (of the right item type): the full check would pass every argument as it is.
   */
  private plainCall(args: readonly unknown[]): boolean {
    for (let i = 0; i < args.length; i++) {
      const param = this.params[i];
      const symbol = symbolOf(args[i]);
      if (!param.accepts!.includes(symbol)) return false;
      if (param.type === 'a' && symbol !== 'm') {
        if (symbol !== 'a') return false;
        if (param.subtype !== undefined && !this.arrayOk(param.subtype, symbol, symbol, args[i])) return false;
      }
    }
    return true;
  }

  private arrayOk(subtype: string, single: string, match: string, arg: unknown): boolean {
    if (single !== 'a') return match === subtype;
    const items = arg as unknown[];
    if (items.length === 0) return true;
    const itemType = symbolOf(items[0]);
    if (itemType !== subtype.charAt(0)) return false;
    for (let i = 0; i < items.length; i++) if (symbolOf(items[i]) !== itemType) return false;
    return true;
  }

  private throwValidationError(args: readonly unknown[], symbols: string): never {
    let partial = '^';
    let goodTo = 0;
    for (const param of this.params) {
      partial += param.regex;
      const match = symbols.match(partial);
      if (match === null) throw new JsonataError('T0410', { value: args[goodTo], index: goodTo + 1, token: this.name });
      goodTo = match[0].length;
    }
    throw new JsonataError('T0410', { value: args[goodTo], index: goodTo + 1, token: this.name });
  }
}

function closing(str: string, start: number, open: string, close: string): number {
  let depth = 1;
  let position = start;
  while (position < str.length) {
    position++;
    const symbol = str.charAt(position);
    if (symbol === close) {
      depth--;
      if (depth === 0) break;
    } else if (symbol === open) {
      depth++;
    }
  }
  return position;
}

export function symbolOf(value: unknown): string {
  switch (typeof value) {
    case 'function':
      return 'f';
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      return value === null ? 'l' : Array.isArray(value) ? 'a' : 'o';
    default:
      return 'm';
  }
}
