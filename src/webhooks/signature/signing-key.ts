import { schemes, type DecodedSigningKey, type SchemeName, type SigningKey } from '../schemes';

export type { DecodedSigningKey, SigningKey } from '../schemes';

/**
 * The key a configured secret stands for under `scheme` (see each scheme's `decodeKey`: UTF-8 bytes for
 * most, the strictly decoded base64 of `whsec_` for `standard`…), or a `problem` when it is not a usable
 * key — never quoting the secret.
 */
export function decodeSigningKey(scheme: SchemeName, secret: string): DecodedSigningKey {
  return schemes[scheme].decodeKey(secret);
}

/** Thrown for a secret that is not a usable key; the message names neither the secret nor its bytes. */
export class UnusableSigningKeyError extends Error {
  constructor(readonly problem: string) {
    super(`The signing secret ${problem}`);
    this.name = 'UnusableSigningKeyError';
  }
}

/** The key of a configured secret; throws UnusableSigningKeyError when decodeSigningKey refuses it. */
export function signingKeyFromSecret(scheme: SchemeName, secret: string): SigningKey {
  const decoded = decodeSigningKey(scheme, secret);
  if ('problem' in decoded) throw new UnusableSigningKeyError(decoded.problem);
  return decoded.key;
}
