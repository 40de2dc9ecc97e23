import { decodeDigest, findSigningKey } from '../signature/hmac';
import { isWithinTolerance, parseUnixSeconds } from '../signature/timestamp';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';

/**
 * The construction Stripe and Paddle share: one header of `name=value` entries holding a unix timestamp
 * and one or more hex HMAC-SHA256 signatures (one per secret during a rotation), signed over
 * `<timestamp><joiner><raw body>`. Entries of other names are ignored.
 */
export interface TimestampedHmacHeader {
  /** The header as providers write it (`Stripe-Signature`), for messages. */
  readonly label: string;
  /** The lower-cased header name. */
  readonly header: string;
  /** Between entries: `,` (Stripe), `;` (Paddle). */
  readonly entrySeparator: string;
  readonly timestampName: string;
  readonly signatureName: string;
  /** Between the timestamp and the body in what is signed: `.` (Stripe), `:` (Paddle). */
  readonly joiner: string;
}

/**
 * Valid when some key produced one of the signatures and the timestamp is within the tolerance (±300 s by
 * default: a replay and a "future" signature are both refused).
 */
export function verifyTimestampedHmac(
  format: TimestampedHmacHeader,
  { request, keys, nowMs, toleranceSeconds }: VerificationInput,
): SignatureCheck {
  const header = request.headers[format.header];
  if (header === undefined || header === '')
    return rejected('missing', `The ${format.label} header is missing`);
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  // Walks the `name=value` entries in place (no array of entries; only the values used are cut out),
  // in one pass: the next `=` is searched for once and reused until the walk passes it.
  let equals = -1;
  for (let start = 0; start < header.length;) {
    const separator = header.indexOf(format.entrySeparator, start);
    const end = separator < 0 ? header.length : separator;
    if (equals < start) equals = header.indexOf('=', start);
    if (equals < 0) break;
    if (equals < end) {
      const name = header.slice(start, equals).trim();
      if (name === format.timestampName) timestamp = header.slice(equals + 1, end).trim();
      else if (name === format.signatureName) {
        // An undecodable signature cannot match: skipping it keeps the others usable.
        const digest = decodeDigest(header.slice(equals + 1, end).trim(), 'hex');
        if (digest !== undefined) signatures.push(digest);
      }
    }
    start = end + 1;
  }
  const seconds = parseUnixSeconds(timestamp);
  if (seconds === undefined || signatures.length === 0) {
    return rejected(
      'malformed',
      `The ${format.label} header needs ${format.timestampName}=<unix seconds> and at least one ${format.signatureName}=<64 hex digits>`,
    );
  }
  if (!isWithinTolerance(seconds, nowMs, toleranceSeconds))
    return rejected('stale', 'The signature timestamp is outside the tolerance');
  const secretIndex = findSigningKey(keys, `${timestamp}${format.joiner}`, request.rawBody, signatures);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}
