/**
 * pino, configured once. Secrets never reach a log line: request headers are not logged at all,
 * the redact list catches the usual places should anything pass an object carrying them, and
 * every serialised line then passes through the secret scrubber (observe/redact.ts), which blanks
 * the known secret values and anything credential-shaped, in any case and at any depth.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { secrets } from './redact.js';

export const REDACT_PATHS = [
  'headers.authorization',
  'headers.Authorization',
  'headers["x-api-key"]',
  'headers["X-Api-Key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'upstream.headers',
  'apiKey',
  'key',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'rosetta' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  const target = (destination ?? pino.destination(1)) as DestinationStream;
  const scrubbing: DestinationStream = { write: (line: string) => target.write(secrets.scrub(line)) };
  return pino(options, scrubbing);
}

export type { Logger };
