/**
 * engine/server/limits/json-guard.ts: bodies nested past MAX_JSON_DEPTH and bodies carrying
 * prototype-pollution keys are refused with a catalogue code; the walk never overflows the stack.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../engine/errors/gateway-error.js';
import { checkJsonShape } from '../../../engine/server/limits/json-guard.js';

function codeOf(value: unknown, maxDepth = 64): string {
  try {
    checkJsonShape(value, maxDepth);
    return 'ok';
  } catch (err) {
    return err instanceof GatewayError ? err.code : `not a GatewayError: ${String(err)}`;
  }
}

const nested = (depth: number, open = '[', close = ']') => JSON.parse(open.repeat(depth) + close.repeat(depth));
const nestedObjects = (depth: number) => JSON.parse('{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));

describe('nesting depth', () => {
  it.each<{ name: string; value: unknown; max: number; code: string }>([
    { name: 'a scalar is fine', value: 'x', max: 1, code: 'ok' },
    { name: 'null is fine', value: null, max: 1, code: 'ok' },
    { name: 'an empty object is depth 1', value: {}, max: 1, code: 'ok' },
    { name: 'arrays exactly at the limit pass', value: nested(64), max: 64, code: 'ok' },
    { name: 'arrays one past the limit are refused', value: nested(65), max: 64, code: 'GW_ERR_JSON_TOO_DEEP' },
    { name: 'objects one past the limit are refused', value: nestedObjects(65), max: 64, code: 'GW_ERR_JSON_TOO_DEEP' },
    { name: 'a realistic message body passes', value: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, max: 64, code: 'ok' },
  ])('$name', ({ value, max, code }) => {
    expect(codeOf(value, max)).toBe(code);
  });

  it('a body nested 200 000 levels deep is refused without overflowing the stack', () => {
    expect(codeOf(nested(200_000))).toBe('GW_ERR_JSON_TOO_DEEP');
  });

  it('the message names where the limit was crossed', () => {
    expect(() => checkJsonShape({ a: [{ b: {} }] }, 3)).toThrow(/nests deeper than 3 levels \(at \/a\/0\/b\)/);
  });

  it('a forbidden key is placed by a JSON Pointer, escaped, and at the top by "/"', () => {
    expect(() => checkJsonShape(JSON.parse('{"a/b":[{"c~d":{"__proto__":1}}]}'), 64)).toThrow(/"__proto__" at \/a~1b\/0\/c~0d,/);
    expect(() => checkJsonShape(JSON.parse('{"__proto__":1}'), 64)).toThrow(/"__proto__" at \/,/);
  });
});

describe('prototype-pollution keys', () => {
  it.each<{ name: string; text: string; code: string }>([
    { name: '__proto__ at the top is refused', text: '{"__proto__":{"polluted":true}}', code: 'GW_ERR_JSON_FORBIDDEN_KEY' },
    { name: '__proto__ deep inside is refused', text: '{"messages":[{"content":[{"input":{"__proto__":{"x":1}}}]}]}', code: 'GW_ERR_JSON_FORBIDDEN_KEY' },
    { name: 'an escaped __proto__ is refused too', text: '{"\\u005f_proto__":{"x":1}}', code: 'GW_ERR_JSON_FORBIDDEN_KEY' },
    { name: 'constructor.prototype is refused', text: '{"constructor":{"prototype":{"x":1}}}', code: 'GW_ERR_JSON_FORBIDDEN_KEY' },
    { name: 'a plain "constructor" field is allowed', text: '{"constructor":"Ada"}', code: 'ok' },
    { name: 'a "prototype" field on its own is allowed', text: '{"prototype":{"x":1}}', code: 'ok' },
    { name: '"__proto__" as a string value is allowed', text: '{"text":"__proto__"}', code: 'ok' },
  ])('$name', ({ text, code }) => {
    expect(codeOf(JSON.parse(text))).toBe(code);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
