/**
 * Checks a parsed JSON body before anything else looks at it: how deep it nests, and whether it
 * carries keys that are a prototype-pollution attempt.
 *
 * - Depth: AJV validation, the JSONata rules and JSON.stringify all recurse, so a body nested a
 *   hundred thousand levels deep (a few hundred kilobytes of `[[[[…`) would overflow their stack.
 *   V8's JSON.parse is not recursive, so the body is parsed first and then walked here with an
 *   explicit stack — this check cannot overflow whatever the depth.
 * - Keys: JSON.parse makes `__proto__` an ordinary own property, harmless by itself, but a later
 *   merge or path assignment could turn it into a write to Object.prototype. No API field is
 *   called `__proto__`, nor holds a `constructor.prototype`, so such a body is refused outright
 *   rather than cleaned (cleaning would silently change what the client sent).
 */
import { GatewayError } from '../../errors/gateway-error.js';

/** Where a node sits: its parent's place and its key there. The path is spelt out only for an error. */
interface Place {
  node: object;
  depth: number;
  parent: Place | undefined;
  key: string | number;
}

/** Throws GW_ERR_JSON_TOO_DEEP or GW_ERR_JSON_FORBIDDEN_KEY; returns normally for a safe value. */
export function checkJsonShape(value: unknown, maxDepth: number): void {
  if (value === null || typeof value !== 'object') return;
  const stack: Place[] = [{ node: value, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { node, depth } = place;
    if (depth > maxDepth) {
      throw new GatewayError('GW_ERR_JSON_TOO_DEEP', `request body nests deeper than ${maxDepth} levels (at ${pathOf(place)})`);
    }
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const child: unknown = node[i];
        if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1, parent: place, key: i });
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      const child: unknown = (node as Record<string, unknown>)[key];
      if (key === '__proto__' || (key === 'constructor' && child !== null && typeof child === 'object' && Object.prototype.hasOwnProperty.call(child, 'prototype'))) {
        throw new GatewayError('GW_ERR_JSON_FORBIDDEN_KEY', `request body contains the key "${key === '__proto__' ? key : 'constructor.prototype'}" at ${pathOf(place)}, which is not allowed`);
      }
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1, parent: place, key });
    }
  }
}

/** The JSON Pointer of a place ("/" for the top). */
function pathOf(place: Place): string {
  const keys: string[] = [];
  for (let at: Place | undefined = place; at?.parent; at = at.parent) keys.push(typeof at.key === 'number' ? String(at.key) : escapePointer(at.key));
  return keys.length === 0 ? '/' : `/${keys.reverse().join('/')}`;
}

function escapePointer(key: string): string {
  const short = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return short.replace(/~/g, '~0').replace(/\//g, '~1');
}
