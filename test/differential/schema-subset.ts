/**
 * The part of JSON Schema (draft 2020-12) that schema-arbitrary.ts generates values for: exactly
 * what the API schemas in schemas/ use. `unsupportedIn` lists every place a schema steps outside
 * it, so a schema edit that brings in a new keyword fails the generator's unit test by name
 * instead of quietly producing values the schema rejects. Also here: the small evaluations the
 * generator needs before a value exists — which types a conjunction admits, whether a scalar
 * satisfies a schema, and whether an `if` holds for the discriminator values chosen so far.
 */
import type { Json } from './mutate-json.js';

export type SchemaObject = { readonly [keyword: string]: unknown };
export type Schema = boolean | SchemaObject;
export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

/** In the order alternatives are offered, so that fast-check shrinks towards scalars. */
export const JSON_TYPES: readonly JsonType[] = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

/** Keywords that only describe (contentEncoding is also a hint the generator follows). */
export const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'deprecated', 'examples', 'default', 'readOnly', 'writeOnly', 'contentEncoding']);

/** Keywords the generator acts on. */
const KEYWORDS = new Set([
  '$ref', '$defs', 'allOf', 'anyOf', 'if', 'then', 'else', 'type', 'const', 'enum',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'maxProperties',
  'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'format',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
]);

/**
 * The generator's own keywords, on the members it adds while it splits a conjunction: an exact
 * generation type (JSON Schema's "number" also admits integers) and values a member excludes.
 * Their names cannot clash with a schema file's: `unsupportedIn` rejects any other keyword.
 */
export const EXACT_TYPE = 'x-generate-type';
export const NOT_IN = 'x-generate-not-in';

const FORMATS = new Set(['uri', 'date-time']);
const IF_KEYWORDS = new Set(['type', 'properties', 'required']);
const IF_PROPERTY_KEYWORDS = new Set(['type', 'const', 'enum']);
const PROPERTY_NAME_KEYWORDS = new Set(['type', 'minLength', 'maxLength']);

export const isObject = (s: unknown): s is SchemaObject => s !== null && typeof s === 'object' && !Array.isArray(s);

export function resolveRef(root: SchemaObject, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  if (node !== true && node !== false && !isObject(node)) throw new Error(`$ref ${ref} resolves to nothing`);
  return node;
}

/** Every keyword or keyword use outside the subset, as `path: what`; empty when the schema is inside it. */
export function unsupportedIn(root: SchemaObject): string[] {
  const problems: string[] = [];
  const seen = new Set<object>();
  const visit = (schema: unknown, at: string): void => {
    if (schema === true || schema === false) return;
    if (!isObject(schema)) return void problems.push(`${at}: not a schema`);
    if (seen.has(schema)) return;
    seen.add(schema);
    for (const keyword of Object.keys(schema)) {
      if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) problems.push(`${at}: keyword ${keyword}`);
    }
    checkValues(schema, at, problems, root);
    for (const key of ['properties', '$defs'] as const) {
      if (isObject(schema[key])) for (const [name, sub] of Object.entries(schema[key])) visit(sub, `${at}/${key}/${name}`);
    }
    for (const key of ['items', 'additionalProperties', 'then', 'else'] as const) if (schema[key] !== undefined) visit(schema[key], `${at}/${key}`);
    for (const key of ['allOf', 'anyOf'] as const) {
      if (Array.isArray(schema[key])) (schema[key] as unknown[]).forEach((sub, i) => visit(sub, `${at}/${key}/${i}`));
      else if (schema[key] !== undefined) problems.push(`${at}/${key}: not an array`);
    }
    if (schema.if !== undefined) checkCondition(schema.if, `${at}/if`, problems);
    if (schema.propertyNames !== undefined) checkOnly(schema.propertyNames, PROPERTY_NAME_KEYWORDS, `${at}/propertyNames`, problems);
  };
  visit(root, '#');
  return problems;
}

function checkValues(schema: SchemaObject, at: string, problems: string[], root: SchemaObject): void {
  if (schema.type !== undefined && typeSet(schema.type) === undefined) problems.push(`${at}: type ${JSON.stringify(schema.type)}`);
  if (schema.format !== undefined && !FORMATS.has(String(schema.format))) problems.push(`${at}: format ${String(schema.format)}`);
  if (schema.contentEncoding !== undefined && schema.contentEncoding !== 'base64') problems.push(`${at}: contentEncoding ${String(schema.contentEncoding)}`);
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) problems.push(`${at}: enum is not an array`);
  if (schema.items !== undefined && schema.items !== true && schema.items !== false && !isObject(schema.items)) problems.push(`${at}: items is not one schema`);
  if (schema.$ref !== undefined) {
    try {
      resolveRef(root, String(schema.$ref));
    } catch (error) {
      problems.push(`${at}: ${(error as Error).message}`);
    }
  }
}

/** `if` is only ever a discriminator: a type, or const/enum/type tests of properties and which are present. */
function checkCondition(schema: unknown, at: string, problems: string[]): void {
  checkOnly(schema, IF_KEYWORDS, at, problems);
  if (!isObject(schema) || !isObject(schema.properties)) return;
  for (const [name, sub] of Object.entries(schema.properties)) checkOnly(sub, IF_PROPERTY_KEYWORDS, `${at}/properties/${name}`, problems);
}

function checkOnly(schema: unknown, allowed: ReadonlySet<string>, at: string, problems: string[]): void {
  if (!isObject(schema)) return void problems.push(`${at}: not a schema object`);
  for (const keyword of Object.keys(schema)) {
    if (!allowed.has(keyword) && !ANNOTATIONS.has(keyword)) problems.push(`${at}: keyword ${keyword} (here only ${[...allowed].join(', ')})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Types and values

/** A `type` keyword as a set of generation types ("number" admits integers too); undefined when not one. */
export function typeSet(type: unknown): Set<JsonType> | undefined {
  const list = Array.isArray(type) ? type : [type];
  const set = new Set<JsonType>();
  for (const t of list) {
    if (!JSON_TYPES.includes(t as JsonType)) return undefined;
    set.add(t as JsonType);
    if (t === 'number') set.add('integer');
  }
  return set;
}

export function jsonTypeOf(value: Json): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

export const sameJson = (a: Json, b: Json): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The types one member allows, or undefined when it says nothing about types. */
export function typesOfMember(member: SchemaObject): Set<JsonType> | undefined {
  if (member[EXACT_TYPE] !== undefined) return new Set([member[EXACT_TYPE] as JsonType]);
  return member.type === undefined ? undefined : typeSet(member.type);
}

/** The values a member allows by const or enum, or undefined when it has neither. */
export function valuesOfMember(member: SchemaObject): Json[] | undefined {
  if (member.const !== undefined) return [member.const as Json];
  return Array.isArray(member.enum) ? (member.enum as Json[]) : undefined;
}

/**
 * Whether `value` satisfies a member's scalar keywords (type, const, enum, excluded values,
 * string length and pattern, number bounds). Object and array keywords are not looked at: the
 * generator only asks this of values it is about to fix or has generated as scalars.
 */
export function admits(member: SchemaObject, value: Json): boolean {
  const types = typesOfMember(member);
  if (types && !types.has(jsonTypeOf(value)) && !(jsonTypeOf(value) === 'integer' && types.has('number'))) return false;
  const values = valuesOfMember(member);
  if (values && !values.some((v) => sameJson(v, value))) return false;
  if (Array.isArray(member[NOT_IN]) && (member[NOT_IN] as Json[]).some((v) => sameJson(v, value))) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof member.minLength === 'number' && length < member.minLength) return false;
    if (typeof member.maxLength === 'number' && length > member.maxLength) return false;
    if (typeof member.pattern === 'string' && !new RegExp(member.pattern, 'u').test(value)) return false;
  }
  if (typeof value === 'number') {
    if (typeof member.minimum === 'number' && value < member.minimum) return false;
    if (typeof member.maximum === 'number' && value > member.maximum) return false;
    if (typeof member.exclusiveMinimum === 'number' && value <= member.exclusiveMinimum) return false;
    if (typeof member.exclusiveMaximum === 'number' && value >= member.exclusiveMaximum) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** What is decided about a property an `if` looks at, before the object is generated. */
export type Fact =
  | { kind: 'value'; value: Json }
  | { kind: 'absent' }
  /** Present, of this type, and none of the values the conditions name. */
  | { kind: 'other'; type: JsonType; excluded: Json[] };

/** The properties an `if` looks at. */
export function conditionProperties(condition: SchemaObject): string[] {
  const named = isObject(condition.properties) ? Object.keys(condition.properties) : [];
  const required = Array.isArray(condition.required) ? (condition.required as string[]) : [];
  return [...new Set([...named, ...required])];
}

/** The values an `if` names for one property (its const or enum). */
export function conditionValues(condition: SchemaObject, property: string): Json[] {
  const sub = isObject(condition.properties) ? condition.properties[property] : undefined;
  return isObject(sub) ? (valuesOfMember(sub) ?? []) : [];
}

/** Whether `if` holds for an instance of `type` whose looked-at properties are as `facts` say. */
export function conditionHolds(condition: SchemaObject, type: JsonType, facts: ReadonlyMap<string, Fact>): boolean {
  const types = condition.type === undefined ? undefined : typeSet(condition.type);
  if (types && !types.has(type)) return false;
  // properties and required say nothing about a value that is not an object.
  if (type !== 'object') return true;
  for (const name of conditionProperties(condition)) {
    const fact = facts.get(name);
    if (!fact) throw new Error(`the condition looks at "${name}", which was not decided`);
    const required = Array.isArray(condition.required) && condition.required.includes(name);
    if (fact.kind === 'absent') {
      if (required) return false;
      continue;
    }
    const sub = isObject(condition.properties) ? condition.properties[name] : undefined;
    if (sub !== undefined && !propertyHolds(sub as Schema, fact)) return false;
  }
  return true;
}

function propertyHolds(schema: Schema, fact: Exclude<Fact, { kind: 'absent' }>): boolean {
  if (typeof schema === 'boolean') return schema;
  if (fact.kind === 'value') return admits(schema, fact.value);
  // An undecided value of a known type: the values it may not take are exactly those the
  // conditions name, so a const or enum test fails, and a type test is decided by the type.
  const types = typesOfMember(schema);
  if (types && !types.has(fact.type)) return false;
  const values = valuesOfMember(schema);
  if (values && values.every((v) => fact.excluded.some((e) => sameJson(e, v)))) return false;
  if (values) throw new Error(`cannot decide ${JSON.stringify(schema)} for an undecided ${fact.type}`);
  return true;
}
