/**
 * The generic helpers every expression may call. They know nothing about any provider: they read
 * the pair's own literal data (model map, tables) or do small pure jobs JSONata has no built-in for.
 */
import { createHash } from 'node:crypto';
import { CATEGORY_STATUS, GatewayError, isErrorCategory } from '../errors/gateway-error.js';
import { fileFromSnapshot } from '../builtins/files/file-snapshot.js';
import { receivedAtSeconds } from '../pipeline/received-at.js';

export interface HelperContext {
  /** Inbound model glob → upstream model ("=" passes the name through), first match wins. */
  models: ReadonlyArray<{ pattern: RegExp; target: string }>;
  tables: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface Helper {
  name: string;
  signature: string;
  implementation: (...args: any[]) => unknown;
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function mapModel(models: HelperContext['models'], name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  for (const { pattern, target } of models) {
    if (pattern.test(name)) return target === '=' ? name : target;
  }
  return undefined;
}

export function createHelpers(context: HelperContext): Helper[] {
  // The request rules map the same model name seven times a request: the last answer is kept,
  // which skips the globs' regular expressions. The map never changes after load. (Initially
  // undefined ↦ undefined, which is what mapModel answers.)
  let lastName: unknown;
  let lastTarget: string | undefined;
  const mapModelOnce = (name: unknown): string | undefined => {
    if (name !== lastName) {
      lastTarget = mapModel(context.models, name);
      lastName = name;
    }
    return lastTarget;
  };
  return [
    { name: 'mapModel', signature: '<s-:s>', implementation: (name: unknown) => mapModelOnce(name) },
    // When the gateway received the request (unix seconds; 0 for an example): pipeline/received-at.ts.
    { name: 'receivedAt', signature: '<x:n>', implementation: (request: unknown) => receivedAtSeconds(request) },
    // Whether the pair's `models:` map accepts a name at all (route `when:` conditions use it).
    { name: 'hasModel', signature: '<s-:b>', implementation: (name: unknown) => mapModel(context.models, name) !== undefined },
    {
      name: 'table',
      signature: '<sx:x>',
      implementation: (tableName: string, key: unknown) => {
        const table = context.tables[tableName];
        if (!table) throw new Error(`no table named "${tableName}" under config.tables`);
        if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key) && key !== '_default') return table[key];
        return table._default;
      },
    },
    {
      name: 'fail',
      signature: '<ss:x>',
      implementation: (category: string, message: string) => {
        if (!isErrorCategory(category)) throw new Error(`$fail: unknown error category "${category}"`);
        throw new GatewayError('GW_ERR_MAPPING_FAILED', message, { category, status: CATEGORY_STATUS[category] });
      },
    },
    {
      name: 'parseJson',
      signature: '<s-:x>',
      implementation: (text: unknown) => {
        if (typeof text !== 'string') return undefined;
        try {
          return JSON.parse(text);
        } catch {
          return undefined;
        }
      },
    },
    {
      name: 'hash',
      signature: '<s-n?:s>',
      implementation: (text: unknown, length?: number) => {
        if (typeof text !== 'string') return undefined;
        return createHash('sha256').update(text).digest('hex').slice(0, length ?? 8);
      },
    },
    {
      // A stored file (Files built-in) as {file_id, filename, mime_type, size_bytes, base64, text?}, or
      // undefined for an unknown id. Pure from the rule's view: it reads only the per-request
      // snapshot the pipeline's caller pre-loaded (builtins/files/file-snapshot.ts), never the disk.
      name: 'file',
      signature: '<s-:o>',
      implementation: (id: unknown) => fileFromSnapshot(id),
    },
    {
      name: 'eval',
      signature: '<x*:x>',
      implementation: () => {
        throw new Error('$eval is disabled in mapping specs');
      },
    },
  ];
}
