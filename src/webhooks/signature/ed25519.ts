import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** Length of a raw ed25519 public key or private seed, in bytes. */
export const ed25519KeyBytes = 32;

/** An ed25519 signature in base64: 64 bytes are 86 characters and `==`. */
const signatureBase64 = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Decodes a base64 ed25519 signature (64 bytes, standard alphabet, padded) strictly: anything else gives
 * undefined (Node's decoder would skip what it cannot read and return fewer bytes).
 */
export function decodeEd25519Signature(text: string): Buffer | undefined {
  return signatureBase64.test(text) ? Buffer.from(text, 'base64') : undefined;
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
