/**
 * The JSON Schemas of the APIs (schemas/<api>/*.json) and of the mapping spec itself, compiled
 * once per load with AJV. Nothing is compiled per request.
 */
import { createHash } from 'node:crypto';
// Synchronous on purpose: a load is a few dozen small files, and every awaited read would let
// live traffic run in between, which under load stretched a hot reload from ~100 ms to seconds.
import { readdirSync as readdir, readFileSync as readFile } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../config/package-root.js';
import { useBoundedStringLengths } from './string-length-keywords.js';
import { addTaggedUnionKeyword, usesUnevaluated, withTaggedUnions } from './tagged-unions.js';

// ajv-formats ships CommonJS with a default export; under NodeNext the callable sits on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export type SchemaKind = 'request' | 'response' | 'error' | 'stream-event';

export interface ApiSchemas {
  /** The validator of `<api>/<kind>`, or undefined when that API has no such schema. */
  validator(api: string, kind: SchemaKind): ValidateFunction | undefined;
  apis(): string[];
  /** The raw schema object of `<api>/<kind>` (for coverage reports). */
  schema(api: string, kind: SchemaKind): unknown;
  specValidator: ValidateFunction;
}

/**
 * Compiled schema sets by the exact text of their files. Compiling the API schemas is most of the
 * cost of a reload (hundreds of KB of JSON Schema), and an edit to a mapping leaves them as they
 * were, so a reload reuses the compiled set whenever no schema file changed.
 */
const compiledByContent = new Map<string, ApiSchemas>();
const MAX_CACHED_SETS = 4;

export async function loadApiSchemas(schemasDir: string): Promise<ApiSchemas> {
  const files: Array<{ id: string; file: string; text: string }> = [];
  const apiNames: string[] = [];
  for (const entry of (readdir(schemasDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    apiNames.push(entry.name);
    for (const name of (readdir(path.join(schemasDir, entry.name))).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(schemasDir, entry.name, name);
      files.push({ id: `${entry.name}/${name.replace(/\.json$/, '')}`, file, text: readFile(file, 'utf8') });
    }
  }
  // The spec format belongs to the engine, not to a deployment's schemas folder.
  const specText = readFile(path.join(packageRoot(), 'schemas', 'mapping-spec.json'), 'utf8');
  const key = createHash('sha256').update(specText).update(JSON.stringify(files.map((f) => [f.id, f.text]))).digest('hex');
  const cached = compiledByContent.get(key);
  if (cached) return cached;

  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  useBoundedStringLengths(ajv);
  addTaggedUnionKeyword(ajv);
  const raw = new Map<string, unknown>();
  for (const { id, file, text } of files) {
    const schema = JSON.parse(text) as { $id?: string };
    if (schema.$id !== id) throw new Error(`${file}: $id must be "${id}" (found ${JSON.stringify(schema.$id)})`);
    raw.set(id, schema);
  }
  const specSchema = JSON.parse(specText) as unknown;
  // Ajv2020 turns on, whatever it is told, the bookkeeping of which properties and items each
  // subschema evaluated, for unevaluatedProperties/unevaluatedItems. Where no schema uses them it
  // is pure cost on every validation: for the bench's upstream payload, half the time and 6 KB of
  // garbage. It is read when a schema is compiled, so it is turned off before any is.
  if (![...raw.values(), specSchema].some(usesUnevaluated)) (ajv.opts as { unevaluated: boolean }).unevaluated = false;
  for (const schema of raw.values()) ajv.addSchema(withTaggedUnions(schema) as object);
  const specValidator = ajv.compile(specSchema as object);

  const compiled = new Map<string, ValidateFunction | undefined>();
  const schemas: ApiSchemas = {
    validator(api, kind) {
      const id = `${api}/${kind}`;
      if (!compiled.has(id)) compiled.set(id, raw.has(id) ? ajv.getSchema(id) : undefined);
      return compiled.get(id);
    },
    apis: () => [...apiNames],
    schema: (api, kind) => raw.get(`${api}/${kind}`),
    specValidator,
  };
  if (compiledByContent.size >= MAX_CACHED_SETS) compiledByContent.delete(compiledByContent.keys().next().value!);
  compiledByContent.set(key, schemas);
  return schemas;
}

/** One line per AJV error, naming the path: `/messages/0/role: must be equal to one of the allowed values`. */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined, limit = 5): string {
  if (!errors || errors.length === 0) return 'invalid';
  const useful = dedupe(errors);
  const lines = (useful.length > 0 ? useful : [...errors]).slice(0, limit).map((e) => {
    const where = e.instancePath || '(root)';
    const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
      : e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
      : e.keyword === 'required' ? '' : '';
    return `${where}: ${e.message}${extra}`;
  });
  return lines.join('; ');
}

/** AJV reports each failed branch of a oneOf; keep the deepest, most specific errors first. */
function dedupe(errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const sorted = [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  return sorted.filter((e) => {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') return false;
    const key = `${e.instancePath}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
