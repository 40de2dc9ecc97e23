import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of the parts concatenated (strings as UTF-8), without building the concatenation. */
export function hmacSha256(key: Buffer, parts: readonly (string | Buffer)[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/**
 * True when `expected` equals one of `candidates`, compared in constant time for equal lengths (a length
 * difference is public: digests have a fixed size). Every candidate is compared, so timing does not
 * reveal which one matched.
 */
export function matchesAnyDigest(expected: Buffer, candidates: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/**
 * Index of the first key whose HMAC over `parts` is among `signatures`, or -1. Keys are tried in order,
 * so the current secret (listed first) costs one HMAC; an older one during rotation costs one more each.
 */
export function findSigningKey(
  keys: readonly Buffer[],
  parts: readonly (string | Buffer)[],
  signatures: readonly Buffer[],
): number {
  for (let index = 0; index < keys.length; index++) {
    if (matchesAnyDigest(hmacSha256(keys[index]!, parts), signatures)) return index;
  }
  return -1;
}

const sha256HexLength = 64;
const hexDigest = /^[0-9a-fA-F]{64}$/;
const base64Digest = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Decodes a SHA-256 digest written in hex or base64, strictly: anything else gives undefined (Node's
 * decoders silently stop at the first bad character, which would accept `<valid digest>garbage`).
 */
export function decodeDigest(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') {
    return text.length === sha256HexLength && hexDigest.test(text) ? Buffer.from(text, 'hex') : undefined;
  }
  return base64Digest.test(text) ? Buffer.from(text, 'base64') : undefined;
}
