import { decodeDigest, findSigningKey } from './hmac';
import { rejected, type HmacSchemeOptions, type SignatureCheck, type VerificationInput } from './types';

/**
 * Generic HMAC-SHA256 of the raw body in a configurable header (hex or base64, optional prefix such as
 * `sha256=`). The prefix is matched case-sensitively, as providers document it.
 */
export function verifyGenericHmacSignature(
  { request, keys }: VerificationInput,
  options: HmacSchemeOptions,
): SignatureCheck {
  const header = request.headers[options.header];
  if (header === undefined || header === '')
    return rejected('missing', `The ${options.header} header is missing`);
  const digest = header.startsWith(options.prefix)
    ? decodeDigest(header.slice(options.prefix.length).trim(), options.encoding)
    : undefined;
  if (digest === undefined) {
    return rejected(
      'malformed',
      `The ${options.header} header is not ${options.prefix}<${options.encoding} HMAC-SHA256>`,
    );
  }
  const secretIndex = findSigningKey(keys, '', request.rawBody, [digest]);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}
