/**
 * The operations each built-in serves under the path it is mounted at. A pair's YAML mounts a
 * built-in with one route (`{ path: /v1/files, builtin: files }`); the route table expands it
 * into these method + path templates.
 */
import type { BuiltinName } from '../spec/pair-spec.js';

export interface BuiltinOperation {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Appended to the mount path; `{name}` segments are path parameters. */
  suffix: string;
}

export const BUILTIN_OPERATIONS: Record<BuiltinName, readonly BuiltinOperation[]> = {
  files: [
    { name: 'upload', method: 'POST', suffix: '' },
    { name: 'list', method: 'GET', suffix: '' },
    { name: 'retrieve', method: 'GET', suffix: '/{file_id}' },
    { name: 'delete', method: 'DELETE', suffix: '/{file_id}' },
    { name: 'download', method: 'GET', suffix: '/{file_id}/content' },
  ],
  batches: [
    { name: 'create', method: 'POST', suffix: '' },
    { name: 'list', method: 'GET', suffix: '' },
    { name: 'retrieve', method: 'GET', suffix: '/{batch_id}' },
    { name: 'delete', method: 'DELETE', suffix: '/{batch_id}' },
    { name: 'cancel', method: 'POST', suffix: '/{batch_id}/cancel' },
    { name: 'results', method: 'GET', suffix: '/{batch_id}/results' },
  ],
  models: [
    { name: 'list', method: 'GET', suffix: '' },
    { name: 'retrieve', method: 'GET', suffix: '/{model_id}' },
  ],
  count_tokens: [{ name: 'count', method: 'POST', suffix: '' }],
};

/** Operations whose request body is not JSON and must reach the handler unread (streamed). */
export const STREAMED_BODY: ReadonlySet<string> = new Set(['files.upload']);
