import { decodeStandardWebhookSecret } from '../schemes/standard';
import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` with a `whsec_` secret. */
export function signStandard(
  secret: string,
  id: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  const key = decodeStandardWebhookSecret(secret);
  if (key === undefined) throw new Error('A Standard Webhooks secret is whsec_<base64>');
  const signature = hmacSha256(key, `${id}.${timestampSeconds}.`, body).toString('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

export const standardSender: SchemeSender = {
  defaultEvent: 'invoice.paid',
  idPrefix: 'msg_',
  contentType: 'application/json',
  signsTimestamp: true,
  sampleBody: (event, _id, nowSeconds) =>
    Buffer.from(
      JSON.stringify({
        type: event,
        timestamp: new Date(nowSeconds * 1000).toISOString(),
        data: { hello: 'intake' },
      }),
    ),
  sign: ({ secret, id, body, nowSeconds }) => ({ headers: signStandard(secret, id, body, nowSeconds) }),
};
