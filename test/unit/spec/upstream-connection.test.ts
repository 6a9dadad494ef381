/**
 * compile-pair: the connection settings of a pair (base_url, headers) take `${VAR}` and
 * `${VAR:-default}` from the environment at load. A header whose variable is empty is not sent at
 * all (never a half-filled "Bearer "), and base_url loses its trailing slashes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyToyPair, type ToyCopy } from './toy-pair-copy.js';

let copy: ToyCopy | undefined;
afterEach(async () => {
  await copy?.remove();
  copy = undefined;
});

async function upstreamOf(env: NodeJS.ProcessEnv, edits: Array<[string, string]> = []) {
  copy = await copyToyPair();
  for (const [from, to] of edits) await copy.edit('pair.yaml', from, to);
  const { set, problems } = await copy.load(env);
  expect(problems).toEqual([]);
  return set!.pairs[0].upstream;
}

describe('upstream connection settings from the environment', () => {
  const cases: Array<{ name: string; env: NodeJS.ProcessEnv; edits?: Array<[string, string]>; baseUrl: string; headers: Record<string, string> }> = [
    {
      name: 'an unset variable with a default takes the default',
      env: {},
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: {},
    },
    {
      name: 'a set variable replaces the default',
      env: { TOY_BASE_URL: 'http://10.1.2.3:8080/api' },
      baseUrl: 'http://10.1.2.3:8080/api',
      headers: {},
    },
    {
      name: 'a variable set to the empty string takes the default',
      env: { TOY_BASE_URL: '' },
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: {},
    },
    {
      name: 'trailing slashes of base_url are dropped',
      env: { TOY_BASE_URL: 'http://up.example/v1//' },
      baseUrl: 'http://up.example/v1',
      headers: {},
    },
    {
      name: 'a header whose variable is set is sent with the value filled in',
      env: { TOY_KEY: 'sk-toy' },
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: { authorization: 'Bearer sk-toy' },
    },
    {
      name: 'a header whose variable is unset (empty default) is not sent',
      env: {},
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: {},
    },
    {
      name: 'a header whose variable is set to the empty string is not sent',
      env: { TOY_KEY: '' },
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: {},
    },
    {
      name: 'header names are lower-cased',
      env: { TOY_KEY: 'sk-toy' },
      edits: [['    authorization: Bearer', '    Authorization: Bearer']],
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: { authorization: 'Bearer sk-toy' },
    },
    {
      name: 'a header without any variable is sent as written',
      env: {},
      edits: [['    authorization: Bearer ${TOY_KEY:-}', '    x-toy-version: "2"']],
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: { 'x-toy-version': '2' },
    },
    {
      name: 'a header with two variables, one of them empty, is not sent',
      env: { TOY_KEY: 'sk-toy' },
      edits: [['Bearer ${TOY_KEY:-}', '${TOY_SCHEME:-} ${TOY_KEY:-}']],
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: {},
    },
  ];

  it.each(cases)('$name', async ({ env, edits, baseUrl, headers }) => {
    const upstream = await upstreamOf(env, edits);
    expect({ baseUrl: upstream.baseUrl, headers: upstream.headers }).toEqual({ baseUrl, headers });
  });

  it('a forwarded client key goes to authorization as Bearer unless the pair names another header', async () => {
    expect((await upstreamOf({})).clientKeyHeader).toEqual({ name: 'authorization', prefix: 'Bearer ' });
    await copy?.remove();
    const named = await upstreamOf({}, [['  headers:\n', '  client_key_header: { name: X-Api-Key }\n  headers:\n']]);
    expect(named.clientKeyHeader).toEqual({ name: 'x-api-key', prefix: '' });
  });

  it('the environment is read at load only: a later change does not alter a loaded pair', async () => {
    const env: NodeJS.ProcessEnv = { TOY_KEY: 'first' };
    const upstream = await upstreamOf(env);
    env.TOY_KEY = 'second';
    expect(upstream.headers).toEqual({ authorization: 'Bearer first' });
  });
});
