import { decodeDigest, findSigningKey } from '../signature/hmac';
import { isWithinTolerance, parseUnixSeconds } from '../signature/timestamp';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { bodyId, stringField, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]` (other schemes such as v0 are ignored),
 * signed over `"<t>.<raw body>"`. Valid when some key produced one of the v1 signatures and `t` is
 * within the tolerance (±300 s by default; Stripe itself only refuses old ones, we also refuse the future).
 */
export function verifyStripeSignature({
  request,
  keys,
  nowMs,
  toleranceSeconds,
}: VerificationInput): SignatureCheck {
  const header = request.headers['stripe-signature'];
  if (header === undefined || header === '')
    return rejected('missing', 'The Stripe-Signature header is missing');
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  // Walks the `name=value` entries in place (no array of entries; only the values used are cut out),
  // in one pass: the next `=` is searched for once and reused until the walk passes it.
  let equals = -1;
  for (let start = 0; start < header.length;) {
    const comma = header.indexOf(',', start);
    const end = comma < 0 ? header.length : comma;
    if (equals < start) equals = header.indexOf('=', start);
    if (equals < 0) break;
    if (equals < end) {
      const name = header.slice(start, equals).trim();
      if (name === 't') timestamp = header.slice(equals + 1, end).trim();
      else if (name === 'v1') {
        // An undecodable v1 cannot match: skipping it keeps the other v1 values usable.
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
      'The Stripe-Signature header needs t=<unix seconds> and at least one v1=<64 hex digits>',
    );
  }
  if (!isWithinTolerance(seconds, nowMs, toleranceSeconds))
    return rejected('stale', 'The signature timestamp is outside the tolerance');
  const secretIndex = findSigningKey(keys, `${timestamp}.`, request.rawBody, signatures);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}

/** Stripe signs the whole `whsec_…` text as the key; the event's `id` and `type` are in the signed body. */
export const stripe: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyStripeSignature,
  body: 'json-object',
  identify: (_request, _settings, json) => ({
    signedId: bodyId(json?.id),
    eventType: stringField(json, 'type'),
  }),
  keptHeaders: [],
};
