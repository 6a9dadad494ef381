/**
 * Token counting. The body is mapped by the pair's own request rules (after adding the literal
 * `inbound_defaults`, e.g. a max_tokens that counting requests lack), so a count sees exactly the
 * payload a real request would send. Then:
 *   - when the route names the upstream's input-token endpoint: `upstream_request` picks that
 *     endpoint's fields from the payload, and `tokens_from` reads the count from its answer;
 *   - when that is not configured, or fails in any way: the pair's `local` view of the payload is
 *     counted with a local tokenizer (no network).
 * `response` shapes the client's answer from {tokens, counted_by}; the header
 * `rosetta-token-count` says which path answered.
 */
import type { Request, Response } from 'express';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../observe/logger.js';
import { RuleEvaluationError } from '../../rules/rule.js';
import { describeSchemaErrors } from '../../spec/api-schemas.js';
import type { CompiledPair } from '../../spec/compile-pair.js';
import type { BuiltinRouteSpec } from '../../spec/pair-spec.js';
import { readBodyText, type UpstreamSender } from '../../upstream/upstream-client.js';
import type { CompiledCountTokens } from '../compile-builtins.js';
import { countLocally } from './local-token-count.js';

export interface CountTokensContext {
  pair: CompiledPair;
  route: BuiltinRouteSpec;
  upstream: UpstreamSender;
  upstreamValidation: 'strict' | 'warn' | 'off';
  log: Logger;
}

export async function handleCountTokens(req: Request, res: Response, ctx: CountTokensContext): Promise<void> {
  const spec = ctx.pair.builtins.countTokens;
  if (!spec) throw new GatewayError('GW_ERR_INTERNAL', 'this pair has no count_tokens section');
  const body = req.body as unknown;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('GW_ERR_SCHEMA', 'invalid request: the body must be a JSON object');
  const inbound: Record<string, unknown> = { ...spec.inboundDefaults, ...(body as Record<string, unknown>) };

  const validate = ctx.pair.validateInbound;
  if (validate && !validate(inbound)) throw new GatewayError('GW_ERR_SCHEMA', `invalid request: ${describeSchemaErrors(validate.errors)}`);
  const payload = await rules(() => ctx.pair.translator.request(inbound));
  const check = ctx.pair.validateUpstreamRequest;
  if (ctx.upstreamValidation !== 'off' && check && !check(payload)) {
    const detail = describeSchemaErrors(check.errors);
    if (ctx.upstreamValidation === 'strict') throw new GatewayError('GW_ERR_UPSTREAM_PAYLOAD', `the gateway could not build a valid upstream request (a mapping problem): ${detail}`);
    ctx.log.warn({ detail }, 'mapped payload does not match the upstream schema; counting it anyway');
  }

  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let tokens = await askUpstream(spec, payload, inbound, ctx, abort.signal);
  let countedBy: 'upstream' | 'local' = 'upstream';
  if (tokens === undefined) {
    tokens = await rules(() => countLocally(spec.local, payload, inbound));
    countedBy = 'local';
  }
  const answer = await rules(() => spec.response.apply({ tokens, counted_by: countedBy }, { request: inbound }));
  res.setHeader('rosetta-token-count', countedBy);
  res.json(answer);
}

/** The upstream's count, or undefined when not configured or when anything goes wrong (logged). */
async function askUpstream(spec: CompiledCountTokens, payload: unknown, inbound: unknown, ctx: CountTokensContext, signal: AbortSignal): Promise<number | undefined> {
  const endpoint = ctx.route.upstream;
  if (!endpoint || !spec.upstreamRequest || !spec.tokensFrom) return undefined;
  try {
    const request = await spec.upstreamRequest.apply(payload, { request: inbound });
    const reply = await ctx.upstream.send({
      url: ctx.pair.upstream.baseUrl + endpoint.path,
      method: endpoint.method,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...ctx.pair.upstream.headers },
      body: JSON.stringify(request),
      signal,
    });
    const text = await readBodyText(reply.body, 1024 * 1024);
    if (reply.status >= 400) {
      ctx.log.info({ upstreamStatus: reply.status }, 'upstream token count failed; counting locally');
      return undefined;
    }
    const tokens = await spec.tokensFrom.evaluate(JSON.parse(text), { request: inbound });
    if (typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0) return tokens;
    ctx.log.warn({ got: typeof tokens }, 'upstream token count answer has no count; counting locally');
  } catch (err) {
    if (signal.aborted) throw err;
    ctx.log.info({ err: (err as Error).message }, 'upstream token count failed; counting locally');
  }
  return undefined;
}

async function rules<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RuleEvaluationError) throw new GatewayError('GW_ERR_INTERNAL', `mapping rule ${err.ruleId} failed: ${err.message}`, { cause: err });
    throw err;
  }
}
