import type { SignatureCheck, VerificationInput } from '../signature/types';
import { bodyId, stringField, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';
import { verifyTimestampedHmac, type TimestampedHmacHeader } from './timestamped-hmac';

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`, signed over `"<ts>:<raw body>"`
 * with the notification destination's secret. During a secret rotation Paddle sends one `h1` per
 * secret: any may match (Paddle's Node SDK reads only the last one). Other entries are ignored. `ts`
 * must be within the tolerance, ±300 s by default like the other schemes (Paddle's SDK allows 5 s in
 * the past only): a replay inside the window is the same signed `event_id`, so it is deduplicated.
 */
export function verifyPaddleSignature(input: VerificationInput): SignatureCheck {
  return verifyTimestampedHmac(paddleHeader, input);
}

const paddleHeader: TimestampedHmacHeader = {
  label: 'Paddle-Signature',
  header: 'paddle-signature',
  entrySeparator: ';',
  timestampName: 'ts',
  signatureName: 'h1',
  joiner: ':',
};

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
