/**
 * A second baseline: the least any gateway that understands the bodies must do. Like the raw
 * proxy it forwards any POST to BENCH_UPSTREAM_URL + BENCH_UPSTREAM_PATH through one keep-alive
 * undici Pool, but it reads what passes: the request body is parsed and serialised again, a JSON
 * answer likewise, and an event stream is parsed event by event (eventsource-parser), each
 * event's data parsed and serialised again and written back in SSE framing, one write per
 * upstream chunk. No translation, no validation, no framework, no logging.
 *
 * Between the raw proxy and this one lies the price of reading JSON at all; between this one and
 * the gateway, the price of everything the gateway does on top (routing, validation, the rules,
 * errors, metrics). The gateway cannot be faster than this floor.
 */
import http from 'node:http';
import { Pool } from 'undici';
import { failStart, listenProxy } from '../lib/child-ipc.mjs';
import { jsonFloorHandler } from '../lib/json-floor.mjs';

const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
const upstreamPath = process.env.BENCH_UPSTREAM_PATH || '/v1/responses';
const upstreamKey = process.env.OPENAI_API_KEY || 'bench-key';
if (!upstreamUrl) failStart('json-floor-proxy', new Error('BENCH_UPSTREAM_URL is not set'));

const pool = new Pool(upstreamUrl, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 600_000, bodyTimeout: 300_000 });
const server = http.createServer(jsonFloorHandler({ pool, upstreamPath, upstreamKey }));
listenProxy(server, 'json-floor-proxy');
