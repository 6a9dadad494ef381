/**
 * Stream rules against the interpreter: each event rule on mutated events and stream states, and
 * whole recorded streams with mutated events. See fuzz-rules.ts.
 */
import { describeFuzz, describeStreamFuzz } from './fuzz-rules.js';

await describeFuzz(['stream.event', 'stream.end', 'stream.on_error']);
await describeStreamFuzz();
