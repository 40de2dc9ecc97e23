import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeCanonicalBase64 } from './base64';

/** Length of a raw ed25519 public key or private seed, in bytes. */
export const ed25519KeyBytes = 32;

/** Length of an ed25519 signature, in bytes. */
const ed25519SignatureBytes = 64;

/**
 * Decodes a base64 ed25519 signature (64 bytes, canonical padded base64) strictly: anything else gives
 * undefined (Node's decoder would skip what it cannot read and return fewer bytes).
 */
export function decodeEd25519Signature(text: string): Buffer | undefined {
  const signature = decodeCanonicalBase64(text);
  return signature?.length === ed25519SignatureBytes ? signature : undefined;
}

/** The public key of 32 raw bytes (RFC 8032's encoding), as node:crypto uses it. */
export function ed25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The private key of a 32-byte seed (RFC 8032's private key), as node:crypto uses it. */
export function ed25519PrivateKey(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32 raw bytes of a public key. */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}
