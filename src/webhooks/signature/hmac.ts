import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../schemes/scheme';

/**
 * HMAC-SHA256 of `prefix` followed by `body` (strings as UTF-8): what every scheme signs is a short
 * text prefix (empty, `<t>.` or `<id>.<t>.`) and the raw body, fed as two updates so the body is never
 * copied into a concatenation, and an empty prefix costs no update at all.
 */
export function hmacSha256(key: Buffer, prefix: string, body: string | Buffer): Buffer {
  const hmac = createHmac('sha256', key);
  if (prefix !== '') hmac.update(prefix);
  return hmac.update(body).digest();
}

/**
 * True when `expected` equals one of `candidates`, compared in constant time for equal lengths (a length
 * difference is public: digests have a fixed size). Every candidate is compared, so timing does not
 * reveal which one matched.
 */
export function matchesAnyDigest(expected: Buffer, candidates: readonly Uint8Array[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/**
 * Index of the first key whose HMAC over `prefix` + `body` is among `signatures`, or -1. Keys are tried
 * in order, so the current secret (listed first) costs one HMAC; an older one during rotation costs one
 * more each.
 */
export function findSigningKey(
  keys: readonly SigningKey[],
  prefix: string,
  body: string | Buffer,
  signatures: readonly Uint8Array[],
): number {
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    // A public key (Standard Webhooks `whpk_`) among a source's keys signs no HMAC.
    if (Buffer.isBuffer(key) && matchesAnyDigest(hmacSha256(key, prefix, body), signatures)) return index;
  }
  return -1;
}

const sha256Bytes = 32;

/**
 * Decodes a SHA-256 digest written in hex (64 digits, either case) or base64 (43 characters of the
 * standard alphabet and `=`), strictly: anything else gives undefined.
 *
 * Written out rather than `Buffer.from(text, encoding)`: Node's decoders stop at (hex) or skip (base64)
 * what they cannot read, so `<valid digest>garbage` or a stray character would decode, and they needed a
 * pattern match first; the pattern, the call into C++ and the view on Buffer's shared pool cost, on every
 * request, about a tenth of the HMAC of a 1 KB body. This reads each character once, checks it, and
 * fills a fresh 32-byte array.
 */
export function decodeDigest(text: string, encoding: 'hex' | 'base64'): Uint8Array | undefined {
  return encoding === 'hex' ? decodeHexDigest(text) : decodeBase64Digest(text);
}

/** The value of each hex digit or base64 character, by char code below 128; -1 for any other code. */
const hexValues = characterValues('0123456789abcdef', '0123456789ABCDEF');
const base64Values = characterValues('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

function characterValues(...alphabets: string[]): Int8Array {
  const values = new Int8Array(128).fill(-1);
  for (const alphabet of alphabets)
    for (let value = 0; value < alphabet.length; value++) values[alphabet.charCodeAt(value)] = value;
  return values;
}

function valueAt(values: Int8Array, text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < values.length ? values[code]! : -1;
}

/** The 6-bit value of the base64 character at `index` of `text` (standard alphabet), or -1. */
export function base64ValueAt(text: string, index: number): number {
  return valueAt(base64Values, text, index);
}

function decodeHexDigest(text: string): Uint8Array | undefined {
  if (text.length !== 2 * sha256Bytes) return undefined;
  const digest = new Uint8Array(sha256Bytes);
  for (let byte = 0; byte < sha256Bytes; byte++) {
    const high = valueAt(hexValues, text, 2 * byte);
    const low = valueAt(hexValues, text, 2 * byte + 1);
    if ((high | low) < 0) return undefined;
    digest[byte] = (high << 4) | low;
  }
  return digest;
}

const base64DigestLength = 44;
const base64Padding = 0x3d; // '='

/**
 * 32 bytes in base64: ten groups of 4 characters for 3 bytes each, then 3 characters for the last 2
 * bytes and one `=`. The 2 bits left over in the last character are ignored, as Node's decoder does.
 */
function decodeBase64Digest(text: string): Uint8Array | undefined {
  if (text.length !== base64DigestLength || text.charCodeAt(base64DigestLength - 1) !== base64Padding)
    return undefined;
  const digest = new Uint8Array(sha256Bytes);
  let byte = 0;
  for (let index = 0; index < 40; index += 4) {
    const a = valueAt(base64Values, text, index);
    const b = valueAt(base64Values, text, index + 1);
    const c = valueAt(base64Values, text, index + 2);
    const d = valueAt(base64Values, text, index + 3);
    if ((a | b | c | d) < 0) return undefined;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    digest[byte++] = bits >> 16;
    digest[byte++] = (bits >> 8) & 0xff;
    digest[byte++] = bits & 0xff;
  }
  const a = valueAt(base64Values, text, 40);
  const b = valueAt(base64Values, text, 41);
  const c = valueAt(base64Values, text, 42);
  if ((a | b | c) < 0) return undefined;
  const bits = (a << 12) | (b << 6) | c;
  digest[30] = bits >> 10;
  digest[31] = (bits >> 2) & 0xff;
  return digest;
}
