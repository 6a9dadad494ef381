/**
 * Response and error rules against the interpreter on mutated upstream responses, upstream
 * failures and gateway errors. See fuzz-rules.ts.
 */
import { describeFuzz } from './fuzz-rules.js';

await describeFuzz(['response', 'errors.upstream', 'errors.gateway']);
