/**
 * Request rules (and anything not tied to a response, an error or a stream) against the interpreter
 * on mutated client requests. See fuzz-rules.ts.
 */
import { describeFuzz } from './fuzz-rules.js';

await describeFuzz(['request', 'stream.init', 'other']);
