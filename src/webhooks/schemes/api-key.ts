import { findMatchingToken } from '../signature/token';
import { rejected, type SignatureCheck } from '../signature/types';
import { headerId, topLevelStrings, utf8Key } from './fields';
import type { SchemeSettings, SchemeVerification, WebhookScheme } from './scheme';

/** The header an `api-key` source reads its key from when `WEBHOOK_SIGNATURE_HEADER_<SOURCE>` is unset. */
export const defaultApiKeyHeader = 'x-api-key';

/**
 * An API key in a header (`settings.hmac.header`, default `x-api-key`), after an optional prefix such as
 * `Bearer` (matched case-sensitively, then surrounding spaces ignored), compared with every configured
 * key (findMatchingToken: constant time over digests). No header is `missing` (401); one without the
 * prefix is `malformed` (400).
 */
export function verifyApiKey({ request, keys, settings }: SchemeVerification): SignatureCheck {
  const name = settings.hmac?.header ?? defaultApiKeyHeader;
  const prefix = settings.hmac?.prefix ?? '';
  const header = request.headers[name];
  if (header === undefined || header === '') return rejected('missing', `The ${name} header is missing`);
  if (!header.startsWith(prefix))
    return rejected('malformed', `The ${name} header does not start with ${prefix}`);
  const secretIndex = findMatchingToken(keys, header.slice(prefix.length).trim());
  return secretIndex >= 0 ? { valid: true, secretIndex } : rejected('mismatch', 'The API key does not match');
}

/** A configured id or event header, unless it is the key's own header (its value is the credential). */
function describingHeader(name: string | undefined, settings: SchemeSettings): string | undefined {
  return name === (settings.hmac?.header ?? defaultApiKeyHeader) ? undefined : name;
}

/**
 * The key authenticates the whole request, headers included: a configured id header is as trustworthy
 * as the body, so it deduplicates (`signedId`). The type is the configured event header, else the
 * body's top-level `type`. The key's header is never read as either, nor kept (it is no scheme's kept
 * header, and message.ts drops it even when configured as the id or event header).
 */
export const apiKey: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyApiKey,
  body: 'any',
  identify: (request, settings) => {
    const idHeader = describingHeader(settings.idHeader, settings);
    const eventHeader = describingHeader(settings.eventHeader, settings);
    return {
      signedId: idHeader === undefined ? undefined : headerId(request.headers, idHeader),
      eventType:
        eventHeader === undefined ? topLevelStrings(request, ['type']).type : request.headers[eventHeader],
    };
  },
  keptHeaders: [],
  defaultSignatureHeader: defaultApiKeyHeader,
};
