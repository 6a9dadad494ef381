/**
 * Stream rules compiled into a state machine. Each upstream event is handed to the rule for its
 * type together with the request and the state so far; the rule answers with the events to emit,
 * the state to carry, and whether the client's stream is finished. This module is pure: the loop,
 * the I/O, framing and timing live in server/stream-relay.ts.
 */
import type { Rule } from '../rules/rule.js';
import { normalise } from './mapping-block.js';

export interface StreamStep {
  emit: unknown[];
  state: unknown;
  /** The client's stream is complete: write nothing more, stop reading the upstream. */
  finish: boolean;
}

export interface StreamFraming {
  /** Field of each emitted object whose value becomes the SSE `event:` line. */
  eventNameFrom?: string;
  /** Raw `data:` payload written after the last event (e.g. `[DONE]`). */
  done?: string;
}

/** What `on_error` sees: the same shape as a gateway error. */
export interface StreamErrorInput {
  status: number;
  category: string;
  code: string;
  message: string;
}

export interface StreamProgram {
  framing: StreamFraming;
  ping?: unknown;
  eventTypeFrom: string;
  /** The upstream's end-of-stream `data:` payload (e.g. `[DONE]`): the stream ends there. */
  endMarker?: string;
  /** The type of an upstream event without the `eventTypeFrom` field (and no SSE event name). */
  untypedEvent?: string;
  /** The type of an upstream event: its SSE event name, else its `eventTypeFrom` field, else `untypedEvent`. */
  typeOf(event: unknown, sseName?: string): string;
  /** Upstream event types handled by a rule. */
  handled: ReadonlySet<string>;
  /** Upstream event types deliberately ignored (with their reasons). */
  ignored: Readonly<Record<string, string>>;
  /**
   * Each method answers directly when its rule is synchronous (compiled) and with a Promise when it
   * is interpreted or fails: `await` works on both, and a hot loop can skip the await.
   */
  init(inbound: unknown): unknown | Promise<unknown>;
  /** undefined when the event type has no rule (ignored or unknown). */
  step(type: string, event: unknown, state: unknown, inbound: unknown): StreamStep | undefined | Promise<StreamStep | undefined>;
  end(state: unknown, inbound: unknown): StreamStep | Promise<StreamStep>;
  onError(error: StreamErrorInput, state: unknown, inbound: unknown): StreamStep | Promise<StreamStep>;
}

export interface StreamRules {
  framing: StreamFraming;
  ping?: unknown;
  eventTypeFrom?: string;
  endMarker?: string;
  untypedEvent?: string;
  init?: Rule;
  events: ReadonlyMap<string, Rule>;
  ignored: Record<string, string>;
  end?: Rule;
  onError?: Rule;
}

export function createStreamProgram(rules: StreamRules): StreamProgram {
  const eventTypeFrom = rules.eventTypeFrom ?? 'type';
  const run = (rule: Rule | undefined, input: unknown, state: unknown, inbound: unknown): StreamStep | Promise<StreamStep> => {
    if (!rule) return { emit: [], state, finish: true };
    try {
      const value = rule.evaluate(input, { request: inbound, state });
      if (value instanceof Promise) return value.then((v) => toStep(rule.id, plainValue(rule, v), state));
      return toStep(rule.id, plainValue(rule, value), state);
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    framing: rules.framing,
    ping: rules.ping,
    eventTypeFrom,
    endMarker: rules.endMarker,
    untypedEvent: rules.untypedEvent,
    typeOf(event, sseName) {
      if (sseName !== undefined) return sseName;
      const value = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[eventTypeFrom] : undefined;
      return value === undefined || value === null ? (rules.untypedEvent ?? '') : String(value);
    },
    handled: new Set(rules.events.keys()),
    ignored: rules.ignored,
    init(inbound) {
      const rule = rules.init;
      if (!rule) return {};
      const value = rule.evaluate(inbound, { request: inbound });
      return value instanceof Promise ? value.then((v) => plainValue(rule, v)) : plainValue(rule, value);
    },
    step(type, event, state, inbound) {
      const rule = rules.events.get(type);
      return rule ? run(rule, event, state, inbound) : undefined;
    },
    end: (state, inbound) => run(rules.end, null, state, inbound),
    onError: (error, state, inbound) => run(rules.onError, error, state, inbound),
  };
}

/**
 * A compiled rule's value is plain JSON already; an interpreted one is normalised. (Stream values
 * are not copied: the state goes back into the next rule, and events are only serialised.)
 */
function plainValue(rule: Rule, value: unknown): unknown {
  return rule.plain ? value : normalise(value);
}

function toStep(ruleId: string, value: unknown, previousState: unknown): StreamStep {
  if (value === undefined || value === null) return { emit: [], state: previousState, finish: false };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${ruleId}: a stream rule must return {emit, state, finish}, got ${JSON.stringify(value).slice(0, 120)}`);
  }
  const out = value as { emit?: unknown; state?: unknown; finish?: unknown };
  const emit = out.emit === undefined ? [] : Array.isArray(out.emit) ? out.emit : [out.emit];
  return { emit, state: out.state === undefined ? previousState : out.state, finish: out.finish === true };
}

/** Runs a whole recorded upstream stream through the rules (examples, tests, batch tooling). */
export async function runStream(
  program: StreamProgram,
  upstreamEvents: ReadonlyArray<{ type?: string; [k: string]: unknown }>,
  inbound: unknown,
): Promise<{ emitted: unknown[]; finished: boolean }> {
  const emitted: unknown[] = [];
  let state = program.init(inbound);
  if (state instanceof Promise) state = await state;
  for (const event of upstreamEvents) {
    // The upstream's end marker (a raw data string such as "[DONE]") ends the stream, as in the relay.
    if (program.endMarker !== undefined && (event as unknown) === program.endMarker) break;
    const type = program.typeOf(event);
    let step = program.step(type, event, state, inbound);
    if (step instanceof Promise) step = await step;
    if (!step) continue;
    for (const e of step.emit) emitted.push(e);
    state = step.state;
    if (step.finish) return { emitted, finished: true };
  }
  const end = await program.end(state, inbound);
  emitted.push(...end.emit);
  return { emitted, finished: false };
}
