/**
 * engine/spec/tagged-unions.ts: chains of `if: {properties: {type: {const}}}, then` moved to one
 * keyword that reads the tag once. Which chains move (and which must not); and over every API
 * schema, generated values (schema-arbitrary.ts) and mutations of them judged alike by plain AJV
 * on the schemas as written and by the gateway's validators — the same verdict, and no error
 * AJV would not report.
 *
 * FUZZ_SCHEMA_SAMPLE (default 150) values per schema file, each also mutated; FUZZ_SEED changes the seed.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadApiSchemas, type SchemaKind } from '../../../engine/spec/api-schemas.js';
import { addTaggedUnionKeyword, TAGGED_UNION, withTaggedUnions } from '../../../engine/spec/tagged-unions.js';
import { show } from '../../differential/both-engines.js';
import { SEED } from '../../differential/fuzz-rules.js';
import { mutate, mutations } from '../../differential/mutate-json.js';
import { schemaArbitrary } from '../../differential/schema-arbitrary.js';
import type { SchemaObject } from '../../differential/schema-subset.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
const SAMPLE = Number(process.env.FUZZ_SCHEMA_SAMPLE ?? 150);

const tagTest = (value: string, then: object = { required: [`${value}_field`] }) => ({ if: { properties: { type: { const: value } }, required: ['type'] }, then });
const block = { type: 'object', properties: { type: { type: 'string' } }, allOf: [tagTest('a'), tagTest('b')] };

describe('withTaggedUnions', () => {
  it('moves a chain of tag tests on one property, unchanged, and leaves the schema it was given alone', () => {
    const before = JSON.stringify(block);
    const moved = withTaggedUnions(block) as Record<string, unknown>;
    expect(moved.allOf).toBeUndefined();
    expect(moved[TAGGED_UNION]).toEqual(block.allOf);
    expect(JSON.stringify(block)).toBe(before);
  });

  it('moves chains nested anywhere, enums and a null test without `required` included', () => {
    const nullTest = { if: { properties: { type: { type: 'null' } } }, then: { required: ['role'] } };
    const enumTest = { if: { properties: { type: { enum: ['c', 'd'] } }, required: ['type'] }, then: { required: ['c'] } };
    const file = { $defs: { item: { ...block, allOf: [tagTest('a'), enumTest, nullTest] } } };
    expect(Object.keys((withTaggedUnions(file) as typeof file).$defs.item)).toContain(TAGGED_UNION);
  });

  it.each([
    ['a member tests another property', { ...block, allOf: [tagTest('a'), { if: { properties: { kind: { const: 'b' } }, required: ['kind'] }, then: {} }] }],
    ['a member has an else', { ...block, allOf: [tagTest('a'), { ...tagTest('b'), else: {} }] }],
    ['a member tests more than the tag', { ...block, allOf: [tagTest('a'), { if: { properties: { type: { const: 'b' } }, required: ['type', 'x'] }, then: {} }] }],
    ['a member compares with an object', { ...block, allOf: [tagTest('a'), { if: { properties: { type: { const: { b: 1 } } }, required: ['type'] }, then: {} }] }],
    ['the schema also admits non-objects (for which every `if` holds)', { ...block, type: ['object', 'string'] }],
    ['the schema has no type', { properties: block.properties, allOf: block.allOf }],
    ['there is one member only', { ...block, allOf: [tagTest('a')] }],
  ])('leaves a chain alone when %s', (_why, schema) => {
    expect(withTaggedUnions(schema)).toEqual(schema);
  });

  it('leaves a file that uses unevaluatedProperties alone', () => {
    const file = { $defs: { item: block }, unevaluatedProperties: false };
    expect(withTaggedUnions(file)).toBe(file);
  });
});

describe('the keyword', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addTaggedUnionKeyword(ajv);
  const validate = ajv.compile(withTaggedUnions({ ...block, allOf: [...block.allOf, { if: { properties: { type: { type: 'null' } } }, then: { required: ['role'] } }] }));

  it('applies the branch of the tag, and only that one', () => {
    expect(validate({ type: 'a', a_field: 1 })).toBe(true);
    expect(validate({ type: 'a', b_field: 1 })).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ instancePath: '', keyword: 'required', message: "must have required property 'a_field'" })]);
    expect(validate({ type: 'zzz' })).toBe(true);
  });

  it('applies a branch without `required` when the tag is absent or null', () => {
    expect(validate({})).toBe(false);
    expect(validate({ type: null })).toBe(false);
    expect(validate({ role: 'user' })).toBe(true);
  });
});

describe('unevaluatedProperties in a deployment\'s schemas', () => {
  it('is still enforced (the bookkeeping it needs stays on, the chains stay put)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-schemas-'));
    try {
      mkdirSync(path.join(dir, 'toy'));
      const request = { $id: 'toy/request', ...block, allOf: [tagTest('a', { properties: { a_field: {} } }), tagTest('b')], unevaluatedProperties: false };
      writeFileSync(path.join(dir, 'toy', 'request.json'), JSON.stringify(request));
      const validate = (await loadApiSchemas(dir)).validator('toy', 'request')!;
      expect(validate({ type: 'a', a_field: 1 })).toBe(true);
      expect(validate({ type: 'a', a_field: 1, other: 2 })).toBe(false);
      expect(validate.errors).toEqual([expect.objectContaining({ keyword: 'unevaluatedProperties' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Every API schema: the gateway's validators against AJV on the schemas as written

const SCHEMAS_DIR = fileURLToPath(new URL('../../../schemas', import.meta.url));
const schemas = await loadApiSchemas(SCHEMAS_DIR);
const KINDS: SchemaKind[] = ['request', 'response', 'stream-event', 'error'];
const apis = readdirSync(SCHEMAS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const files = apis.flatMap((api) => KINDS.filter((kind) => schemas.schema(api, kind) !== undefined).map((kind) => [`${api}/${kind}`, api, kind] as const));

const asWritten = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats(asWritten);
for (const api of apis) for (const kind of KINDS) if (schemas.schema(api, kind) !== undefined) asWritten.addSchema(schemas.schema(api, kind) as object);

const said = (errors: readonly ErrorObject[] | null | undefined) =>
  new Set((errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath}: ${e.message}`));

describe('over every API schema, the gateway validates as AJV does on the schemas as written', () => {
  it('moved chains in every API', () => {
    for (const api of ['anthropic-messages', 'openai-responses', 'openai-chat-completions']) {
      expect(JSON.stringify(withTaggedUnions(schemas.schema(api, 'request')))).toContain(TAGGED_UNION);
    }
  });

  it.each(files)('%s', (name, api, kind) => {
    const ours = schemas.validator(api, kind)!;
    const theirs = asWritten.getSchema(name)!;
    const values = fc.sample(fc.tuple(schemaArbitrary(schemas.schema(api, kind) as SchemaObject), mutations(3)), { numRuns: SAMPLE, seed: SEED });
    const problems: string[] = [];
    let refused = 0;
    for (const [value, changes] of values) {
      for (const candidate of [value, mutate(value, changes)]) {
        const verdict = ours(candidate);
        if (verdict !== theirs(candidate)) problems.push(`verdict ${verdict} vs AJV ${!verdict}: ${show(candidate, 600)}`);
        if (verdict) continue;
        refused++;
        const extra = [...said(ours.errors)].filter((line) => !said(theirs.errors).has(line));
        if (extra.length > 0) problems.push(`errors AJV does not report: ${extra.join('; ')} for ${show(candidate, 600)}`);
      }
      if (problems.length >= 3) break;
    }
    expect(problems).toEqual([]);
    // The mutations must reach the refusing side, or the errors were never compared.
    expect(refused).toBeGreaterThan(SAMPLE / 10);
  });
});
