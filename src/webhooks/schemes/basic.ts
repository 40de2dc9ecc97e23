import { decodeCanonicalBase64 } from '../signature/base64';
import { findMatchingToken } from '../signature/token';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { topLevelStrings, utf8Key } from './fields';
import type { DecodedSigningKey, WebhookScheme } from './scheme';

/**
 * HTTP Basic (RFC 7617): `Authorization: Basic <base64 of user:password>`, compared whole with every
 * configured `user:password` (findMatchingToken: constant time over digests). No header, or a credential
 * of another scheme (`Bearer …`), is `missing` (401); Basic with text that is not canonical base64 of
 * `user:password` is `malformed` (400).
 */
export function verifyBasicCredential({ request, keys }: VerificationInput): SignatureCheck {
  const header = request.headers.authorization;
  if (header === undefined || header === '')
    return rejected('missing', 'The Authorization header is missing');
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'basic')
    return rejected('missing', 'The Authorization header holds no Basic credential');
  const credential = decodeCanonicalBase64(header.slice(space + 1).trim());
  if (credential === undefined || !credential.includes(0x3a))
    return rejected('malformed', 'The Basic credential is not base64 of user:password');
  const secretIndex = findMatchingToken(keys, credential);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The credential does not match');
}

/** A configured `user:password` as the bytes a sender encodes, or why it cannot be one. */
function decodeBasicCredential(secret: string): DecodedSigningKey {
  return secret.includes(':') ? utf8Key(secret) : { problem: 'is not user:password' };
}

/**
 * A Basic credential authenticates the request but not its content, and says nothing of the delivery:
 * it is deduplicated by content; the type is the body's top-level `type` when it is JSON.
 */
export const basic: WebhookScheme = {
  decodeKey: decodeBasicCredential,
  verify: verifyBasicCredential,
  body: 'any',
  identify: (request) => ({ eventType: topLevelStrings(request, ['type']).type }),
  keptHeaders: [],
};
