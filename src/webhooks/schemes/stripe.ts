import type { SignatureCheck, VerificationInput } from '../signature/types';
import { bodyId, stringField, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';
import { verifyTimestampedHmac, type TimestampedHmacHeader } from './timestamped-hmac';

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]` (other schemes such as v0 are ignored),
 * signed over `"<t>.<raw body>"`. Valid when some key produced one of the v1 signatures and `t` is
 * within the tolerance (±300 s by default; Stripe itself only refuses old ones, we also refuse the future).
 */
export function verifyStripeSignature(input: VerificationInput): SignatureCheck {
  return verifyTimestampedHmac(stripeHeader, input);
}

const stripeHeader: TimestampedHmacHeader = {
  label: 'Stripe-Signature',
  header: 'stripe-signature',
  entrySeparator: ',',
  timestampName: 't',
  signatureName: 'v1',
  joiner: '.',
};

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
