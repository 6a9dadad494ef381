/** The shape of a merged pair spec after it passed schemas/mapping-spec.json (see mappings/README.md). */

export interface RuleExampleSpec {
  describe?: string;
  in: unknown;
  out?: unknown;
  request?: unknown;
}

export interface FieldSpec {
  target: string;
  from: string;
  describe?: string;
  covers?: string[];
}

export interface RuleSpec extends FieldSpec {
  id: string;
  describe: string;
  examples?: RuleExampleSpec[];
}

export interface BlockSpec {
  fields?: FieldSpec[];
  rules?: RuleSpec[];
}

export interface RouteSpec {
  method: string;
  path: string;
  upstream: { method: string; path: string };
  /** JSONata over `{ body, headers }`: whether this pair takes a request several pairs could serve. */
  when?: string;
}

/** The built-in services a route may mount instead of a mapped upstream call (engine/builtins/). */
export type BuiltinName = 'files' | 'batches' | 'models' | 'count_tokens';

/**
 * A route served by a built-in. `path` is where the built-in's API is mounted (e.g. /v1/files
 * mounts /v1/files, /v1/files/{file_id} and /v1/files/{file_id}/content); `method`, when given,
 * keeps only the built-in's operations with that method.
 */
export interface BuiltinRouteSpec {
  method?: string;
  path: string;
  builtin: BuiltinName;
  /** batches: the path of the mapped POST route every batch item runs through. */
  run?: string;
  /** count_tokens: the upstream's input-token endpoint (omitted: count locally only). */
  upstream?: { method: string; path: string };
  /** As on a mapped route: whether this pair takes a request several pairs could serve. */
  when?: string;
}

export function isBuiltinRoute(route: RouteSpec | BuiltinRouteSpec): route is BuiltinRouteSpec {
  return typeof (route as BuiltinRouteSpec).builtin === 'string';
}

/** A model the pair lists on the models endpoint (the `models:` globs cannot be listed). */
export interface ListedModelSpec {
  id: string;
  display_name: string;
  /** RFC 3339 date the model was released, as the inbound API reports it. */
  created_at: string;
}

/** How the count_tokens built-in asks the upstream, or counts locally (see mappings/README.md). */
export interface CountTokensSpec {
  describe: string;
  /** Literal fields added to the inbound body when absent, so it passes the request schema and rules. */
  inbound_defaults?: Record<string, unknown>;
  /** $ = the payload the request rules built → the body of the upstream's input-token call. */
  upstream_request?: BlockSpec;
  /** Expression over the upstream's answer: the token count. */
  tokens_from?: string;
  local: {
    describe: string;
    encoding: 'o200k_base' | 'cl100k_base';
    /** Expression over the mapped payload → { texts: [string], extra_tokens: number }. */
    from: string;
  };
  /** $ = { tokens, counted_by: "upstream" | "local" } → the client's answer. */
  response: BlockSpec;
}

export interface ExampleSpec {
  id: string;
  describe: string;
  request: unknown;
  upstream_request?: unknown;
  upstream_response?: unknown;
  response?: unknown;
  upstream_error?: { status: number; kind?: 'http' | 'network' | 'timeout'; body?: unknown; headers?: Record<string, string>; message?: string };
  error?: unknown;
  upstream_events?: unknown[];
  events?: unknown[];
}

export interface PairSpec {
  pair: string;
  description: string;
  inbound: { api: string };
  upstream: { api: string; base_url: string; headers?: Record<string, string>; client_key_header?: { name: string; prefix?: string } };
  models?: Record<string, string>;
  routes: Array<RouteSpec | BuiltinRouteSpec>;
  models_listed?: ListedModelSpec[];
  count_tokens?: CountTokensSpec;
  config?: Record<string, unknown>;
  functions?: Record<string, { describe: string; body: string; examples?: RuleExampleSpec[] }>;
  request?: BlockSpec;
  response?: BlockSpec;
  errors?: { upstream: BlockSpec; gateway: BlockSpec };
  stream?: StreamSpec;
  ignored?: Record<string, string>;
  upstream_ignored?: Record<string, string>;
  examples?: ExampleSpec[];
}

export interface StreamRuleSpec {
  describe: string;
  emit: string;
  /** Upstream event fields this rule accounts for (coverage of streams with `event_type_from`). */
  covers?: string[];
}

export interface StreamSpec {
  describe: string;
  framing?: { event_name_from?: string; done?: string };
  ping?: unknown;
  init?: string;
  event_type_from?: string;
  /** The upstream's end-of-stream `data:` payload (not JSON), e.g. `[DONE]`. */
  end_marker?: string;
  /** The type of an upstream event without the `event_type_from` field. */
  untyped_event?: string;
  events: Record<string, StreamRuleSpec>;
  ignored?: Record<string, string>;
  /** Upstream event fields deliberately not used, with the reason (streams with `event_type_from`). */
  ignored_fields?: Record<string, string>;
  end?: StreamRuleSpec;
  on_error?: StreamRuleSpec;
}
