import { decodeDigest, findSigningKey } from '../signature/hmac';
import {
  rejected,
  type HmacSchemeOptions,
  type SignatureCheck,
  type VerificationInput,
} from '../signature/types';
import { headerId, topLevelStrings, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

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

/**
 * The generic scheme signs only the body, not its id header: that id is kept for tracing and the
 * delivery deduplicated by content. The type is the configured event header, else the body's `type`.
 */
export const hmacSha256: WebhookScheme = {
  decodeKey: utf8Key,
  verify: (input) => verifyGenericHmacSignature(input, input.settings.hmac!),
  body: 'any',
  identify: (request, settings) => ({
    providerId: settings.idHeader === undefined ? undefined : headerId(request.headers, settings.idHeader),
    eventType:
      settings.eventHeader === undefined
        ? topLevelStrings(request, ['type']).type
        : request.headers[settings.eventHeader],
  }),
  keptHeaders: [],
  requires: ['signatureHeader'],
};
