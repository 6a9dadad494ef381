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
  upstream: { api: string; base_url: string; headers?: Record<string, string> };
  models?: Record<string, string>;
  routes: RouteSpec[];
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
}

export interface StreamSpec {
  describe: string;
  framing?: { event_name_from?: string; done?: string };
  ping?: unknown;
  init?: string;
  event_type_from?: string;
  events: Record<string, StreamRuleSpec>;
  ignored?: Record<string, string>;
  end?: StreamRuleSpec;
  on_error?: StreamRuleSpec;
}
