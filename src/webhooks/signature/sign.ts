import { hmacSha256 } from './hmac';
import { decodeStandardWebhookSecret } from './standard-webhooks';
import type { HmacSchemeOptions } from './types';

/**
 * Signers: the sending side of each scheme, as the providers compute it. Used to build signed fixtures,
 * by the reliability and fuzz runs and the benchmarks, and by anyone testing a deployed receiver.
 * Each returns the headers to send with `body` (UTF-8 text or raw bytes).
 */

/** GitHub: `x-hub-signature-256: sha256=<hex>`. */
export function signGithub(secret: string, body: string | Buffer): Record<string, string> {
  return { 'x-hub-signature-256': `sha256=${hmacSha256(Buffer.from(secret), '', body).toString('hex')}` };
}

/** Stripe: `stripe-signature: t=<unix s>,v1=<hex of "<t>.<body>">`. */
export function signStripe(
  secret: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  const signature = hmacSha256(Buffer.from(secret), `${timestampSeconds}.`, body).toString('hex');
  return { 'stripe-signature': `t=${timestampSeconds},v1=${signature}` };
}

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

/** Generic HMAC-SHA256 of the body in `options.header`, hex or base64, after `options.prefix`. */
export function signGenericHmac(
  secret: string,
  body: string | Buffer,
  options: HmacSchemeOptions,
): Record<string, string> {
  return {
    [options.header]: `${options.prefix}${hmacSha256(Buffer.from(secret), '', body).toString(options.encoding)}`,
  };
}
