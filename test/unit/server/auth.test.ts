/**
 * engine/server/auth.ts: a client presents a gateway key as `x-api-key` or as
 * `Authorization: Bearer`; with no keys configured the gateway is open.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createKeyChecker, presentedKey } from '../../../engine/server/auth.js';

describe('with keys configured', () => {
  const checker = createKeyChecker(['key-one', 'key-two']);

  it('is not open', () => {
    expect(checker.open).toBe(false);
  });

  it.each<{ name: string; headers: IncomingHttpHeaders; accepted: boolean }>([
    { name: 'the first key as x-api-key is accepted', headers: { 'x-api-key': 'key-one' }, accepted: true },
    { name: 'the second key as x-api-key is accepted', headers: { 'x-api-key': 'key-two' }, accepted: true },
    { name: 'a key as Authorization: Bearer is accepted', headers: { authorization: 'Bearer key-one' }, accepted: true },
    { name: 'the Bearer scheme is case-insensitive', headers: { authorization: 'bearer key-two' }, accepted: true },
    { name: 'extra spaces around a Bearer token are ignored', headers: { authorization: '  Bearer   key-one  ' }, accepted: true },
    { name: 'an empty x-api-key falls back to a valid Bearer token', headers: { 'x-api-key': '', authorization: 'Bearer key-one' }, accepted: true },
    { name: 'no key at all is refused', headers: {}, accepted: false },
    { name: 'a wrong x-api-key is refused', headers: { 'x-api-key': 'key-three' }, accepted: false },
    { name: 'a wrong Bearer token is refused', headers: { authorization: 'Bearer key-three' }, accepted: false },
    { name: 'a prefix of a key is refused', headers: { 'x-api-key': 'key-' }, accepted: false },
    { name: 'a key with extra characters is refused', headers: { 'x-api-key': 'key-one2' }, accepted: false },
    { name: 'a key in another case is refused', headers: { 'x-api-key': 'KEY-ONE' }, accepted: false },
    { name: 'the key with a trailing space as x-api-key is refused', headers: { 'x-api-key': 'key-one ' }, accepted: false },
    { name: 'both keys joined is refused', headers: { 'x-api-key': 'key-one,key-two' }, accepted: false },
    { name: 'a key under another scheme (Basic) is refused', headers: { authorization: 'Basic key-one' }, accepted: false },
    { name: 'a bare key in Authorization without a scheme is refused', headers: { authorization: 'key-one' }, accepted: false },
    { name: '"Bearer" with no token is refused', headers: { authorization: 'Bearer ' }, accepted: false },
    { name: 'a wrong x-api-key is refused even with a valid Bearer token', headers: { 'x-api-key': 'wrong', authorization: 'Bearer key-one' }, accepted: false },
    { name: 'a valid key under another header name is refused', headers: { 'api-key': 'key-one' }, accepted: false },
  ])('$name', ({ headers, accepted }) => {
    expect(checker.accepts(headers)).toBe(accepted);
  });
});

describe('with no keys configured', () => {
  const checker = createKeyChecker([]);

  it('is open', () => {
    expect(checker.open).toBe(true);
  });

  it.each<{ name: string; headers: IncomingHttpHeaders }>([
    { name: 'no key', headers: {} },
    { name: 'any x-api-key', headers: { 'x-api-key': 'whatever' } },
    { name: 'any Bearer token', headers: { authorization: 'Bearer whatever' } },
  ])('accepts a request with $name', ({ headers }) => {
    expect(checker.accepts(headers)).toBe(true);
  });
});

describe('the key a request presents', () => {
  it.each<{ name: string; headers: IncomingHttpHeaders; key: string | undefined }>([
    { name: 'x-api-key', headers: { 'x-api-key': 'k' }, key: 'k' },
    { name: 'a Bearer token', headers: { authorization: 'Bearer t' }, key: 't' },
    { name: 'x-api-key before a Bearer token', headers: { 'x-api-key': 'k', authorization: 'Bearer t' }, key: 'k' },
    { name: 'nothing', headers: {}, key: undefined },
    { name: 'a Basic credential is not a key', headers: { authorization: 'Basic dXNlcjpwYXNz' }, key: undefined },
  ])('$name', ({ headers, key }) => {
    expect(presentedKey(headers)).toBe(key);
  });
});
