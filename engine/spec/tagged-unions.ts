/**
 * The API schemas say "a block of type X must match schema X" the standard way: an `allOf` of
 * `if: {properties: {type: {const: X}}, required: [type]}, then: {$ref: X}` — two dozen of them
 * for an Anthropic content block, thirty for a Responses input item. AJV checks every `if` of the
 * chain for every block, and each `if` that fails allocates an error object; for the bench's
 * upstream payload that is 20 KB of garbage and most of the validation time, on every request.
 *
 * Such a chain is a tagged union. Before the schemas are compiled, each chain is moved, unchanged,
 * to the keyword below, which reads the tag once and validates the `then` of the branches whose
 * value it has: the same verdict with one comparison per branch and no allocation. The errors of
 * a failing branch are the `then`'s own errors, with the same instance paths and messages (AJV's
 * extra "must match \"then\" schema" line, which the gateway never shows, is not made).
 *
 * Only exact chains are moved: every member of the `allOf` tests one and the same property for a
 * constant, a list of them or null (requiring it, or not: then its absence passes too), and the
 * schema holding the chain admits objects only — an `if` of `properties` holds for anything that
 * is not an object, so under any other schema a non-object would have to meet every `then`. A
 * schema file that uses `unevaluated…` keywords is left alone: those need to know what each branch
 * evaluated.
 */
import { _, type Ajv2020, type CodeKeywordDefinition, type KeywordCxt, type Name } from 'ajv/dist/2020.js';
import { or } from 'ajv/dist/compile/codegen/index.js';

/** The keyword a chain is moved to. */
export const TAGGED_UNION = 'x-rosetta-tagged-union';

type Primitive = string | number | boolean | null;

/** What one member of a chain tests: which property, for which values, and whether its absence passes. */
interface TagTest {
  tag: string;
  values: Primitive[];
  /** An `if` without `required` also holds when the property is absent. */
  whenAbsent: boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isPrimitive = (value: unknown): value is Primitive => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const hasExactKeys = (value: Record<string, unknown>, keys: readonly string[]) => {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => own.includes(k));
};

/** The values a condition on the tag admits: `const`, `enum`, or `type: "null"`. */
function valuesOf(condition: unknown): Primitive[] | undefined {
  if (!isPlainObject(condition)) return undefined;
  if (hasExactKeys(condition, ['const']) && isPrimitive(condition.const)) return [condition.const];
  if (hasExactKeys(condition, ['enum']) && Array.isArray(condition.enum) && condition.enum.length > 0 && condition.enum.every(isPrimitive)) return condition.enum;
  if (hasExactKeys(condition, ['type']) && condition.type === 'null') return [null];
  return undefined;
}

/**
 * What a chain member tests, when it is an exact tag test: `if` + `then` and nothing else, the
 * `if` being `properties` on one property (with `required` of that property, or without).
 */
function tagTestOf(member: unknown): TagTest | undefined {
  if (!isPlainObject(member) || !hasExactKeys(member, ['if', 'then'])) return undefined;
  const test = member.if;
  if (!isPlainObject(test)) return undefined;
  const required = hasExactKeys(test, ['properties', 'required']);
  if (!required && !hasExactKeys(test, ['properties'])) return undefined;
  const properties = test.properties;
  if (!isPlainObject(properties) || Object.keys(properties).length !== 1) return undefined;
  const [tag] = Object.keys(properties);
  if (required && (!Array.isArray(test.required) || test.required.length !== 1 || test.required[0] !== tag)) return undefined;
  const values = valuesOf(properties[tag]);
  return values && { tag, values, whenAbsent: !required };
}

function admitsObjectsOnly(schema: Record<string, unknown>): boolean {
  return schema.type === 'object' || (Array.isArray(schema.type) && schema.type.length === 1 && schema.type[0] === 'object');
}

function isTaggedChain(schema: Record<string, unknown>): boolean {
  const chain = schema.allOf;
  if (!Array.isArray(chain) || chain.length < 2 || !admitsObjectsOnly(schema) || schema[TAGGED_UNION] !== undefined) return false;
  const tag = tagTestOf(chain[0])?.tag;
  return tag !== undefined && chain.every((member) => tagTestOf(member)?.tag === tag);
}

/** Whether a schema uses unevaluatedProperties or unevaluatedItems anywhere. */
export function usesUnevaluated(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesUnevaluated);
  if (!isPlainObject(value)) return false;
  return 'unevaluatedProperties' in value || 'unevaluatedItems' in value || Object.values(value).some(usesUnevaluated);
}

/** A copy of `schema` (a whole schema file) with every tagged-union chain moved to TAGGED_UNION. */
export function withTaggedUnions<T>(schema: T): T {
  if (usesUnevaluated(schema)) return schema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    const chain = isTaggedChain(value);
    for (const [key, child] of Object.entries(value)) out[chain && key === 'allOf' ? TAGGED_UNION : key] = rewrite(child);
    return out;
  };
  return rewrite(schema) as T;
}

const taggedUnionKeyword: CodeKeywordDefinition = {
  keyword: TAGGED_UNION,
  type: 'object',
  schemaType: 'array',
  code(cxt: KeywordCxt) {
    const { gen, data, it } = cxt;
    const branches = cxt.schema as Array<{ then: unknown }>;
    const tests = branches.map((branch) => tagTestOf(branch)!);
    const tag = gen.const('tag', _`${data}[${tests[0].tag}]`);
    const valid: Name = gen.name('valid');
    branches.forEach((branch, i) => {
      const { values, whenAbsent } = tests[i];
      // JSON Schema compares values as JSON; for a value that is not an object or array, that is ===.
      const holds = values.map((value) => _`${tag} === ${value}`);
      if (whenAbsent) holds.unshift(_`${tag} === undefined`);
      gen.if(or(...holds), () => {
        cxt.subschema(
          {
            schema: branch.then as never,
            schemaPath: _`${it.schemaPath}[${TAGGED_UNION}][${i}].then`,
            errSchemaPath: `${it.errSchemaPath}/${TAGGED_UNION}/${i}/then`,
            topSchemaRef: it.topSchemaRef,
          },
          valid,
        );
        cxt.ok(valid);
      });
    });
  },
};

/** Teaches `ajv` the keyword that tagged-union chains are moved to (withTaggedUnions). */
export function addTaggedUnionKeyword(ajv: Ajv2020): void {
  ajv.addKeyword(taggedUnionKeyword);
}
