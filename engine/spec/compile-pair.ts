/**
 * Turns a pair folder into a CompiledPair: validate the merged spec against the mapping-spec
 * schema, substitute the environment into the connection settings, compile every expression once,
 * and run every example. A pair with any problem is not served; the problems say file:line:col.
 */
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import type { ValidateFunction } from 'ajv';
import { globToRegExp, createHelpers, type HelperContext } from '../rules/helpers.js';
import { compileRule, JSONATA_BUILTINS, RuleSyntaxError, type RuleEnvironment } from '../rules/jsonata-rule.js';
import type { Rule } from '../rules/rule.js';
import { createMappingBlock, normalise, type MappingBlock } from '../translate/mapping-block.js';
import { targetProblem } from '../translate/set-path.js';
import { createTranslator, type Translator } from '../translate/translator.js';
import { createStreamProgram, type StreamProgram } from '../translate/stream-program.js';
import type { ApiSchemas } from './api-schemas.js';
import type { BlockSpec, BuiltinRouteSpec, PairSpec, RouteSpec, StreamSpec } from './pair-spec.js';
import { isBuiltinRoute } from './pair-spec.js';
import { compileBuiltins, type CompiledBuiltins } from '../builtins/compile-builtins.js';
import { readPairFolder, type PairSource } from './read-pair-folder.js';
import { substituteEnv } from './env-substitute.js';
import type { SourcePosition, SpecProblem, YamlFile } from './yaml-file.js';
import { runExamples, runRuleExamples, type ExampleResult } from './run-examples.js';

export interface ClientKeyHeader {
  name: string;
  prefix: string;
}

/** The standard HTTP bearer scheme (RFC 6750), unless a pair's upstream wants its key elsewhere. */
export const DEFAULT_CLIENT_KEY_HEADER: ClientKeyHeader = { name: 'authorization', prefix: 'Bearer ' };

export interface CompiledPair {
  name: string;
  dir: string;
  description: string;
  spec: PairSpec;
  inboundApi: string;
  upstreamApi: string;
  /**
   * clientKeyHeader: where FORWARD_CLIENT_KEY=on puts the client's own key (prefix + key), in place
   * of the pair's header of that name (server/forward-key.ts).
   */
  upstream: { baseUrl: string; headers: Record<string, string>; clientKeyHeader: ClientKeyHeader };
  /** The mapped routes (request → upstream call → response). */
  routes: RouteSpec[];
  /** The built-in routes (files, batches, models, count_tokens) and their compiled options. */
  builtins: CompiledBuiltins;
  /** Each route's compiled `when:` (routes without one are absent): see server/route-table.ts. */
  routeConditions: ReadonlyMap<RouteSpec | BuiltinRouteSpec, Rule>;
  translator: Translator;
  /** The stream rules, when the pair translates event streams. */
  stream?: StreamProgram;
  validateInbound?: ValidateFunction;
  validateUpstreamRequest?: ValidateFunction;
  /** Every compiled rule, for reports (which run as plain paths, which interpreted). */
  rules: Rule[];
  examples: ExampleResult[];
  /** Source position of a path in the merged spec (for problems found after compiling). */
  locate(specPath: readonly (string | number)[]): SourcePosition | undefined;
}

export interface CompileOptions {
  env: NodeJS.ProcessEnv;
  schemas: ApiSchemas;
}

/**
 * The last good compile of each pair folder, with what it was compiled from. A reload after an
 * edit to one pair reuses the others as they are: with several pairs loaded, recompiling all of
 * them (rules, examples) would push a reload past its one-second budget. Pairs hold no state.
 */
const lastCompiled = new Map<string, { parsed: readonly YamlFile[]; schemas: ApiSchemas; envKey: string; pair: CompiledPair }>();

export async function compilePairFolder(dir: string, options: CompileOptions): Promise<{ pair?: CompiledPair; problems: SpecProblem[] }> {
  const { source, problems } = await readPairFolder(dir);
  if (!source) return { problems };
  const envKey = JSON.stringify([options.env, process.env.RULE_ENGINE ?? '']);
  const previous = lastCompiled.get(dir);
  if (previous && previous.schemas === options.schemas && previous.envKey === envKey && sameFiles(previous.parsed, source.parsed)) {
    return { pair: previous.pair, problems: [] };
  }
  const result = await compileSource(source, problems, options);
  if (result.pair) lastCompiled.set(dir, { parsed: source.parsed, schemas: options.schemas, envKey, pair: result.pair });
  return result;
}

function sameFiles(a: readonly YamlFile[], b: readonly YamlFile[]): boolean {
  return a.length === b.length && a.every((file, i) => file === b[i]);
}

async function compileSource(source: PairSource, problems: SpecProblem[], options: CompileOptions): Promise<{ pair?: CompiledPair; problems: SpecProblem[] }> {
  const at = (specPath: (string | number)[], message: string): SpecProblem => ({
    ...source.locate(specPath),
    at: formatPath(specPath),
    message,
  });

  if (!options.schemas.specValidator(source.spec)) {
    for (const e of options.schemas.specValidator.errors ?? []) {
      const specPath = e.instancePath.split('/').slice(1).map(decodePointer);
      const extraKey = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : undefined;
      problems.push(at(extraKey === undefined ? specPath : [...specPath, extraKey], extraKey === undefined ? String(e.message) : `unknown key "${extraKey}" (${e.message})`));
    }
    return { problems };
  }
  const spec = source.spec as unknown as PairSpec;
  const compiler = new PairCompiler(spec, source, options, at);
  const pair = await compiler.compile();
  return { pair: compiler.problems.length === 0 ? pair : undefined, problems: compiler.problems };
}

const compiledRules = new Map<string, Rule>();
const MAX_CACHED_RULES = 4096;

class PairCompiler {
  readonly problems: SpecProblem[] = [];
  private readonly rules: Rule[] = [];
  private readonly env: RuleEnvironment;

  constructor(
    private readonly spec: PairSpec,
    private readonly source: PairSource,
    private readonly options: CompileOptions,
    private readonly at: (specPath: (string | number)[], message: string) => SpecProblem,
  ) {
    const config = spec.config ?? {};
    const helperContext: HelperContext = {
      models: Object.entries(spec.models ?? {}).map(([glob, target]) => ({ pattern: globToRegExp(glob), target })),
      tables: ((config as { tables?: HelperContext['tables'] }).tables ?? {}),
    };
    const functions = new Map(Object.entries(spec.functions ?? {}).map(([name, f]) => [name, f.body]));
    this.env = { helpers: createHelpers(helperContext), functions, config };
    // Everything besides its own source that can change what a rule compiles to.
    this.ruleCacheKey = createHash('sha256')
      .update(JSON.stringify([spec.functions ?? {}, config, spec.models ?? {}, process.env.RULE_ENGINE ?? '', options.env.RULE_ENGINE ?? '']))
      .digest('hex');
  }

  private readonly ruleCacheKey: string;

  /**
   * compileRule, reusing a rule compiled by an earlier load when nothing it depends on changed:
   * a hot reload recompiles only what an edit touched. Rules hold no state, so sharing is safe.
   */
  private compileRule(id: string, source: string): Rule {
    const key = `${this.ruleCacheKey}\0${id}\0${source}`;
    const cached = compiledRules.get(key);
    if (cached) return cached;
    const rule = compileRule(id, source, this.env);
    if (compiledRules.size >= MAX_CACHED_RULES) compiledRules.delete(compiledRules.keys().next().value!);
    compiledRules.set(key, rule);
    return rule;
  }

  async compile(): Promise<CompiledPair> {
    const { spec } = this;
    if (spec.pair !== lastSegment(this.source.dir)) {
      this.problems.push(this.at(['pair'], `pair "${spec.pair}" must match its folder name "${lastSegment(this.source.dir)}"`));
    }
    this.checkTables();
    const inbound = this.apiValidator(spec.inbound.api, ['inbound', 'api']);
    const upstreamRequest = this.apiValidator(spec.upstream.api, ['upstream', 'api']);
    const upstream = this.connection();
    await this.checkFunctions();

    const blocks = {
      request: this.block(spec.request, ['request']),
      response: this.block(spec.response, ['response']),
      errorsUpstream: this.block(spec.errors?.upstream, ['errors', 'upstream']),
      errorsGateway: this.block(spec.errors?.gateway, ['errors', 'gateway']),
    };
    if (!blocks.request) this.problems.push(this.at([], 'a pair needs a request: block'));
    if (!blocks.errorsGateway) this.problems.push(this.at([], 'a pair needs errors.gateway rules, so clients get their own API\'s error shape'));

    const translator = createTranslator(blocks);
    const stream = this.streamProgram();
    const builtins = this.builtins();
    const pair: CompiledPair = {
      name: spec.pair,
      dir: this.source.dir,
      description: spec.description,
      spec,
      inboundApi: spec.inbound.api,
      upstreamApi: spec.upstream.api,
      upstream,
      routes: spec.routes.filter((r): r is RouteSpec => !isBuiltinRoute(r)),
      builtins,
      routeConditions: this.routeConditions(),
      translator,
      stream,
      validateInbound: inbound,
      validateUpstreamRequest: upstreamRequest,
      rules: this.rules,
      examples: [],
      locate: this.source.locate,
    };
    if (this.problems.length > 0) return pair; // examples are meaningless on a broken spec

    for (const [blockName, block] of [['request', spec.request], ['response', spec.response], ['errors.upstream', spec.errors?.upstream], ['errors.gateway', spec.errors?.gateway]] as const) {
      const compiled = blocks[blockKey(blockName)];
      for (const failure of await runRuleExamples(block, compiled)) {
        this.problems.push(this.at([...blockName.split('.'), 'rules', failure.ruleIndex, 'examples', failure.exampleIndex], failure.message));
      }
    }
    pair.examples = await runExamples(pair, this.options.schemas);
    pair.examples.forEach((result, i) => {
      for (const failure of result.failures) this.problems.push(this.at(['examples', i, failure.part], `example "${result.id}": ${failure.message}`));
    });
    return pair;
  }

  private checkTables(): void {
    const tables = (this.spec.config as { tables?: Record<string, unknown> } | undefined)?.tables ?? {};
    for (const [name, table] of Object.entries(tables)) {
      if (table === null || typeof table !== 'object' || !('_default' in (table as object))) {
        this.problems.push(this.at(['config', 'tables', name], `table "${name}" needs a _default entry`));
      }
    }
  }

  private apiValidator(api: string, specPath: string[]): ValidateFunction | undefined {
    const validator = this.options.schemas.validator(api, 'request');
    if (!validator) this.problems.push(this.at(specPath, `no schema schemas/${api}/request.json`));
    return validator;
  }

  private connection(): CompiledPair['upstream'] {
    const base = substituteEnv(this.spec.upstream.base_url, this.options.env);
    for (const name of base.missing) this.problems.push(this.at(['upstream', 'base_url'], `environment variable ${name} is not set and has no default`));
    try {
      const url = new URL(base.value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      this.problems.push(this.at(['upstream', 'base_url'], `base_url "${base.value}" is not an http(s) URL`));
    }
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(this.spec.upstream.headers ?? {})) {
      const value = substituteEnv(template, this.options.env);
      for (const missing of value.missing) this.problems.push(this.at(['upstream', 'headers', name], `environment variable ${missing} is not set and has no default`));
      // A header that refers to an empty variable (e.g. no API key configured) is not sent at all,
      // rather than sent half-filled ("Bearer ").
      if (value.empty.length > 0) continue;
      headers[name.toLowerCase()] = value.value;
    }
    const keyHeader = this.spec.upstream.client_key_header;
    const clientKeyHeader = keyHeader ? { name: keyHeader.name.toLowerCase(), prefix: keyHeader.prefix ?? '' } : DEFAULT_CLIENT_KEY_HEADER;
    return { baseUrl: base.value.replace(/\/+$/, ''), headers, clientKeyHeader };
  }

  private async checkFunctions(): Promise<void> {
    const helperNames = new Set(this.env.helpers.map((h) => h.name));
    const reserved = new Set(['request', 'state', 'config']);
    for (const [name, fn] of Object.entries(this.spec.functions ?? {})) {
      if (JSONATA_BUILTINS.has(name) || helperNames.has(name) || reserved.has(name)) {
        this.problems.push(this.at(['functions', name], `the name "${name}" is taken by ${JSONATA_BUILTINS.has(name) ? "JSONata's own $" + name : helperNames.has(name) ? 'an engine helper' : 'a reserved binding'}; choose another`));
        continue;
      }
      try {
        jsonata(fn.body);
      } catch (err) {
        this.problems.push(this.syntaxProblem(['functions', name, 'body'], err));
        continue;
      }
      for (const [i, example] of (fn.examples ?? []).entries()) {
        const args = Array.isArray(example.in) ? example.in : [example.in];
        const call = `$${name}(${args.map((_, k) => `$args[${k}]`).join(', ')})`;
        try {
          const rule = this.compileRule(`functions.${name}`, `($args := $state; ${call})`);
          const got = normalise(await rule.evaluate(null, { state: args, request: example.request }));
          if (!sameJson(got, example.out)) {
            this.problems.push(this.at(['functions', name, 'examples', i], `example gives ${short(got)}, expected ${short(example.out)}`));
          }
        } catch (err) {
          this.problems.push(this.at(['functions', name, 'examples', i], `example failed: ${(err as Error).message}`));
        }
      }
    }
  }

  private block(block: BlockSpec | undefined, specPath: string[]): MappingBlock | undefined {
    if (!block) return undefined;
    const entries: Array<{ id: string; target: string; rule: Rule }> = [];
    const add = (kind: 'fields' | 'rules', index: number, id: string, target: string, from: string) => {
      const where = [...specPath, kind, index];
      const bad = targetProblem(target);
      if (bad) {
        this.problems.push(this.at([...where, 'target'], bad));
        return;
      }
      try {
        const rule = this.compileRule(`${specPath.join('.')}.${id}`, from);
        this.rules.push(rule);
        entries.push({ id, target, rule });
      } catch (err) {
        this.problems.push(this.syntaxProblem([...where, 'from'], err));
      }
    };
    (block.fields ?? []).forEach((f, i) => add('fields', i, `fields[${i}]`, f.target, f.from));
    const ids = new Set<string>();
    (block.rules ?? []).forEach((r, i) => {
      if (ids.has(r.id)) this.problems.push(this.at([...specPath, 'rules', i, 'id'], `rule id "${r.id}" is used twice`));
      ids.add(r.id);
      add('rules', i, r.id, r.target, r.from);
    });
    return createMappingBlock(entries);
  }

  /** One standalone expression (not a target row): compiled and recorded, or a problem at its place. */
  private expression(specPath: (string | number)[], source: string | undefined): Rule | undefined {
    if (source === undefined) return undefined;
    try {
      const rule = this.compileRule(specPath.join('.'), source);
      this.rules.push(rule);
      return rule;
    } catch (err) {
      this.problems.push(this.syntaxProblem(specPath, err));
      return undefined;
    }
  }

  private routeConditions(): Map<RouteSpec | BuiltinRouteSpec, Rule> {
    const conditions = new Map<RouteSpec | BuiltinRouteSpec, Rule>();
    this.spec.routes.forEach((route, i) => {
      const rule = this.expression(['routes', i, 'when'], route.when);
      if (rule) conditions.set(route, rule);
    });
    return conditions;
  }

  private builtins(): CompiledBuiltins {
    return compileBuiltins(this.spec, {
      block: (block, specPath) => this.block(block, specPath),
      expression: (specPath, source) => this.expression(specPath, source),
      problem: (specPath, message) => this.problems.push(this.at(specPath, message)),
      acceptsModel: (id) => Object.keys(this.spec.models ?? {}).some((glob) => globToRegExp(glob).test(id)),
    });
  }

  private streamProgram(): StreamProgram | undefined {
    const spec = this.spec.stream as StreamSpec | undefined;
    if (!spec) return undefined;
    const compile = (specPath: string[], source: string | undefined) => this.expression(specPath, source);
    const events = new Map<string, Rule>();
    for (const [type, rule] of Object.entries(spec.events)) {
      if (spec.ignored && type in spec.ignored) this.problems.push(this.at(['stream', 'ignored', type], `"${type}" has a rule and is also ignored`));
      const compiled = compile(['stream', 'events', type, 'emit'], rule.emit);
      if (compiled) events.set(type, compiled);
    }
    return createStreamProgram({
      framing: { eventNameFrom: spec.framing?.event_name_from, done: spec.framing?.done },
      ping: spec.ping,
      eventTypeFrom: spec.event_type_from,
      endMarker: spec.end_marker,
      untypedEvent: spec.untyped_event,
      init: compile(['stream', 'init'], spec.init),
      events,
      ignored: spec.ignored ?? {},
      end: compile(['stream', 'end', 'emit'], spec.end?.emit),
      onError: compile(['stream', 'on_error', 'emit'], spec.on_error?.emit),
    });
  }

  private syntaxProblem(specPath: (string | number)[], err: unknown): SpecProblem {
    const problem = this.at(specPath, `JSONata: ${(err as Error).message}`);
    // Point at the character inside a single-line expression when JSONata gives one.
    if (err instanceof RuleSyntaxError && err.position !== undefined && problem.col !== undefined) {
      problem.message += ` (at character ${err.position})`;
    }
    return problem;
  }
}

function blockKey(name: 'request' | 'response' | 'errors.upstream' | 'errors.gateway'): 'request' | 'response' | 'errorsUpstream' | 'errorsGateway' {
  return name === 'errors.upstream' ? 'errorsUpstream' : name === 'errors.gateway' ? 'errorsGateway' : name;
}

function lastSegment(dir: string): string {
  return dir.replace(/\/+$/, '').split(/[\\/]/).pop() ?? dir;
}

function decodePointer(segment: string): string | number {
  const s = segment.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(s) ? Number(s) : s;
}

function formatPath(specPath: (string | number)[]): string {
  return specPath.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

export function short(value: unknown, max = 300): string {
  const text = value === undefined ? 'nothing (undefined)' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
