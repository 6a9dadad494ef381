/**
 * engine/observe/redact.ts: the scrubber every log line passes through blanks known secret
 * values, credential-named properties in any case and at any depth, bearer tokens in text, and
 * credentials in URLs — and leaves ordinary text alone.
 */
import { describe, expect, it } from 'vitest';
import { SecretScrubber } from '../../../engine/observe/redact.js';

const scrubber = new SecretScrubber();
scrubber.add('Bearer sk-canary-0123456789abcdef');
scrubber.add('gw-key-ABCDEFGH');
scrubber.add('short');

describe('the scrubber', () => {
  it.each<{ name: string; line: string; absent: string[]; present?: string[] }>([
    { name: 'a known upstream key anywhere in a message', line: '{"msg":"upstream said: invalid key sk-canary-0123456789abcdef"}', absent: ['sk-canary-0123456789abcdef'] },
    { name: 'a known gateway key in an error text', line: '{"err":{"message":"key gw-key-ABCDEFGH refused"}}', absent: ['gw-key-ABCDEFGH'] },
    { name: 'authorization in lower case', line: '{"headers":{"authorization":"Bearer abcdefgh123"}}', absent: ['abcdefgh123'] },
    { name: 'Authorization in another case, deep inside', line: '{"a":{"b":{"c":{"Authorization":"Basic dXNlcjpwYXNz"}}}}', absent: ['dXNlcjpwYXNz'] },
    { name: 'X-API-KEY in upper case', line: '{"X-API-KEY":"client-secret-1"}', absent: ['client-secret-1'] },
    { name: 'api_key and apiKey properties', line: '{"api_key":"k1-secret-value","apiKey":"k2-secret-value"}', absent: ['k1-secret-value', 'k2-secret-value'] },
    { name: 'an escaped quote inside a secret value', line: '{"password":"a\\"b-c-d-e-f"}', absent: ['b-c-d-e-f'] },
    { name: 'a bearer token in free text', line: '{"msg":"sent Authorization: Bearer tok_live_998877 upstream"}', absent: ['tok_live_998877'], present: ['Bearer [redacted]'] },
    { name: 'user:password in a URL', line: '{"url":"https://bob:hunter2@example.test/v1"}', absent: ['hunter2'], present: ['https://[redacted]@example.test/v1'] },
    { name: 'a key in a query string', line: '{"url":"https://x.test/v1/models?key=AIzaSyFAKE123&alt=sse"}', absent: ['AIzaSyFAKE123'], present: ['alt=sse'] },
    { name: 'ordinary text stays as it is', line: '{"msg":"request","status":200,"max_tokens":1024,"text":"basic idea"}', absent: ['[redacted]'], present: ['"max_tokens":1024', 'basic idea'] },
    { name: 'a value shorter than 8 characters is not registered as a secret', line: '{"msg":"a short story"}', absent: ['[redacted]'] },
  ])('$name', ({ line, absent, present = [] }) => {
    const out = scrubber.scrub(line);
    for (const s of absent) expect(out).not.toContain(s);
    for (const s of present) expect(out).toContain(s);
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('blanks a secret that contains another one whole', () => {
    const s = new SecretScrubber();
    s.add('abcdefgh');
    s.add('abcdefgh-longer-secret');
    expect(s.scrub('x abcdefgh-longer-secret y')).toBe('x [redacted] y');
  });
});
