/**
 * Optional OpenTelemetry tracing. The gateway writes spans through @opentelemetry/api only: it
 * never starts an SDK or an exporter itself, so it sends nothing anywhere unless the operator has
 * registered one (e.g. `node --import ./otel-setup.mjs dist/engine/cli/main.js start`) AND turned
 * TRACING=on. With tracing off, no span is even created.
 *
 * Spans: `rosetta.request` per mapped request (pair, route, method, status, stream or not) and a
 * child `rosetta.upstream` per upstream call (upstream origin, status). No body, header or key is
 * ever put on a span.
 */
import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

export interface Tracing {
  /** Runs `fn` inside a span (or directly, when tracing is off). */
  span<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T>;
}

export const NO_TRACING: Tracing = { span: (_name, _attributes, fn) => fn(undefined) };

export function createTracing(enabled: boolean): Tracing {
  if (!enabled) return NO_TRACING;
  return {
    span(name, attributes, fn) {
      // Looked up per span, so a provider registered after start is still used.
      const tracer = trace.getTracer('rosetta');
      return tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await fn(span);
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
          throw err;
        } finally {
          span.end();
        }
      });
    },
  };
}
