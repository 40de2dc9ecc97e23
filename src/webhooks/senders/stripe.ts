import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/** Stripe: `stripe-signature: t=<unix s>,v1=<hex of "<t>.<body>">`. */
export function signStripe(
  secret: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  const signature = hmacSha256(Buffer.from(secret), `${timestampSeconds}.`, body).toString('hex');
  return { 'stripe-signature': `t=${timestampSeconds},v1=${signature}` };
}

export const stripeSender: SchemeSender = {
  defaultEvent: 'payment_intent.succeeded',
  idPrefix: 'evt_',
  contentType: 'application/json',
  signsTimestamp: true,
  sampleBody: (event, id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({
        id,
        object: 'event',
        type: event,
        created: nowSeconds,
        livemode: false,
        data: { object: { id: 'pi_quickstart', object: 'payment_intent', amount: 2000 } },
      }),
    ),
  // Stripe's delivery id is the event's `id`, inside the body.
  sign: ({ secret, body, nowSeconds }) => ({ headers: signStripe(secret, body, nowSeconds) }),
};
