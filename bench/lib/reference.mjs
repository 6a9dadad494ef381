/**
 * Where the benchmark finds the repository and the shared reference recordings.
 *
 * The reference folder is `<repoRoot>/../shared/reference`, or ROSETTA_REFERENCE_DIR when set
 * (the same rule as test/helpers/reference.ts). Recording names are relative to
 * `<reference>/recordings/openai-responses/` (e.g. `vercel-ai/azure-tool-call.1.json`); a path
 * relative to the reference folder itself also works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function referenceDir() {
  const fromEnv = process.env.ROSETTA_REFERENCE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.resolve(repoRoot, '..', 'shared', 'reference');
}

export function resolveRecording(name) {
  const base = referenceDir();
  const candidates = [
    path.join(base, 'recordings', 'openai-responses', name),
    path.join(base, 'recordings', name),
    path.join(base, name),
  ];
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`recording not found: ${name} (looked in ${candidates.join(', ')}; set ROSETTA_REFERENCE_DIR to move the reference folder)`);
}

/** A recorded non-streaming response body (a vercel-ai `*.json` fixture). */
export function loadJsonRecording(name) {
  if (!name.endsWith('.json')) throw new Error(`a JSON response recording must be a .json file (got ${name})`);
  return JSON.parse(fs.readFileSync(resolveRecording(name), 'utf8'));
}

/** The events of a recorded stream (a vercel-ai `*.chunks.txt` fixture: one JSON event per line). */
export function loadStreamRecording(name) {
  if (!name.endsWith('.chunks.txt')) throw new Error(`a stream recording must be a .chunks.txt file (got ${name})`);
  return fs.readFileSync(resolveRecording(name), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}
