import { createHash } from 'node:crypto';
import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/** Shopify: `x-shopify-hmac-sha256: <base64 HMAC-SHA256 of the body>` under the app's client secret. */
export function signShopify(secret: string, body: string | Buffer): Record<string, string> {
  return { 'x-shopify-hmac-sha256': hmacSha256(Buffer.from(secret), '', body).toString('base64') };
}

export const shopifySender: SchemeSender = {
  defaultEvent: 'orders/create',
  idPrefix: '',
  contentType: 'application/json',
  signsTimestamp: false,
  sampleBody: (_event, id, nowSeconds) => {
    // An order's id is numeric; derived from the delivery id so distinct deliveries have distinct bodies.
    const orderId = Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 12), 16);
    return Buffer.from(
      JSON.stringify({
        id: orderId,
        admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
        created_at: new Date(nowSeconds * 1000).toISOString(),
        currency: 'EUR',
        total_price: '20.00',
        line_items: [{ id: 1, title: 'Intake mug', quantity: 1, price: '20.00' }],
      }),
    );
  },
  // Shopify's delivery id and topic are headers, outside the signature.
  sign: ({ secret, body, id, event, nowSeconds }) => ({
    headers: {
      'x-shopify-topic': event,
      'x-shopify-webhook-id': id,
      'x-shopify-shop-domain': 'intake-quickstart.myshopify.com',
      'x-shopify-api-version': '2025-01',
      'x-shopify-triggered-at': new Date(nowSeconds * 1000).toISOString(),
      ...signShopify(secret, body),
    },
  }),
};
