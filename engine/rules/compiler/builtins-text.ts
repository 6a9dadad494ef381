/**
 * JSONata's string and number built-ins, with jsonata 2.2.2's exact behaviour (arguments have
 * already passed the function's signature; undefined in gives undefined out). Strings are
 * counted and sliced by code point, as JSONata does.
 */
import { JsonataError, NeedsInterpreter } from './jsonata-error.js';
import { callFunction, createSequence } from './evaluation-state.js';
import { evaluateMatcher, nextMatch, type RegexMatch } from './regex-matcher.js';
import { codePointLength, sliceCodePoints, toJsonataString } from './values.js';

export function string(arg: unknown, prettify?: unknown): string | undefined {
  return toJsonataString(arg, prettify === true);
}

export function substring(str: string | undefined, start: number, length?: number): string | undefined {
  if (str === undefined) return undefined;
  // The string's length matters only for a start counted from the end; counting is a full scan.
  if (start < 0 && codePointLength(str) + start < 0) start = 0;
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = start >= 0 ? start + length : codePointLength(str) + start + length;
    return sliceCodePoints(str, start, end);
  }
  return sliceCodePoints(str, start);
}

export function substringBefore(str: string | undefined, chars: string): string | undefined {
  if (str === undefined) return undefined;
  const pos = str.indexOf(chars);
  return pos > -1 ? str.substr(0, pos) : str;
}

export function substringAfter(str: string | undefined, chars: string): string | undefined {
  if (str === undefined) return undefined;
  const pos = str.indexOf(chars);
  return pos > -1 ? str.substr(pos + chars.length) : str;
}

export function lowercase(str: string | undefined): string | undefined {
  return str === undefined ? undefined : str.toLowerCase();
}

export function uppercase(str: string | undefined): string | undefined {
  return str === undefined ? undefined : str.toUpperCase();
}

export function length(str: string | undefined): number | undefined {
  return str === undefined ? undefined : codePointLength(str);
}

export function trim(str: string | undefined): string | undefined {
  if (str === undefined) return undefined;
  let result = str.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

export function pad(str: string | undefined, width: number, char?: string): string | undefined {
  if (str === undefined) return undefined;
  if (char === undefined || char.length === 0) char = ' ';
  width = Math.trunc(width);
  const padLength = Math.abs(width) - codePointLength(str);
  if (padLength <= 0) return str;
  let padding = new Array(padLength + 1).join(char);
  if (char.length > 1) padding = substring(padding, 0, padLength)!;
  return width > 0 ? str + padding : padding + str;
}

export function contains(str: string | undefined, token: unknown): boolean | undefined {
  if (str === undefined || token === undefined) return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return evaluateMatcher(token, str, 'contains') !== undefined;
}

export function match(str: string | undefined, regex: unknown, limit?: number): unknown {
  if (str === undefined) return undefined;
  if (limit !== undefined && limit < 0) throw new JsonataError('D3040', { value: limit });
  const result = createSequence();
  if (limit === undefined || limit > 0) {
    let count = 0;
    let matches = evaluateMatcher(regex, str, 'match');
    while (matches !== undefined && (limit === undefined || count < limit)) {
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = nextMatch(matches, 'match');
      count++;
    }
  }
  return result;
}

/** The text a string replacement gives for one match: $0 is the match, $1… the groups, $$ a dollar. */
function substitute(replacement: string, regexMatch: RegexMatch): string {
  let out = '';
  let position = 0;
  let index = replacement.indexOf('$', position);
  while (index !== -1 && position < replacement.length) {
    out += replacement.substring(position, index);
    position = index + 1;
    const dollarVal = replacement.charAt(position);
    if (dollarVal === '$') {
      out += '$';
      position++;
    } else if (dollarVal === '0') {
      out += regexMatch.match;
      position++;
    } else {
      const groupCount = regexMatch.groups.length;
      const maxDigits = groupCount === 0 ? 1 : Math.floor(Math.log(groupCount) * Math.LOG10E) + 1;
      index = parseInt(replacement.substring(position, position + maxDigits), 10);
      if (maxDigits > 1 && index > groupCount) index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
      if (!isNaN(index)) {
        if (groupCount > 0) {
          const submatch = regexMatch.groups[index - 1];
          if (submatch !== undefined) out += submatch;
        }
        position += index.toString().length;
      } else {
        out += '$';
      }
    }
    index = replacement.indexOf('$', position);
  }
  return out + replacement.substring(position);
}

export function replace(str: string | undefined, pattern: unknown, replacement: unknown, limit?: number): string | undefined {
  if (str === undefined) return undefined;
  if (pattern === '') throw new JsonataError('D3010', { value: pattern });
  if (limit !== undefined && limit < 0) throw new JsonataError('D3011', { value: limit });
  if (limit !== undefined && !(limit > 0)) return str;
  let result = '';
  let position = 0;
  let count = 0;
  if (typeof pattern === 'string') {
    // JSONata pastes a function replacement's source text here; leave that oddity to it.
    if (typeof replacement !== 'string') throw new NeedsInterpreter('$replace of a string pattern by a function');
    let index = str.indexOf(pattern, position);
    while (index !== -1 && (limit === undefined || count < limit)) {
      result += str.substring(position, index) + replacement;
      position = index + pattern.length;
      count++;
      index = str.indexOf(pattern, position);
    }
    return result + str.substring(position);
  }
  let matches = evaluateMatcher(pattern, str, 'replace');
  if (matches === undefined) return str;
  while (matches !== undefined && (limit === undefined || count < limit)) {
    result += str.substring(position, matches.start);
    const replacedWith = typeof replacement === 'string' ? substitute(replacement, matches) : callFunction(replacement, [matches], null);
    if (typeof replacedWith !== 'string') throw new JsonataError('D3012', { value: replacedWith });
    result += replacedWith;
    position = matches.start + matches.match.length;
    count++;
    matches = nextMatch(matches, 'replace');
  }
  return result + str.substring(position);
}

export function split(str: string | undefined, separator: unknown, limit?: number): string[] | undefined {
  if (str === undefined) return undefined;
  if (limit !== undefined && limit < 0) throw new JsonataError('D3020', { value: limit });
  if (limit !== undefined && !(limit > 0)) return [];
  if (typeof separator === 'string') return str.split(separator, limit);
  const result: string[] = [];
  let count = 0;
  let matches = evaluateMatcher(separator, str, 'split');
  if (matches === undefined) return [str];
  let start = 0;
  while (matches !== undefined && (limit === undefined || count < limit)) {
    result.push(str.substring(start, matches.start));
    start = matches.end;
    matches = nextMatch(matches, 'split');
    count++;
  }
  if (limit === undefined || count < limit) result.push(str.substring(start));
  return result;
}

export function join(strs: string[] | undefined, separator?: string): string | undefined {
  if (strs === undefined) return undefined;
  return strs.join(separator === undefined ? '' : separator);
}

export function base64encode(str: string | undefined): string | undefined {
  return str === undefined ? undefined : Buffer.from(str, 'binary').toString('base64');
}

export function base64decode(str: string | undefined): string | undefined {
  return str === undefined ? undefined : Buffer.from(str, 'base64').toString('binary');
}

function urlCoder(coder: (s: string) => string, token: string): (str: string | undefined) => string | undefined {
  return (str) => {
    if (str === undefined) return undefined;
    try {
      return coder(str);
    } catch {
      throw new JsonataError('D3140', { value: str, token });
    }
  };
}

export const encodeUrlComponent = urlCoder(encodeURIComponent, 'encodeUrlComponent');
export const encodeUrl = urlCoder(encodeURI, 'encodeUrl');
export const decodeUrlComponent = urlCoder(decodeURIComponent, 'decodeUrlComponent');
export const decodeUrl = urlCoder(decodeURI, 'decodeUrl');

export function number(arg: unknown): number | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(arg) && !isNaN(parseFloat(arg)) && isFinite(arg as unknown as number)) {
    return parseFloat(arg);
  }
  if (typeof arg === 'string' && /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(arg)) return Number(arg);
  if (arg === true) return 1;
  if (arg === false) return 0;
  throw new JsonataError('D3030', { value: arg });
}

export function abs(arg: number | undefined): number | undefined {
  return arg === undefined ? undefined : Math.abs(arg);
}

export function floor(arg: number | undefined): number | undefined {
  return arg === undefined ? undefined : Math.floor(arg);
}

export function ceil(arg: number | undefined): number | undefined {
  return arg === undefined ? undefined : Math.ceil(arg);
}

export function round(arg: number | undefined, precision?: number): number | undefined {
  if (arg === undefined) return undefined;
  if (precision) {
    const value = arg.toString().split('e');
    arg = +(value[0] + 'e' + (value[1] ? +value[1] + precision : precision));
  }
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const value = result.toString().split('e');
    result = +(value[0] + 'e' + (value[1] ? +value[1] - precision : -precision));
  }
  return Object.is(result, -0) ? 0 : result;
}

export function sqrt(arg: number | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (arg < 0) throw new JsonataError('D3060', { value: arg });
  return Math.sqrt(arg);
}

export function power(arg: number | undefined, exp: number): number | undefined {
  if (arg === undefined) return undefined;
  const result = Math.pow(arg, exp);
  if (!isFinite(result)) throw new JsonataError('D3061', { value: arg });
  return result;
}
