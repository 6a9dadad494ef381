/**
 * How large a request body may be, by kind of route, and the JSON body parser that applies it.
 * Anthropic's own limits are the model: Messages (and count_tokens) 32 MB, Message Batches
 * 256 MB, Files 500 MB. Messages and batches are JSON read into memory; a file upload is
 * streamed to disk by its route, which enforces its limit while streaming, so it is not parsed
 * here at all (limitFor answers `undefined`). The built-ins pick per route (Builtins.bodyLimitFor:
 * MAX_BODY_BYTES, BATCH_MAX_BODY_BYTES, FILES_MAX_BYTES).
 */
import type { Request, RequestHandler } from 'express';
import express from 'express';

/**
 * Parses every body as JSON (clients decide JSON vs stream in the body, and some send no JSON
 * content-type at all), with the limit `limitFor` picks for the request; `undefined` leaves the
 * body unread for a route that streams it. One body-parser per distinct limit, made once.
 */
export function jsonBodyParser(limitFor: (req: Request) => number | undefined): RequestHandler {
  const parsers = new Map<number, RequestHandler>();
  return (req, res, next) => {
    const limit = limitFor(req);
    if (limit === undefined) return next();
    let parser = parsers.get(limit);
    if (!parser) {
      parser = express.json({ limit, type: () => true, strict: true });
      parsers.set(limit, parser);
    }
    parser(req, res, next);
  };
}
