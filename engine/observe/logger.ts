/**
 * pino, configured once. Secrets never reach a log line: request headers are not logged at all,
 * and the redact list catches the usual places should anything pass an object carrying them.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'upstream.headers',
  'apiKey',
  'key',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'rosetta' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as never) : pino(options);
}

export type { Logger };
