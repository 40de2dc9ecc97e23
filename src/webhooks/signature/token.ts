import { hash, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../schemes/scheme';

/**
 * SHA-256 of each configured token, computed once: the resolver hands over the same decoded key objects
 * on every request, so only the presented token is hashed per request.
 */
const keyDigests = new WeakMap<Buffer, Buffer>();

function keyDigest(key: Buffer): Buffer {
  let digest = keyDigests.get(key);
  if (digest === undefined) {
    digest = hash('sha256', key, 'buffer');
    keyDigests.set(key, digest);
  }
  return digest;
}

/**
 * Index of the configured shared token (a `Buffer` key; public keys never match) equal to `presented`,
 * or -1. Compared as SHA-256 digests with timingSafeEqual, so neither the content nor the length of a
 * token leaks through timing, and every key is compared, so timing does not reveal which one matched
 * (rotation: an index > 0 is an older token). For providers that send a token rather than a signature
 * (GitLab's `X-Gitlab-Token`, HTTP Basic, API keys) and for Meta's handshake verify token.
 */
export function findMatchingToken(keys: readonly SigningKey[], presented: string | Buffer): number {
  const presentedDigest = hash('sha256', presented, 'buffer');
  let matched = -1;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (Buffer.isBuffer(key) && timingSafeEqual(keyDigest(key), presentedDigest) && matched < 0)
      matched = index;
  }
  return matched;
}
