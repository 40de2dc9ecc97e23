import { decodeDigest, findSigningKey } from '../signature/hmac';
import { isWithinTolerance, parseUnixSeconds } from '../signature/timestamp';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { bodyId, stringField, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`, signed over `"<ts>:<raw body>"`
 * with the notification destination's secret. During a secret rotation Paddle sends one `h1` per
 * secret: any may match (Paddle's Node SDK reads only the last one). Other entries are ignored. `ts`
 * must be within the tolerance, ±300 s by default like the other schemes (Paddle's SDK allows 5 s in
 * the past only): a replay inside the window is the same signed `event_id`, so it is deduplicated.
 */
export function verifyPaddleSignature({
  request,
  keys,
  nowMs,
  toleranceSeconds,
}: VerificationInput): SignatureCheck {
  const header = request.headers['paddle-signature'];
  if (header === undefined || header === '')
    return rejected('missing', 'The Paddle-Signature header is missing');
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  // Walks the `name=value` entries in place (no array of entries; only the values used are cut out).
  for (let start = 0; start < header.length;) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon < 0 ? header.length : semicolon;
    const equals = header.indexOf('=', start);
    if (equals >= 0 && equals < end) {
      const name = header.slice(start, equals).trim();
      if (name === 'ts') timestamp = header.slice(equals + 1, end).trim();
      else if (name === 'h1') {
        // An undecodable h1 cannot match: skipping it keeps the other h1 values usable.
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
      'The Paddle-Signature header needs ts=<unix seconds> and at least one h1=<64 hex digits>',
    );
  }
  if (!isWithinTolerance(seconds, nowMs, toleranceSeconds))
    return rejected('stale', 'The signature timestamp is outside the tolerance');
  const secretIndex = findSigningKey(keys, `${timestamp}:`, request.rawBody, signatures);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}

/**
 * Paddle signs the endpoint secret key (`pdl_ntfset_…`) as it is shown; the event's `event_id` and
 * `event_type` are in the signed body.
 */
export const paddle: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyPaddleSignature,
  body: 'json-object',
  identify: (_request, _settings, json) => ({
    signedId: bodyId(json?.event_id),
    eventType: stringField(json, 'event_type'),
  }),
  keptHeaders: [],
};
