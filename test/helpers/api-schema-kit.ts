/**
 * Strict AJV validators of one API's schemas (schemas/<api>/{request,response,stream-event,error}.json)
 * for the schema tests, with readable failure messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { REPO_ROOT } from './gateway-harness.js';

export const SCHEMA_FILES = ['request', 'response', 'stream-event', 'error'] as const;
export type SchemaName = (typeof SCHEMA_FILES)[number];
type Json = Record<string, unknown>;

// ajv and ajv-formats are CommonJS; under NodeNext the default import is typed as the module object.
type AjvCtor = typeof Ajv2020.default;
const AjvClass: AjvCtor = ((Ajv2020 as unknown as { default?: AjvCtor }).default ?? Ajv2020) as AjvCtor;
type AddFormats = typeof addFormats.default;
const addFormatsFn: AddFormats = ((addFormats as unknown as { default?: AddFormats }).default ?? addFormats) as AddFormats;

export interface ApiSchemaKit {
  schemaDocs: Record<SchemaName, Json>;
  errorsOf(schema: SchemaName, data: unknown): ErrorObject[];
  describeErrors(errors: ErrorObject[]): string;
  expectValid(schema: SchemaName, data: unknown, label?: string): void;
}

/** Strict mode: no unknown keywords or formats, no undefined required properties. */
export function apiSchemaKit(api: string): ApiSchemaKit {
  const dir = path.join(REPO_ROOT, 'schemas', api);
  const schemaDocs = Object.fromEntries(
    SCHEMA_FILES.map((n) => [n, JSON.parse(fs.readFileSync(path.join(dir, `${n}.json`), 'utf8')) as Json]),
  ) as Record<SchemaName, Json>;
  // Union types such as ["string", "array"] need allowUnionTypes.
  const ajv = new AjvClass({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormatsFn(ajv);
  for (const n of SCHEMA_FILES) ajv.addSchema(schemaDocs[n]);
  const validators = Object.fromEntries(
    SCHEMA_FILES.map((n) => {
      const v = ajv.getSchema(`${api}/${n}`);
      if (!v) throw new Error(`schema ${api}/${n} not registered`);
      return [n, v];
    }),
  ) as Record<SchemaName, ValidateFunction>;

  const errorsOf = (schema: SchemaName, data: unknown): ErrorObject[] => {
    const validate = validators[schema];
    return validate(data) ? [] : [...(validate.errors ?? [])];
  };
  const describeErrors = (errors: ErrorObject[]): string =>
    errors
      .slice(0, 15)
      .map((e) => `${e.instancePath || '(root)'} ${e.keyword} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
      .join('\n');
  return {
    schemaDocs,
    errorsOf,
    describeErrors,
    expectValid(schema, data, label = '') {
      const errors = errorsOf(schema, data);
      expect(errors, `${label}\n${describeErrors(errors)}`).toEqual([]);
    },
  };
}

/** The events a validator refuses, each as `#index type: errors` (empty: all valid). */
export function invalidEvents(validate: ValidateFunction, events: readonly any[]): string[] {
  return events.flatMap((event, i) => (validate(event) ? [] : [`#${i} ${event?.type}: ${JSON.stringify(validate.errors)}`]));
}
