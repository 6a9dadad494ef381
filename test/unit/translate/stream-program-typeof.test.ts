/**
 * translate/stream-program.ts: which rule an upstream event goes to — its SSE event name, else its
 * `event_type_from` field, else the stream's `untyped_event` (or none).
 */
import { describe, expect, it } from 'vitest';
import { createStreamProgram } from '../../../engine/translate/stream-program.js';

const program = (untypedEvent?: string) => createStreamProgram({ framing: {}, eventTypeFrom: 'object', untypedEvent, events: new Map(), ignored: {} });

describe('the type of an upstream event', () => {
  it.each([
    ['the SSE event name wins', { object: 'chunk' }, 'named', 'error', 'named'],
    ['else the event_type_from field', { object: 'chat.completion.chunk' }, undefined, 'error', 'chat.completion.chunk'],
    ['an event without that field gets untyped_event', { error: { message: 'x' } }, undefined, 'error', 'error'],
    ['a null field counts as missing', { object: null }, undefined, 'error', 'error'],
    ['without untyped_event it has no type (no rule takes it)', { error: { message: 'x' } }, undefined, undefined, ''],
    ['a non-object event has no field either', 'text', undefined, 'error', 'error'],
  ])('%s', (_name, event, sseName, untyped, expected) => {
    expect(program(untyped).typeOf(event, sseName)).toBe(expected);
  });
});
