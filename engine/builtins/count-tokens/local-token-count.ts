/**
 * Local token counting with a BPE tokenizer (gpt-tokenizer: pure JavaScript, the encodings ship
 * inside the package, no network). The pair's `count_tokens.local.from` expression says WHAT
 * the model reads — the texts of the mapped upstream payload, plus a fixed number of tokens for
 * structure it cannot express as text (message framing, images) — so this file knows no API.
 */
import type { CompiledCountTokens } from '../compile-builtins.js';

type Encoder = (text: string) => number;
const encoders = new Map<string, Promise<Encoder>>();

/** The encoding's token counter, loaded on first use (the rank tables are a few MB). */
export function encoderFor(encoding: CompiledCountTokens['local']['encoding']): Promise<Encoder> {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    encoder = (encoding === 'cl100k_base' ? import('gpt-tokenizer/encoding/cl100k_base') : import('gpt-tokenizer/encoding/o200k_base')).then(
      // Special-token text (e.g. "<|endoftext|>") in a prompt is counted as plain text, never refused.
      (m) => (text: string) => m.countTokens(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }),
    );
    encoders.set(encoding, encoder);
  }
  return encoder;
}

export class LocalCountError extends Error {}

/** Evaluates the pair's local counting expression on the mapped payload and counts its texts. */
export async function countLocally(local: CompiledCountTokens['local'], payload: unknown, inbound: unknown): Promise<number> {
  const view = (await local.from.evaluate(payload, { request: inbound })) as { texts?: unknown; extra_tokens?: unknown } | undefined;
  const texts = view?.texts === undefined ? [] : Array.isArray(view.texts) ? view.texts : [view.texts];
  const extra = view?.extra_tokens ?? 0;
  if (typeof extra !== 'number' || !Number.isFinite(extra)) throw new LocalCountError('count_tokens.local.from must give extra_tokens as a number');
  const count = await encoderFor(local.encoding);
  let total = Math.max(0, Math.round(extra));
  for (const text of texts) if (typeof text === 'string' && text !== '') total += count(text);
  return total;
}
