/**
 * GATEWAY_API_KEYS_FILE: gateway keys kept out of the environment (which leaks into process
 * listings, crash reports and child processes) — e.g. a mounted Kubernetes or Docker secret.
 * One key per line; blank lines and lines starting with `#` are skipped; surrounding spaces are
 * trimmed. A key is never echoed in an error message, only its line number.
 */
import { readFileSync } from 'node:fs';

export function parseKeysFile(text: string): { keys: string[]; problems: string[] } {
  const keys: string[] = [];
  const problems: string[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (/\s|,/.test(line)) problems.push(`line ${i + 1}: a key may not contain spaces or commas (one key per line)`);
    else keys.push(line);
  });
  return { keys, problems };
}

/** Reads and parses the file; every problem is worded for the start-up error. */
export function readKeysFile(file: string): { keys: string[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { keys: [], problems: [`GATEWAY_API_KEYS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  const { keys, problems } = parseKeysFile(text);
  const named = problems.map((p) => `GATEWAY_API_KEYS_FILE ${file}: ${p}`);
  if (keys.length === 0 && named.length === 0) named.push(`GATEWAY_API_KEYS_FILE ${file} holds no keys (an empty file would leave the gateway open)`);
  return { keys, problems: named };
}
