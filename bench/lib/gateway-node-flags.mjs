/**
 * The Node/V8 flags `npm start` runs the gateway with, read from package.json's start script, so
 * the benchmarks measure the gateway as operators run it (run.mjs, soak.mjs and builtins.mjs start
 * it with these; compare.mjs and layers.mjs run it in their own process and cannot).
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './reference.mjs';

function readFlags() {
  const start = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts?.start ?? '';
  const match = /\bnode((?:\s+--\S+)*)\s+dist\/engine\/cli\/main\.js\b/.exec(start);
  if (!match) throw new Error(`package.json: the start script does not run "node [flags] dist/engine/cli/main.js": ${start}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}

export const gatewayNodeFlags = readFlags();
