/**
 * Mapping coverage: every field of the inbound request schema must be used by a rule or listed
 * under `ignored:` with a reason; likewise every upstream response field (`upstream_ignored:`) and
 * every upstream stream event type (`stream.ignored:`). Nothing passes through unseen.
 *
 * A stream whose events all share one shape, told apart by a field other than `type`
 * (`stream.event_type_from`, e.g. Chat Completions chunks, every one `object: chat.completion.chunk`),
 * says little through its event types: there every field of the event schema, to three levels, must
 * be named by a stream rule's `covers:` or listed under `stream.ignored_fields:` with a reason.
 *
 * Field paths are dotted property names with arrays transparent (`tools.name` is the name of each
 * tool), to `depth` segments. A path counts as covered when it, or one of its ancestors, is named by
 * a rule's `covers:`, read at the top of a rule's expression, or listed as ignored.
 */
import jsonata from 'jsonata';
import type { ApiSchemas } from './api-schemas.js';
import type { CompiledPair } from './compile-pair.js';
import type { BlockSpec, StreamSpec } from './pair-spec.js';

export interface FieldCoverage {
  path: string;
  status: 'mapped' | 'ignored' | 'missing';
  /** Rule ids (mapped) or the reason (ignored). */
  by: string[];
}

export interface CoverageReport {
  inbound: FieldCoverage[];
  upstreamResponse: FieldCoverage[];
  streamEvents: FieldCoverage[];
  /** Fields of the upstream stream event (only for streams with `event_type_from`; else empty). */
  streamFields: FieldCoverage[];
}

export function coverageOf(pair: CompiledPair, schemas: ApiSchemas, depth = 2): CoverageReport {
  const spec = pair.spec;
  const inboundFields = schemaFieldPaths(schemas.schema(pair.inboundApi, 'request'), depth);
  const responseFields = schemaFieldPaths(schemas.schema(pair.upstreamApi, 'response'), 1);
  const streamSchema = schemas.schema(pair.upstreamApi, 'stream-event');
  const typeField = spec.stream?.event_type_from;
  const eventTypes = schemaEventTypes(streamSchema, typeField ?? 'type');
  const streamUses = new Map<string, string[]>(Object.keys(spec.stream?.events ?? {}).map((t) => [t, [`stream.events.${t}`]]));
  return {
    inbound: classify(inboundFields, usesOf(spec.request), spec.ignored ?? {}),
    upstreamResponse: spec.response ? classify(responseFields, usesOf(spec.response), spec.upstream_ignored ?? {}) : [],
    streamEvents: spec.stream ? classify(eventTypes, streamUses, spec.stream.ignored ?? {}, false) : [],
    streamFields: spec.stream && typeField ? classify(schemaFieldPaths(streamSchema, 3), streamFieldUses(spec.stream), spec.stream.ignored_fields ?? {}) : [],
  };
}

function classify(paths: string[], uses: Map<string, string[]>, ignored: Record<string, string>, inherit = true): FieldCoverage[] {
  return paths.map((path) => {
    const chain = inherit ? ancestorsOf(path) : [path];
    const ignoredAt = chain.find((p) => p in ignored);
    if (ignoredAt && ignoredAt === path) return { path, status: 'ignored', by: [ignored[ignoredAt]] };
    const users = chain.flatMap((p) => uses.get(p) ?? []);
    if (users.length > 0) return { path, status: 'mapped', by: [...new Set(users)] };
    if (ignoredAt) return { path, status: 'ignored', by: [ignored[ignoredAt]] };
    return { path, status: 'missing', by: [] };
  });
}

function ancestorsOf(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.')).reverse();
}

/**
 * Stream event field → the stream rules that name it in `covers:`. (Only `covers:` counts: a stream
 * rule reads `choices` for every chunk, which would mark every field below it as used.)
 */
function streamFieldUses(stream: StreamSpec): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const [type, rule] of Object.entries(stream.events)) {
    for (const path of rule.covers ?? []) uses.set(path, [...(uses.get(path) ?? []), `stream.events.${type}`]);
  }
  return uses;
}

/** Field path → the rules that use it: their `covers:` plus the fields their expression reads at the root. */
function usesOf(block: BlockSpec | undefined): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (path: string, id: string) => uses.set(path, [...(uses.get(path) ?? []), id]);
  for (const [i, field] of (block?.fields ?? []).entries()) {
    const id = `fields[${i}] → ${field.target}`;
    for (const path of [...(field.covers ?? []), ...rootFieldsRead(field.from)]) add(path, id);
  }
  for (const rule of block?.rules ?? []) {
    for (const path of [...(rule.covers ?? []), ...rootFieldsRead(rule.from)]) add(path, rule.id);
  }
  return uses;
}

/** The first step of every path expression that starts at the input (`max_tokens`, `metadata.user_id` → metadata). */
export function rootFieldsRead(source: string): string[] {
  let ast: unknown;
  try {
    ast = jsonata(source).ast();
  } catch {
    return [];
  }
  const found = new Set<string>();
  const visit = (node: unknown, atRoot: boolean): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const first = n.steps[0] as Record<string, unknown> | undefined;
      if (atRoot && first?.type === 'name') found.add(String(first.value));
      n.steps.forEach((step, i) => visit(step, atRoot && i === 0 ? false : false));
      return;
    }
    if (n.type === 'name' && atRoot) found.add(String(n.value));
    // A lambda's body reads its own arguments, not the input; a path step's predicates read the step.
    if (n.type === 'lambda') return;
    for (const [key, value] of Object.entries(n)) {
      if (key === 'position' || key === 'value' || key === 'type') continue;
      if (Array.isArray(value)) value.forEach((v) => visit(v, atRoot));
      else if (value && typeof value === 'object') visit(value, atRoot);
    }
  };
  visit(ast, true);
  return [...found];
}

/** Dotted field paths of a JSON Schema, arrays transparent, through $ref and every branch. */
export function schemaFieldPaths(schema: unknown, depth: number): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const root = schema as Record<string, unknown>;
  const paths = new Set<string>();
  const walk = (node: unknown, prefix: string, level: number, seen: Set<unknown>): void => {
    const resolved = resolveRef(root, node);
    if (!resolved || typeof resolved !== 'object' || seen.has(resolved)) return;
    const next = new Set(seen).add(resolved);
    const n = resolved as Record<string, unknown>;
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of (n[key] as unknown[] | undefined) ?? []) walk(branch, prefix, level, next);
    for (const key of ['then', 'else', 'items']) if (n[key]) walk(n[key], prefix, level, next);
    const properties = n.properties as Record<string, unknown> | undefined;
    if (!properties || level >= depth) return;
    for (const [name, child] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      paths.add(path);
      walk(child, path, level + 1, next);
    }
  };
  walk(root, '', 0, new Set());
  return [...paths].sort();
}

/** The constants of a stream-event schema's variants in `field` (`type` unless the stream says otherwise). */
export function schemaEventTypes(schema: unknown, field = 'type'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const root = schema as Record<string, unknown>;
  const types = new Set<string>();
  const walk = (node: unknown, seen: Set<unknown>): void => {
    const n = resolveRef(root, node) as Record<string, unknown> | undefined;
    if (!n || typeof n !== 'object' || seen.has(n)) return;
    const next = new Set(seen).add(n);
    const typeProp = resolveRef(root, (n.properties as Record<string, unknown> | undefined)?.[field]) as Record<string, unknown> | undefined;
    if (typeProp && typeof typeProp.const === 'string') types.add(typeProp.const);
    if (typeProp && Array.isArray(typeProp.enum) && typeProp.enum.length === 1) types.add(String(typeProp.enum[0]));
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of (n[key] as unknown[] | undefined) ?? []) walk(branch, next);
    for (const key of ['if', 'then', 'else']) if (n[key]) walk(n[key], next);
  };
  walk(root, new Set());
  return [...types].sort();
}

function resolveRef(root: Record<string, unknown>, node: unknown): unknown {
  let current = node;
  for (let i = 0; i < 16 && current && typeof current === 'object' && typeof (current as { $ref?: unknown }).$ref === 'string'; i++) {
    const ref = (current as { $ref: string }).$ref;
    if (!ref.startsWith('#/')) return undefined;
    current = ref.slice(2).split('/').reduce<unknown>((acc, key) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
  }
  return current;
}
