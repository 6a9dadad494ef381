/**
 * The schema-driven generator (schema-arbitrary.ts) against AJV: a bounded, seeded sample of what
 * it generates for every API schema validates against that schema with the gateway's own
 * validators, so the generated corpus cannot drift into values the gateway would refuse; the
 * corners of the subset on small schemas; and what it refuses, by path.
 *
 * FUZZ_SCHEMA_SAMPLE (default 150) values per schema file; FUZZ_SEED changes the seed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadApiSchemas, type SchemaKind } from '../../engine/spec/api-schemas.js';
import { show } from './both-engines.js';
import { SEED } from './fuzz-rules.js';
import { AdmitsNothing, UnsupportedSchema, schemaArbitrary, type SchemaArbitraryOptions } from './schema-arbitrary.js';
import type { SchemaObject } from './schema-subset.js';

const SAMPLE = Number(process.env.FUZZ_SCHEMA_SAMPLE ?? 150);
const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas', import.meta.url));
const schemas = await loadApiSchemas(SCHEMAS_DIR);
const KINDS: SchemaKind[] = ['request', 'response', 'stream-event', 'error'];
const files = readdirSync(SCHEMAS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => KINDS.filter((kind) => schemas.schema(entry.name, kind) !== undefined).map((kind) => [`${entry.name}/${kind}`, entry.name, kind] as const));

/** The values of a sample that `validate` rejects, each with AJV's first errors. */
function rejected(values: unknown[], validate: (v: unknown) => boolean, errors: () => unknown): string[] {
  return values.filter((v) => !validate(v)).slice(0, 3).map((v) => `${show(v, 800)}\n    ${show(errors(), 400)}`);
}

describe('every value generated for an API schema validates against it', () => {
  it('covers every schema file', () => expect(files.length).toBe(12));

  it.each(files)('%s', (_name, api, kind) => {
    const validate = schemas.validator(api, kind)!;
    const values = fc.sample(schemaArbitrary(schemas.schema(api, kind) as SchemaObject), { numRuns: SAMPLE, seed: SEED });
    expect(rejected(values, validate, () => validate.errors?.slice(0, 3))).toEqual([]);
  });
});

/** The event types a stream schema lists (its `type` enum; Chat Completions chunks have none). */
const eventTypes = (root: SchemaObject): string[] => ((root.properties as Record<string, SchemaObject> | undefined)?.type?.enum as string[] | undefined) ?? [];

describe('each event type of a stream schema can be generated on its own', () => {
  const streams = files.filter(([, api, kind]) => kind === 'stream-event' && eventTypes(schemas.schema(api, kind) as SchemaObject).length > 0);
  it('covers the Messages and Responses event streams', () => expect(streams.map(([name]) => name)).toEqual(['anthropic-messages/stream-event', 'openai-responses/stream-event']));

  it.each(streams)('%s', (_name, api, kind) => {
    const root = schemas.schema(api, kind) as SchemaObject;
    const types = eventTypes(root);
    const validate = schemas.validator(api, kind)!;
    const problems: string[] = [];
    for (const type of types) {
      const values = fc.sample(schemaArbitrary(root, { also: [{ properties: { type: { const: type } }, required: ['type'] }] }), { numRuns: 8, seed: SEED });
      if (values.some((v) => (v as { type?: unknown }).type !== type)) problems.push(`${type}: another type came out`);
      problems.push(...rejected(values, validate, () => validate.errors?.slice(0, 3)).map((r) => `${type}: ${r}`));
    }
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The subset, on small schemas

const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });

function sampleOf(schema: SchemaObject, options: SchemaArbitraryOptions = {}, numRuns = 200): unknown[] {
  const values = fc.sample(schemaArbitrary(schema, options), { numRuns, seed: SEED });
  const validate = ajv.compile(schema);
  expect(rejected(values, validate, () => validate.errors)).toEqual([]);
  return values;
}

const node: SchemaObject = {
  $defs: { node: { type: 'object', required: ['name', 'children'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
  $ref: '#/$defs/node',
};
const union: SchemaObject = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['text', 'image', 'ping'] } },
  allOf: [
    { if: { properties: { type: { const: 'text' } }, required: ['type'] }, then: { $ref: '#/$defs/text' } },
    { if: { properties: { type: { const: 'image' } }, required: ['type'] }, then: { $ref: '#/$defs/image' } },
  ],
  $defs: {
    text: { type: 'object', required: ['type', 'text'], additionalProperties: false, properties: { type: { const: 'text' }, text: { type: 'string', minLength: 1 } } },
    image: { type: 'object', required: ['type', 'url'], additionalProperties: false, properties: { type: { const: 'image' }, url: { type: 'string', format: 'uri' } } },
  },
};

describe('the subset of JSON Schema it generates for', () => {
  it('a recursive schema ends: a tree of nodes, each with required children', () => {
    const depth = (v: { children: unknown[] }): number => 1 + Math.max(0, ...v.children.map((c) => depth(c as { children: unknown[] })));
    const values = sampleOf(node, { maxDepth: 4 }) as Array<{ children: unknown[] }>;
    expect(Math.max(...values.map(depth))).toBeLessThanOrEqual(4);
  });

  it('a recursion through anyOf ends on the branch that needs no nesting', () => {
    sampleOf({ $defs: { list: { anyOf: [{ type: 'null' }, { type: 'object', required: ['next'], properties: { next: { $ref: '#/$defs/list' } } }] } }, $ref: '#/$defs/list' }, { maxDepth: 3 });
  });

  it('a union discriminated by if/then on a const type gives every branch, each in its own shape', () => {
    const values = sampleOf(union) as Array<{ type: string }>;
    expect(new Set(values.map((v) => v.type))).toEqual(new Set(['text', 'image', 'ping']));
  });

  it('also fixes the discriminator: only that branch comes out', () => {
    const values = sampleOf(union, { also: [{ properties: { type: { const: 'image' } } }] }, 50) as Array<{ type: string }>;
    expect(values.every((v) => v.type === 'image')).toBe(true);
  });

  it('an if on a type with an else of null: objects with the then, or null', () => {
    const values = sampleOf({ type: ['object', 'null'], if: { type: 'object' }, then: { required: ['token'], properties: { token: { type: 'string' } } }, else: { type: 'null' } });
    expect(values.some((v) => v === null) && values.some((v) => v !== null)).toBe(true);
  });

  it('an if on a property that may be absent (type null or missing) takes its then', () => {
    sampleOf({ type: 'object', properties: { type: { enum: ['custom', null] } }, allOf: [{ if: { properties: { type: { enum: ['custom', null] } } }, then: { required: ['name'], properties: { name: { type: 'string' } } } }] });
  });

  it('optional properties are sometimes there and sometimes not; required ones always', () => {
    const values = sampleOf({ type: 'object', required: ['a'], properties: { a: { type: 'integer', minimum: 1, maximum: 3 }, b: { type: ['string', 'null'], maxLength: 4 } } }) as Array<Record<string, unknown>>;
    expect(values.every((v) => 'a' in v)).toBe(true);
    expect(values.some((v) => 'b' in v) && values.some((v) => !('b' in v))).toBe(true);
  });

  it('additionalProperties false: only the named properties; otherwise now and then another', () => {
    const closed = sampleOf({ type: 'object', properties: { a: { type: 'boolean' } }, additionalProperties: false }) as object[];
    expect(closed.every((v) => Object.keys(v).every((k) => k === 'a'))).toBe(true);
    const open = sampleOf({ type: 'object', properties: { a: { type: 'boolean' } } }) as object[];
    expect(open.some((v) => Object.keys(v).some((k) => k !== 'a'))).toBe(true);
  });

  it('maps: additionalProperties with propertyNames and maxProperties', () => {
    sampleOf({ type: 'object', maxProperties: 2, propertyNames: { maxLength: 5 }, additionalProperties: { type: 'string', maxLength: 3 } });
  });

  it('strings by pattern, length, format and base64; numbers by bounds; arrays by size', () => {
    sampleOf({
      type: 'object',
      required: ['id', 'when', 'data', 'n', 'x', 'list'],
      properties: {
        id: { type: 'string', pattern: '^srvtoolu_[a-zA-Z0-9_]+$', maxLength: 40 },
        when: { type: 'string', format: 'date-time' },
        data: { type: 'string', contentEncoding: 'base64' },
        n: { type: 'integer', minimum: -9223372036854776000, maximum: 9223372036854776000 },
        x: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        list: { type: 'array', minItems: 2, maxItems: 3, items: { enum: ['a', 'b', 1] } },
      },
    });
  });
});

describe('what it refuses', () => {
  it.each([
    ['a keyword outside the subset, by path', { type: 'object', properties: { x: { type: 'object', patternProperties: { '^a': {} } } } }, '#/properties/x: keyword patternProperties'],
    ['oneOf (exclusive: a value of one branch may match another)', { oneOf: [{ type: 'string' }, { type: 'integer' }] }, '#: keyword oneOf'],
    ['an if that is more than a discriminator', { if: { properties: { a: { minLength: 2 } } }, then: {} }, '#/if/properties/a: keyword minLength'],
    ['a format it does not generate', { type: 'string', format: 'email' }, '#: format email'],
    ['a $ref to another document', { $ref: 'other.json#/x' }, 'only local $refs are supported'],
  ] as Array<[string, SchemaObject, string]>)('%s', (_what, schema, problem) => {
    expect(() => schemaArbitrary(schema)).toThrow(UnsupportedSchema);
    expect(() => schemaArbitrary(schema)).toThrow(problem);
  });

  it('a schema that admits no value', () => {
    expect(() => schemaArbitrary({ type: 'string', const: 1 })).toThrow(AdmitsNothing);
    expect(() => schemaArbitrary(union, { also: [{ properties: { type: { const: 'video' } } }] })).toThrow(AdmitsNothing);
  });
});
