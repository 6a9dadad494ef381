/**
 * A fast-check arbitrary of the values a JSON Schema admits, for the subset of JSON Schema the API
 * schemas in schemas/ use (schema-subset.ts; anything else is refused up front, by path). No npm
 * package does this for fast-check 4: json-schema-fast-check needs fast-check 1 and is archived,
 * @amritk/generate-examples writes TypeScript files and calls itself pre-alpha.
 *
 * How: a schema is handled as a conjunction of members (allOf and $ref flattened) and split into
 * alternatives until each is one plain case: an anyOf becomes one alternative per branch, a union
 * of types one per type, and the if/then/else discriminators (hundreds, on `type` consts mostly)
 * one alternative per value of the property they look at — the value is fixed first, then each
 * `if` is decided and its then or else joins the conjunction. Alternatives that admit nothing
 * (an else of type null under an object, a fixed value another member forbids) are dropped.
 *
 * Bounded: the properties and items of an object or array are built lazily, one level deeper;
 * optional properties and extra array items get rarer with depth, and from `maxDepth` on only
 * required properties and minItems items are generated and alternatives that need no nesting are
 * preferred, so recursive schemas end. Scalars: schema-scalars.ts.
 *
 * Ignored, on purpose: the annotations (title, description, examples, default, deprecated, …),
 * which constrain nothing. Refused (schema-subset.ts): every other keyword the files do not use —
 * oneOf among them, whose exclusivity a branch-by-branch generator cannot promise. Left to the
 * unit test, which validates samples with AJV: a conflict between members of a conjunction deeper
 * than one property, which is only found when a value is generated.
 * Where an object allows other properties, one or two now and then come with names from the APIs'
 * keys (mutate-json.ts); properties come in the schema's order.
 */
import fc from 'fast-check';
import { KEYS, smallJson, type Json } from './mutate-json.js';
import { numberOf, stringOf, TOWARDS_FIRST } from './schema-scalars.js';
import {
  ANNOTATIONS, EXACT_TYPE, JSON_TYPES, NOT_IN, admits, conditionHolds, conditionProperties, conditionValues, isObject, resolveRef,
  sameJson, typesOfMember, unsupportedIn, valuesOfMember, type Fact, type JsonType, type Schema, type SchemaObject,
} from './schema-subset.js';

export interface SchemaArbitraryOptions {
  /** From this depth of nesting on, only what is required is generated (default 6). */
  maxDepth?: number;
  /** More members of the conjunction, e.g. `{ properties: { type: { const: "ping" } } }`. */
  also?: readonly SchemaObject[];
}

/** The schema uses JSON Schema outside the subset (every place is listed). */
export class UnsupportedSchema extends Error {}

/** The schema (with `also`) admits no value at all. */
export class AdmitsNothing extends Error {}

/** Values `root` admits (with `options.also`); throws UnsupportedSchema or AdmitsNothing. */
export function schemaArbitrary(root: SchemaObject, options: SchemaArbitraryOptions = {}): fc.Arbitrary<Json> {
  const problems = unsupportedIn(root);
  if (problems.length > 0) throw new UnsupportedSchema(`${String(root.$id ?? 'schema')} is outside the generator's subset:\n  ${problems.join('\n  ')}`);
  const built = new SchemaGenerator(root, options.maxDepth ?? 6).of([root, ...(options.also ?? [])], 0, '#');
  if (built === NEVER) throw new AdmitsNothing(`${String(root.$id ?? 'schema')} (with ${JSON.stringify(options.also ?? [])}) admits no value`);
  return built.arbitrary;
}

const NEVER = Symbol('admits nothing');
const ABSENT = Symbol('absent');

interface Built {
  arbitrary: fc.Arbitrary<Json>;
  /** Can give a value without nesting deeper (what the alternatives past maxDepth are chosen by). */
  shallow: boolean;
}
type Outcome = Built | typeof NEVER;

/** Beyond maxDepth + this, a schema whose required members keep nesting is reported, not followed. */
const NESTING_MARGIN = 12;
const MAX_ALTERNATIVES = 2000;

/** An arbitrary built on first use: properties and items are only built when generation gets there. */
class LazyArbitrary<T> extends fc.Arbitrary<T> {
  private built: fc.Arbitrary<T> | undefined;
  constructor(private readonly build: () => fc.Arbitrary<T>) {
    super();
  }
  private get arbitrary(): fc.Arbitrary<T> {
    return (this.built ??= this.build());
  }
  generate(random: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    return this.arbitrary.generate(random, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.arbitrary.canShrinkWithoutContext(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arbitrary.shrink(value, context);
  }
}

const hasConstraint = (member: SchemaObject): boolean => Object.keys(member).some((k) => !ANNOTATIONS.has(k));

function intersect<T>(sets: ReadonlyArray<ReadonlySet<T>>): Set<T> | undefined {
  if (sets.length === 0) return undefined;
  return new Set([...sets[0]].filter((item) => sets.every((s) => s.has(item))));
}

class SchemaGenerator {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  private readonly interned = new Map<string, SchemaObject>();
  private readonly trimmed = new WeakMap<object, Map<string, SchemaObject>>();
  private readonly memo = new Map<string, Outcome>();
  private readonly building = new Set<string>();

  constructor(private readonly root: SchemaObject, private readonly maxDepth: number) {}

  /** The alternatives of a conjunction at a depth of nesting, as one arbitrary. */
  of(members: readonly Schema[], depth: number, path: string): Outcome {
    if (depth > this.maxDepth + NESTING_MARGIN) throw new Error(`${path}: the schema keeps requiring deeper values`);
    const flat = this.flatten(members);
    if (flat === NEVER) return NEVER;
    const key = `${flat.map((m) => this.id(m)).join(',')}@${depth}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    if (this.building.has(key)) throw new Error(`${path}: the schema refers to itself without nesting`);
    this.building.add(key);
    try {
      const outcome = this.build(flat, depth, path);
      this.memo.set(key, outcome);
      return outcome;
    } finally {
      this.building.delete(key);
    }
  }

  private build(flat: SchemaObject[], depth: number, path: string): Outcome {
    const branching = flat.findIndex((m) => m.anyOf !== undefined);
    if (branching >= 0) {
      const rest = flat.filter((_, i) => i !== branching).concat(this.without(flat[branching], ['anyOf']));
      return this.choose((flat[branching].anyOf as Schema[]).map((branch) => this.of([...rest, branch], depth, path)), depth);
    }
    const conditions = flat.filter((m) => m.if !== undefined);
    const values = this.valuesOf(flat);
    if (values && conditions.length === 0) return this.fromValues(values, flat);
    let types = this.typesOf(flat);
    if (!types) {
      if (conditions.length === 0) return { arbitrary: smallJson, shallow: true };
      types = new Set(JSON_TYPES);
    }
    if (values) types = new Set([...types].filter((t) => values.some((v) => admits({ [EXACT_TYPE]: t }, v))));
    if (types.size === 0) return NEVER;
    if (types.size > 1) {
      const alternatives = JSON_TYPES.filter((t) => types.has(t)).map((t) => this.of([...flat, this.synthetic({ [EXACT_TYPE]: t })], depth, path));
      return this.choose(alternatives, depth);
    }
    const [type] = types;
    if (conditions.length > 0) return this.decide(flat, conditions, type, depth, path);
    if (values) return this.fromValues(values, flat);
    switch (type) {
      case 'null':
        return { arbitrary: fc.constant(null), shallow: true };
      case 'boolean':
        return { arbitrary: fc.boolean(), shallow: true };
      case 'integer':
      case 'number':
        return this.scalar(numberOf(type, flat), flat);
      case 'string':
        return this.scalar(stringOf(flat), flat);
      case 'array':
        return this.arrayOf(flat, depth, path);
      case 'object':
        return this.objectOf(flat, depth, path);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Conjunctions

  /** $ref and allOf inlined, `true` dropped, duplicates removed; NEVER when a `false` is met. */
  private flatten(members: readonly Schema[]): SchemaObject[] | typeof NEVER {
    const out: SchemaObject[] = [];
    const visit = (schema: Schema, hops: number): boolean => {
      if (schema === true) return true;
      if (schema === false) return false;
      if (hops > 64) throw new Error('a cycle of $ref/allOf with no nesting');
      let ok = true;
      if (typeof schema.$ref === 'string') ok = visit(resolveRef(this.root, schema.$ref), hops + 1) && ok;
      if (Array.isArray(schema.allOf)) for (const sub of schema.allOf as Schema[]) ok = visit(sub, hops + 1) && ok;
      const rest = this.without(schema, ['$ref', 'allOf', '$defs']);
      if (hasConstraint(rest) && !out.includes(rest)) out.push(rest);
      return ok;
    };
    for (const member of members) if (!visit(member, 0)) return NEVER;
    return out;
  }

  private id(member: object): number {
    let id = this.ids.get(member);
    if (id === undefined) this.ids.set(member, (id = this.nextId++));
    return id;
  }

  /** A member made by the generator, one object per content (so conjunctions memoise). */
  private synthetic(member: SchemaObject): SchemaObject {
    const key = JSON.stringify(member);
    let found = this.interned.get(key);
    if (!found) this.interned.set(key, (found = member));
    return found;
  }

  /** `member` without some keywords: the same object each time (so conjunctions memoise). */
  private without(member: SchemaObject, keywords: readonly string[]): SchemaObject {
    if (!keywords.some((k) => k in member)) return member;
    let byKeywords = this.trimmed.get(member);
    if (!byKeywords) this.trimmed.set(member, (byKeywords = new Map()));
    const key = keywords.join(' ');
    let found = byKeywords.get(key);
    if (!found) byKeywords.set(key, (found = Object.fromEntries(Object.entries(member).filter(([k]) => !keywords.includes(k)))));
    return found;
  }

  /** The types a conjunction allows; without a `type` anywhere, what its keywords imply, else undefined. */
  private typesOf(flat: readonly SchemaObject[]): Set<JsonType> | undefined {
    const declared = flat.map(typesOfMember).filter((s): s is Set<JsonType> => s !== undefined);
    if (declared.length > 0) return intersect(declared);
    const implied = new Set<JsonType>();
    for (const m of flat) {
      if (['properties', 'required', 'additionalProperties', 'propertyNames', 'maxProperties'].some((k) => k in m)) implied.add('object');
      if (['items', 'minItems', 'maxItems'].some((k) => k in m)) implied.add('array');
      if (['minLength', 'maxLength', 'pattern', 'format'].some((k) => k in m)) implied.add('string');
      if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((k) => k in m)) (implied.add('integer'), implied.add('number'));
    }
    return implied.size > 0 ? implied : undefined;
  }

  private valuesOf(flat: readonly SchemaObject[]): Json[] | undefined {
    const lists = flat.map(valuesOfMember).filter((v): v is Json[] => v !== undefined);
    if (lists.length === 0) return undefined;
    return lists[0].filter((v) => lists.every((l) => l.some((w) => sameJson(v, w))) && flat.every((m) => admits(m, v)));
  }

  private fromValues(values: Json[], flat: readonly SchemaObject[]): Outcome {
    const admitted = values.filter((v) => flat.every((m) => admits(m, v)));
    return admitted.length === 0 ? NEVER : { arbitrary: fc.constantFrom(...admitted), shallow: true };
  }

  private scalar(arbitrary: fc.Arbitrary<Json>, flat: readonly SchemaObject[]): Built {
    return { arbitrary: arbitrary.filter((v) => flat.every((m) => admits(m, v))), shallow: true };
  }

  /** One arbitrary of the alternatives that admit something; past maxDepth, of those that need no nesting. */
  private choose(outcomes: readonly Outcome[], depth: number): Outcome {
    let built = outcomes.filter((o): o is Built => o !== NEVER);
    if (built.length === 0) return NEVER;
    if (depth >= this.maxDepth && built.some((b) => b.shallow)) built = built.filter((b) => b.shallow);
    return { arbitrary: built.length === 1 ? built[0].arbitrary : fc.oneof(TOWARDS_FIRST, ...built.map((b) => b.arbitrary)), shallow: built.some((b) => b.shallow) };
  }

  // -------------------------------------------------------------------------------------------
  // if / then / else

  /**
   * Replaces the conditions by their then or else. For an object, each property an undecided `if`
   * looks at is decided first (a value of its enum, a value a condition names, absent, or present
   * with another value of some type), one alternative per combination.
   */
  private decide(flat: SchemaObject[], conditions: SchemaObject[], type: JsonType, depth: number, path: string): Outcome {
    const rest = flat.filter((m) => m.if === undefined);
    for (const c of conditions) {
      const remainder = this.without(c, ['if', 'then', 'else']);
      if (hasConstraint(remainder)) rest.push(remainder);
    }
    const exact = this.synthetic({ [EXACT_TYPE]: type });
    const branches = (facts: ReadonlyMap<string, Fact>) =>
      conditions.map((c) => (conditionHolds(c.if as SchemaObject, type, facts) ? c.then : c.else)).filter((b): b is Schema => b !== undefined);
    if (type !== 'object') return this.of([...rest, exact, ...branches(new Map())], depth, path);

    const facts = this.decided(rest);
    const open = [...new Set(conditions.flatMap((c) => conditionProperties(c.if as SchemaObject)))].filter((p) => !facts.has(p));
    const choices = open.map((p) => this.candidates(p, rest, conditions));
    const combinations = choices.reduce<Fact[][]>((acc, list) => acc.flatMap((combo) => list.map((fact) => [...combo, fact])), [[]]);
    if (combinations.length > MAX_ALTERNATIVES) throw new Error(`${path}: ${combinations.length} combinations of ${open.join(', ')}`);
    return this.choose(
      combinations.map((combo) => {
        const chosen = new Map(facts);
        const fixed = combo.map((fact, i) => (chosen.set(open[i], fact), this.fixing(open[i], fact)));
        return this.of([...rest, exact, ...fixed, ...branches(chosen)], depth, path);
      }),
      depth,
    );
  }

  /** Properties already decided by the conjunction: a required const, or a `false` schema (absent). */
  private decided(rest: readonly SchemaObject[]): Map<string, Fact> {
    const facts = new Map<string, Fact>();
    const required = new Set(rest.flatMap((m) => (Array.isArray(m.required) ? (m.required as string[]) : [])));
    for (const m of rest) {
      if (!isObject(m.properties)) continue;
      for (const [name, sub] of Object.entries(m.properties)) {
        if (sub === false) facts.set(name, { kind: 'absent' });
        else if (required.has(name) && !facts.has(name)) {
          const flat = this.flatten([sub as Schema]);
          const values = flat === NEVER ? undefined : this.valuesOf(flat);
          if (values?.length === 1) facts.set(name, { kind: 'value', value: values[0] });
        }
      }
    }
    return facts;
  }

  private candidates(name: string, rest: readonly SchemaObject[], conditions: readonly SchemaObject[]): Fact[] {
    const required = rest.some((m) => Array.isArray(m.required) && m.required.includes(name));
    const base = this.flatten(this.propertySchemas(rest, name));
    const facts: Fact[] = [];
    if (base !== NEVER) {
      const own = this.valuesOf(base);
      const named = conditions.flatMap((c) => conditionValues(c.if as SchemaObject, name)).filter((v, i, all) => all.findIndex((w) => sameJson(v, w)) === i);
      for (const value of own ?? named.filter((v) => base.every((m) => admits(m, v)))) facts.push({ kind: 'value', value });
      if (!own) for (const type of JSON_TYPES.filter((t) => (this.typesOf(base) ?? new Set(JSON_TYPES)).has(t))) facts.push({ kind: 'other', type, excluded: named });
    }
    if (!required) facts.push({ kind: 'absent' });
    return facts;
  }

  private fixing(name: string, fact: Fact): SchemaObject {
    if (fact.kind === 'absent') return this.synthetic({ properties: { [name]: false } });
    const schema = fact.kind === 'value' ? { const: fact.value } : { [EXACT_TYPE]: fact.type, [NOT_IN]: fact.excluded };
    return this.synthetic({ properties: { [name]: schema }, required: [name] });
  }

  /** What each member says about property `name`: its own schema, or its additionalProperties. */
  private propertySchemas(flat: readonly SchemaObject[], name: string): Schema[] {
    const schemas: Schema[] = [];
    for (const m of flat) {
      if (isObject(m.properties) && name in m.properties) schemas.push(m.properties[name] as Schema);
      else if (m.additionalProperties !== undefined) schemas.push(m.additionalProperties as Schema);
    }
    return schemas;
  }

  // -------------------------------------------------------------------------------------------
  // Objects and arrays

  private objectOf(flat: readonly SchemaObject[], depth: number, path: string): Outcome {
    const required = new Set(flat.flatMap((m) => (Array.isArray(m.required) ? (m.required as string[]) : [])));
    const names = [...new Set([...flat.flatMap((m) => (isObject(m.properties) ? Object.keys(m.properties) : [])), ...required])];
    const members: Array<{ name: string; schemas: Schema[]; required: boolean }> = [];
    for (const name of names) {
      const schemas = this.propertySchemas(flat, name);
      const admitsNothing = this.admitsNothing(schemas);
      if (admitsNothing && required.has(name)) return NEVER;
      if (!admitsNothing) members.push({ name, schemas, required: required.has(name) });
    }
    const deep = depth >= this.maxDepth;
    // An optional property is present with probability 1/2 at the top, 1/3 one level down, …
    const entries = members.filter((m) => m.required || !deep).map(({ name, schemas, required: needed }) => {
      const child = this.child(schemas, depth + 1, `${path}/${name}`, needed).map((value) => [name, value] as const);
      return needed ? child : fc.oneof(TOWARDS_FIRST, { weight: depth + 1, arbitrary: fc.constant([name, ABSENT] as const) }, { weight: 1, arbitrary: child });
    });
    const extras = deep ? fc.constant([]) : this.extrasOf(flat, names, depth, path);
    const arbitrary = fc.tuple(fc.tuple(...entries), extras).map(([known, extra]) => {
      const present = known.filter(([, v]) => v !== ABSENT) as Array<readonly [string, Json]>;
      const limit = Math.min(...flat.map((m) => (typeof m.maxProperties === 'number' ? m.maxProperties : Infinity)));
      return Object.fromEntries([...present, ...extra.slice(0, Math.max(0, limit - present.length))]) as Json;
    });
    return { arbitrary, shallow: required.size === 0 };
  }

  /** Properties no member names, where every member allows them: now and then one or two (more in maps). */
  private extrasOf(flat: readonly SchemaObject[], names: readonly string[], depth: number, path: string): fc.Arbitrary<Array<readonly [string, Json]>> {
    if (flat.some((m) => m.additionalProperties === false)) return fc.constant([]);
    const schemas = flat.map((m) => m.additionalProperties).filter((s): s is SchemaObject => isObject(s));
    const nameRules = flat.map((m) => m.propertyNames).filter(isObject);
    const key = fc
      .oneof({ weight: 3, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) })
      .filter((k) => k !== '__proto__' && !names.includes(k) && nameRules.every((rule) => admits({ ...rule, type: 'string' }, k)));
    const value = schemas.length > 0 ? this.child(schemas, depth + 1, `${path}/*`, true) : smallJson;
    const isMap = names.length === 0 && schemas.length > 0;
    const some = fc.uniqueArray(fc.tuple(key, value as fc.Arbitrary<Json>), { minLength: 1, maxLength: isMap ? 3 : 2, selector: ([k]) => k });
    return fc.oneof(TOWARDS_FIRST, { weight: isMap ? 1 : 6, arbitrary: fc.constant<Array<readonly [string, Json]>>([]) }, { weight: 1, arbitrary: some });
  }

  private arrayOf(flat: readonly SchemaObject[], depth: number, path: string): Outcome {
    const minItems = Math.max(0, ...flat.map((m) => (typeof m.minItems === 'number' ? m.minItems : 0)));
    const maxItems = Math.min(...flat.map((m) => (typeof m.maxItems === 'number' ? m.maxItems : Infinity)));
    if (minItems > maxItems) return NEVER;
    const items = flat.map((m) => m.items).filter((s): s is Schema => s !== undefined);
    if (minItems > 0 && this.admitsNothing(items)) return NEVER;
    // A few more items than required at the top, fewer deeper down, none past maxDepth.
    const extra = depth >= this.maxDepth || this.admitsNothing(items) ? 0 : Math.max(1, 4 - depth);
    const item = items.length > 0 ? this.child(items, depth + 1, `${path}/items`, true) : smallJson;
    return { arbitrary: fc.array(item as fc.Arbitrary<Json>, { minLength: minItems, maxLength: Math.min(maxItems, minItems + extra) }), shallow: minItems === 0 };
  }

  /** A property's or item's arbitrary, built when first used; an optional one that admits nothing is absent. */
  private child(schemas: readonly Schema[], depth: number, path: string, required: boolean): fc.Arbitrary<Json | typeof ABSENT> {
    return new LazyArbitrary<Json | typeof ABSENT>(() => {
      const built = this.of(schemas, depth, path);
      if (built !== NEVER) return built.arbitrary;
      if (required) throw new Error(`${path}: required, but admits no value`);
      return fc.constant(ABSENT);
    });
  }

  /** A conflict visible without nesting: `false`, no common type, or no common const/enum value. */
  private admitsNothing(schemas: readonly Schema[]): boolean {
    const flat = this.flatten(schemas);
    if (flat === NEVER) return true;
    const types = this.typesOf(flat);
    if (types && types.size === 0) return true;
    const values = this.valuesOf(flat);
    return values !== undefined && values.length === 0;
  }
}
