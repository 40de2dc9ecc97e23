import { decodeDigest, findSigningKey } from './hmac';
import { isWithinTolerance, parseUnixSeconds } from './timestamp';
import { rejected, type SignatureCheck, type VerificationInput } from './types';

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
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const name = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1') {
      // An undecodable v1 cannot match: skipping it keeps the other v1 values usable.
      const digest = decodeDigest(value, 'hex');
      if (digest !== undefined) signatures.push(digest);
    }
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
  const secretIndex = findSigningKey(keys, [`${timestamp}.`, request.rawBody], signatures);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}
