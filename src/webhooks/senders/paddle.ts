import { createHash } from 'node:crypto';
import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/** Paddle Billing: `paddle-signature: ts=<unix s>;h1=<hex of "<ts>:<body>">`. */
export function signPaddle(
  secret: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  const signature = hmacSha256(Buffer.from(secret), `${timestampSeconds}:`, body).toString('hex');
  return { 'paddle-signature': `ts=${timestampSeconds};h1=${signature}` };
}

export const paddleSender: SchemeSender = {
  defaultEvent: 'customer.created',
  idPrefix: 'evt_',
  contentType: 'application/json',
  signsTimestamp: true,
  sampleBody: (event, id, nowSeconds) => {
    const occurredAt = new Date(nowSeconds * 1000).toISOString();
    // Paddle's ids are a prefix and 26 lower-case characters: derived from the event id, so distinct.
    const suffix = createHash('sha1').update(id).digest('hex').slice(0, 26);
    return Buffer.from(
      JSON.stringify({
        event_id: id,
        event_type: event,
        occurred_at: occurredAt,
        notification_id: `ntf_${suffix}`,
        data: {
          id: `ctm_${suffix}`,
          name: 'Sam Quickstart',
          email: 'sam@example.com',
          status: 'active',
          custom_data: null,
          locale: 'en',
          marketing_consent: false,
          import_meta: null,
          created_at: occurredAt,
          updated_at: occurredAt,
        },
      }),
    );
  },
  // Paddle's delivery id is the event's `event_id`, inside the body.
  sign: ({ secret, body, nowSeconds }) => ({ headers: signPaddle(secret, body, nowSeconds) }),
};
