/**
 * A JSONata regex literal (`/…/i`) evaluates to a matcher function: called with a string it
 * answers the first match as {match, start, end, groups, next}, where next() finds the following
 * one. $contains, $replace, $split and $match drive it. Same algorithm as jsonata 2.2.2 (including
 * its D1004 guard against a pattern that matches the empty string forever).
 */
import { JsonataError } from './jsonata-error.js';
import { callFunction, makeFn, type JFn } from './evaluation-state.js';

export interface RegexMatch {
  match: string;
  start: number;
  end: number;
  groups: string[];
  next: JFn;
}

/**
 * The matcher of one evaluation of a regex literal. `re` is the literal's compiled RegExp (global
 * flag set, as JSONata compiles it), shared by every evaluation of the literal: each search sets its
 * start position itself, and next() resumes from the position recorded right after the match, so
 * two searches with the same RegExp can never disturb each other.
 */
export function createMatcher(re: RegExp): JFn {
  const closure = (str: string, fromIndex: number | undefined): RegexMatch | undefined => {
    re.lastIndex = fromIndex || 0;
    const found = re.exec(str);
    if (found === null) return undefined;
    const after = re.lastIndex;
    const groups: string[] = [];
    for (let i = 1; i < found.length; i++) groups.push(found[i]);
    const result: RegexMatch = {
      match: found[0],
      start: found.index,
      end: found.index + found[0].length,
      groups,
      next: makeFn(() => {
        if (after >= str.length) return undefined;
        const next = closure(str, after);
        if (next && next.match === '') throw new JsonataError('D1004', { value: re.source });
        return next;
      }, 0),
    };
    return result;
  };
  return makeFn((args) => closure(args[0] as string, args[1] as number | undefined), 2);
}

/** Calls a matcher (a regex or a function acting as one) and checks what it answers. */
export function evaluateMatcher(matcher: unknown, str: unknown, token: string): RegexMatch | undefined {
  const result = callFunction(matcher, [str], null) as RegexMatch | undefined;
  if (result && !(typeof result.start === 'number' || (result as { end?: unknown }).end === 'number' || Array.isArray(result.groups) || typeof result.next === 'function')) {
    throw new JsonataError('T1010', { token });
  }
  return result;
}

/** The next match after `previous`, as JSONata's loops ask for it. */
export function nextMatch(previous: RegexMatch, token: string): RegexMatch | undefined {
  return evaluateMatcher(previous.next, undefined, token);
}
