/**
 * What changed between two versions of a pair spec, entry by entry: rules by id and field rows by
 * target, functions, ignored entries, models, routes, table rows, config leaves, stream rules and
 * examples. Works on the merged raw specs (read-pair-folder), so it still works when the old or the
 * new version does not compile.
 */
import { canonicalJson, jsonText } from './json-diff.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ChangedValue {
  label: string;
  before?: string;
  after?: string;
  /** Code or data (JSONata, JSON) rather than prose. */
  code: boolean;
  /** Shown for context only: the value is the same on both sides. */
  unchanged?: boolean;
}

export interface SpecChange {
  kind: ChangeKind;
  key: string;
  values: ChangedValue[];
  /** A hint for the reviewer (e.g. the expression changed but its description did not). */
  note?: string;
}

export interface ChangeSection {
  id: string;
  title: string;
  changes: SpecChange[];
}

type Spec = Record<string, unknown>;
/** label → text; `undefined` text means "not set". */
type Entry = Record<string, string | undefined>;
const CODE_LABELS = new Set(['from', 'emit', 'body', 'init', 'value', 'examples', 'covers', 'framing', 'ping', 'request', 'upstream_request', 'upstream_response', 'response', 'upstream_error', 'error', 'upstream_events', 'events', 'headers']);

export function diffPairSpecs(before: Spec | undefined, after: Spec | undefined): ChangeSection[] {
  const sections: ChangeSection[] = [];
  const add = (id: string, title: string, b: Map<string, Entry>, a: Map<string, Entry>) => {
    const changes = keyedDiff(b, a);
    if (changes.length > 0) sections.push({ id, title, changes });
  };
  const both = (f: (s: Spec) => Map<string, Entry>) => [f(before ?? {}), f(after ?? {})] as const;
  add('pair', 'Pair', ...both(pairEntries));
  add('models', 'Model map', ...both((s) => mapEntries(s.models, 'upstream model')));
  const order = modelOrderChange(before?.models, after?.models);
  if (order) (sections.find((s) => s.id === 'models') ?? pushed(sections, { id: 'models', title: 'Model map', changes: [] })).changes.push(order);
  add('routes', 'Routes', ...both(routeEntries));
  for (const [id, title, pick] of BLOCKS) add(id, title, ...both((s) => blockEntries(pick(s))));
  add('ignored', 'Ignored inbound fields', ...both((s) => mapEntries(s.ignored, 'reason')));
  add('upstream-ignored', 'Upstream response fields not used', ...both((s) => mapEntries(s.upstream_ignored, 'reason')));
  add('functions', 'Functions', ...both(functionEntries));
  add('tables', 'Config tables', ...both(tableEntries));
  add('config', 'Other config', ...both(configEntries));
  add('stream', 'Stream rules', ...both(streamEntries));
  add('stream-ignored', 'Ignored stream events', ...both((s) => mapEntries((s.stream as Spec | undefined)?.ignored, 'reason')));
  add('examples', 'Examples (the spec text)', ...both(exampleEntries));
  add('other', 'Other settings', ...both(otherEntries));
  return sections;
}

function pushed<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}

const BLOCKS: ReadonlyArray<[string, string, (s: Spec) => unknown]> = [
  ['request', 'Request rules and fields', (s) => s.request],
  ['response', 'Response rules and fields', (s) => s.response],
  ['errors-upstream', 'Upstream error rules (errors.upstream)', (s) => (s.errors as Spec | undefined)?.upstream],
  ['errors-gateway', 'Gateway error rules (errors.gateway)', (s) => (s.errors as Spec | undefined)?.gateway],
];

function keyedDiff(before: Map<string, Entry>, after: Map<string, Entry>): SpecChange[] {
  const changes: SpecChange[] = [];
  for (const [key, b] of before) {
    const a = after.get(key);
    if (!a) {
      changes.push({ kind: 'removed', key, values: labelled(b, 'before') });
      continue;
    }
    const labels = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    const differing = labels.filter((l) => b[l] !== a[l]);
    if (differing.length === 0) continue;
    const values: ChangedValue[] = differing.map((label) => ({ label, before: b[label], after: a[label], code: CODE_LABELS.has(label) }));
    let note: string | undefined;
    const exprLabel = differing.find((l) => l === 'from' || l === 'emit' || l === 'body');
    if (exprLabel && !differing.includes('describe') && a.describe !== undefined) {
      values.push({ label: 'describe', before: a.describe, after: a.describe, code: false, unchanged: true });
      note = 'The expression changed but its description did not: check that the description still says what it does.';
    }
    changes.push({ kind: 'changed', key, values, note });
  }
  for (const [key, a] of after) if (!before.has(key)) changes.push({ kind: 'added', key, values: labelled(a, 'after') });
  return changes;
}

function labelled(entry: Entry, side: 'before' | 'after'): ChangedValue[] {
  return Object.entries(entry)
    .filter(([, v]) => v !== undefined)
    .map(([label, v]) => ({ label, [side]: v, code: CODE_LABELS.has(label) }));
}

const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : jsonText(canonicalJson(v)));
const isMap = (v: unknown): v is Spec => v !== null && typeof v === 'object' && !Array.isArray(v);

function mapEntries(map: unknown, label: string): Map<string, Entry> {
  return new Map(isMap(map) ? Object.entries(map).map(([k, v]) => [k, { [label]: text(v) }]) : []);
}

function pairEntries(s: Spec): Map<string, Entry> {
  const upstream = isMap(s.upstream) ? s.upstream : {};
  const entries = new Map<string, Entry>([
    ['description', { value: text(s.description) }],
    ['inbound API', { value: text((s.inbound as Spec | undefined)?.api) }],
    ['upstream API', { value: text(upstream.api) }],
    ['upstream base_url', { value: text(upstream.base_url) }],
  ]);
  for (const [name, v] of Object.entries(isMap(upstream.headers) ? upstream.headers : {})) entries.set(`upstream header ${name}`, { value: text(v) });
  return entries;
}

function modelOrderChange(before: unknown, after: unknown): SpecChange | undefined {
  if (!isMap(before) || !isMap(after)) return undefined;
  const common = (x: Spec, y: Spec) => Object.keys(x).filter((k) => k in y);
  const b = common(before, after);
  const a = common(after, before);
  if (b.join('\n') === a.join('\n')) return undefined;
  return { kind: 'changed', key: 'order of the globs (the first match wins)', values: [{ label: 'order', before: b.join('\n'), after: a.join('\n'), code: true }] };
}

function routeEntries(s: Spec): Map<string, Entry> {
  const routes = Array.isArray(s.routes) ? (s.routes as Spec[]) : [];
  return new Map(routes.map((r) => {
    const up = isMap(r.upstream) ? r.upstream : undefined;
    return [`${r.method === undefined ? '*' : String(r.method)} ${String(r.path)}`, {
      upstream: up ? `${String(up.method)} ${String(up.path)}` : undefined,
      builtin: r.builtin === undefined ? undefined : String(r.builtin),
      run: r.run === undefined ? undefined : String(r.run),
    }];
  }));
}

function blockEntries(block: unknown): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (!isMap(block)) return entries;
  const put = (key: string, entry: Entry) => {
    let k = key;
    for (let n = 2; entries.has(k); n++) k = `${key} (#${n})`;
    entries.set(k, entry);
  };
  for (const f of Array.isArray(block.fields) ? (block.fields as Spec[]) : []) {
    put(`field → ${String(f.target)}`, { from: text(f.from), describe: text(f.describe), covers: covers(f.covers) });
  }
  for (const r of Array.isArray(block.rules) ? (block.rules as Spec[]) : []) {
    put(`rule ${String(r.id)}`, { target: text(r.target), from: text(r.from), describe: text(r.describe), covers: covers(r.covers), examples: r.examples === undefined ? undefined : text(r.examples) });
  }
  return entries;
}

const covers = (v: unknown): string | undefined => (Array.isArray(v) ? v.map(String).join(', ') : undefined);

function functionEntries(s: Spec): Map<string, Entry> {
  const fns = isMap(s.functions) ? s.functions : {};
  return new Map(Object.entries(fns).map(([name, f]) => {
    const fn = isMap(f) ? f : {};
    return [`function ${name}`, { describe: text(fn.describe), body: text(fn.body), examples: fn.examples === undefined ? undefined : text(fn.examples) }];
  }));
}

function tableEntries(s: Spec): Map<string, Entry> {
  const tables = isMap(s.config) && isMap(s.config.tables) ? s.config.tables : {};
  const entries = new Map<string, Entry>();
  for (const [name, table] of Object.entries(tables)) {
    if (!isMap(table)) entries.set(`table ${name}`, { value: text(table) });
    else for (const [key, v] of Object.entries(table)) entries.set(`table ${name}: ${key === '_default' ? '_default (any other key)' : key}`, { value: text(v) });
  }
  return entries;
}

/** Leaves of a nested map as `prefix.a.b` → value (lists are leaves). */
function leafEntries(map: Spec, prefix: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const walk = (value: unknown, at: string[]) => {
    if (isMap(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
    } else {
      entries.set([prefix, ...at].filter(Boolean).join('.'), { value: text(value) });
    }
  };
  for (const [k, v] of Object.entries(map)) walk(v, [k]);
  return entries;
}

function configEntries(s: Spec): Map<string, Entry> {
  const { tables: _tables, ...rest } = isMap(s.config) ? s.config : {};
  return leafEntries(rest, 'config');
}

const KNOWN_KEYS = new Set(['pair', 'description', 'inbound', 'upstream', 'models', 'routes', 'config', 'functions', 'request', 'response', 'errors', 'stream', 'ignored', 'upstream_ignored', 'examples']);

/** Sections this diff has no special view for (a newer engine feature): compared leaf by leaf, never skipped. */
function otherEntries(s: Spec): Map<string, Entry> {
  return leafEntries(Object.fromEntries(Object.entries(s).filter(([k]) => !KNOWN_KEYS.has(k))), '');
}

function streamEntries(s: Spec): Map<string, Entry> {
  const stream = isMap(s.stream) ? s.stream : undefined;
  const entries = new Map<string, Entry>();
  if (!stream) return entries;
  entries.set('stream settings', { describe: text(stream.describe), framing: text(stream.framing), ping: text(stream.ping), init: text(stream.init), event_type_from: text(stream.event_type_from) });
  for (const [type, rule] of Object.entries(isMap(stream.events) ? stream.events : {})) {
    const r = isMap(rule) ? rule : {};
    entries.set(`event ${type}`, { describe: text(r.describe), emit: text(r.emit) });
  }
  for (const name of ['end', 'on_error']) {
    const r = isMap(stream[name]) ? (stream[name] as Spec) : undefined;
    if (r) entries.set(name, { describe: text(r.describe), emit: text(r.emit) });
  }
  return entries;
}

export const EXAMPLE_PARTS = ['request', 'upstream_request', 'upstream_response', 'response', 'upstream_error', 'error', 'upstream_events', 'events'] as const;

function exampleEntries(s: Spec): Map<string, Entry> {
  const examples = Array.isArray(s.examples) ? (s.examples as Spec[]) : [];
  return new Map(examples.map((e) => [`example ${String(e.id)}`, Object.fromEntries([['describe', text(e.describe)], ...EXAMPLE_PARTS.map((p) => [p, text(e[p])])])]));
}
