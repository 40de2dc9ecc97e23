import { decodeDigest, findSigningKey } from '../signature/hmac';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { headerId, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the raw body>` under the app's client secret
 * (or the store's webhook key for admin-created webhooks). Shopify's newer Events deliveries send the same
 * headers unprefixed (`shopify-hmac-sha256`, …): both are read. No timestamp is signed, so there is no
 * replay window. A missing header is `missing`; one that is not 44 characters of base64 is `malformed`.
 */
export function verifyShopifySignature({ request, keys }: VerificationInput): SignatureCheck {
  const { headers } = request;
  const header = headers['x-shopify-hmac-sha256'] ?? headers['shopify-hmac-sha256'];
  if (header === undefined || header === '')
    return rejected('missing', 'The X-Shopify-Hmac-Sha256 header is missing');
  const digest = decodeDigest(header, 'base64');
  if (digest === undefined)
    return rejected('malformed', 'The X-Shopify-Hmac-Sha256 header is not a base64 HMAC-SHA256');
  const secretIndex = findSigningKey(keys, '', request.rawBody, [digest]);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}

/**
 * Shopify signs only the body: `X-Shopify-Webhook-Id` (Shopify's duplicate-detection id, the same on
 * every retry) is kept for tracing and the delivery deduplicated by its content, which Shopify resends
 * unchanged. The type is `X-Shopify-Topic` (`orders/create`), unsigned like GitHub's event header.
 */
export const shopify: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyShopifySignature,
  body: 'json-object',
  identify: ({ headers }) => ({
    providerId: headerId(headers, 'x-shopify-webhook-id') ?? headerId(headers, 'shopify-webhook-id'),
    eventType: headers['x-shopify-topic'] ?? headers['shopify-topic'],
  }),
  keptHeaders: [
    'x-shopify-topic',
    'x-shopify-webhook-id',
    'x-shopify-shop-domain',
    'x-shopify-api-version',
    'x-shopify-triggered-at',
    'x-shopify-event-id',
    'shopify-topic',
    'shopify-webhook-id',
    'shopify-event-id',
    'shopify-shop-domain',
    'shopify-api-version',
    'shopify-triggered-at',
  ],
};
