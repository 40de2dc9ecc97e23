import { decodeDigest, findSigningKey } from '../signature/hmac';
import { isWithinTolerance, parseUnixSeconds } from '../signature/timestamp';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';

/** Where a `v0` provider puts its signature and timestamp: lower-cased names, and as the provider spells them. */
export interface V0SignatureHeaders {
  readonly signature: string;
  readonly timestamp: string;
  readonly signatureLabel: string;
  readonly timestampLabel: string;
}

const prefix = 'v0=';

/**
 * The `v0` construction Slack and Zoom share: `<signature header>: v0=<hex HMAC-SHA256>` over
 * `"v0:<timestamp header>:<raw body>"`, the timestamp in unix seconds and within ±tolerance (300 s by
 * default; a timestamp in the future is refused too). Valid when any key produced it. No signature header
 * is `missing`; a signature that is not `v0=` + 64 hex digits, or a timestamp that is not unix seconds,
 * is `malformed`.
 */
export function verifyV0Signature(
  { request, keys, nowMs, toleranceSeconds }: VerificationInput,
  headers: V0SignatureHeaders,
): SignatureCheck {
  const header = request.headers[headers.signature];
  if (header === undefined || header === '')
    return rejected('missing', `The ${headers.signatureLabel} header is missing`);
  const digest = header.startsWith(prefix) ? decodeDigest(header.slice(prefix.length), 'hex') : undefined;
  if (digest === undefined)
    return rejected('malformed', `The ${headers.signatureLabel} header is not v0=<64 hex digits>`);
  const timestamp = request.headers[headers.timestamp];
  const seconds = parseUnixSeconds(timestamp);
  if (seconds === undefined)
    return rejected('malformed', `The ${headers.timestampLabel} header is not unix seconds`);
  if (!isWithinTolerance(seconds, nowMs, toleranceSeconds))
    return rejected('stale', 'The signature timestamp is outside the tolerance');
  const secretIndex = findSigningKey(keys, `v0:${timestamp}:`, request.rawBody, [digest]);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}
