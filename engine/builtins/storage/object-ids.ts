/**
 * Ids of stored objects: a prefix and 24 random base62 characters from the OS's CSPRNG (about
 * 143 bits), so ids cannot be guessed or enumerated. An id is also the object's name on disk, so
 * every id that comes from a client is checked against the exact pattern BEFORE any file-system
 * call: `../`, `%2e%2e%2f`, absolute paths, NUL bytes and anything else simply do not match, and
 * the store never builds a path from them.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const ID_RANDOM_LENGTH = 24;

export function newObjectId(prefix: string): string {
  let out = '';
  while (out.length < ID_RANDOM_LENGTH) {
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
    for (const byte of randomBytes(32)) {
      if (byte < 248 && out.length < ID_RANDOM_LENGTH) out += ALPHABET[byte % 62];
    }
  }
  return `${prefix}_${out}`;
}

export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[A-Za-z0-9]{${ID_RANDOM_LENGTH}}$`);
}

export function isObjectId(prefix: string, value: unknown): value is string {
  return typeof value === 'string' && value.length === prefix.length + 1 + ID_RANDOM_LENGTH && idPattern(prefix).test(value);
}
