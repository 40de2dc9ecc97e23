import { decodeStandardWebhookSecret } from './standard-webhooks';
import type { SchemeName } from './types';

/**
 * Shortest HMAC key accepted, in bytes (128 bits). Shorter keys are guessable; an empty one — a lone
 * `whsec_`, or `standard` text that is not base64, which Node decodes to nothing — is a key anyone can
 * sign with.
 */
export const minimumSigningKeyBytes = 16;

/** A configured secret as an HMAC key, or why it cannot be one (never quoting the secret). */
export type DecodedSigningKey = { readonly key: Buffer } | { readonly problem: string };

/**
 * The HMAC key a configured secret stands for: for `standard`, the strictly decoded base64 after the
 * optional `whsec_`; for the other schemes, its UTF-8 bytes (Stripe signs with the whole `whsec_…` text).
 * A `problem` when the secret is not decodable or gives fewer than `minimumSigningKeyBytes` bytes.
 */
export function decodeSigningKey(scheme: SchemeName, secret: string): DecodedSigningKey {
  const key = scheme === 'standard' ? decodeStandardWebhookSecret(secret) : Buffer.from(secret, 'utf8');
  if (key === undefined) return { problem: 'is not whsec_<base64>' };
  if (key.length < minimumSigningKeyBytes)
    return { problem: `is shorter than ${minimumSigningKeyBytes} bytes once decoded` };
  return { key };
}

/** Thrown for a secret that is not a usable key; the message names neither the secret nor its bytes. */
export class UnusableSigningKeyError extends Error {
  constructor(readonly problem: string) {
    super(`The signing secret ${problem}`);
    this.name = 'UnusableSigningKeyError';
  }
}

/** The HMAC key of a configured secret; throws UnusableSigningKeyError when decodeSigningKey refuses it. */
export function signingKeyFromSecret(scheme: SchemeName, secret: string): Buffer {
  const decoded = decodeSigningKey(scheme, secret);
  if ('problem' in decoded) throw new UnusableSigningKeyError(decoded.problem);
  return decoded.key;
}
