import { createHash, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../schemes/scheme';

const sha256 = (bytes: string | Buffer): Buffer => createHash('sha256').update(bytes).digest();

/**
 * Index of the key equal to the `presented` token or credential (a string as UTF-8), or -1. Schemes
 * that send a shared token (GitLab, HTTP Basic, an API key) compare with this: SHA-256 digests of both
 * sides are compared with timingSafeEqual, so neither the token's length nor where it first differs
 * shows in the timing, and every key is compared, so timing does not tell which one matched. A public
 * key (`KeyObject`) among the keys never matches.
 */
export function findMatchingToken(keys: readonly SigningKey[], presented: string | Buffer): number {
  const digest = sha256(presented);
  let matched = -1;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (Buffer.isBuffer(key) && timingSafeEqual(sha256(key), digest) && matched < 0) matched = index;
  }
  return matched;
}
