import { createPublicKey, sign } from 'node:crypto';
import {
  decodeStandardEd25519Key,
  decodeStandardWebhookSecret,
  endpointVerificationResponse,
} from '../schemes/standard';
import { ed25519PrivateKey, rawEd25519PublicKey } from '../signature/ed25519';
import { hmacSha256 } from '../signature/hmac';
import type { SchemeSender } from './sender';

/**
 * The `webhook-signature` entry of `secret` over `"<id>.<timestamp>.<body>"`: `v1,<base64 HMAC-SHA256>`
 * for a `whsec_` secret, `v1a,<base64 ed25519>` for a `whsk_` signing key (the provider's side only).
 */
function signatureEntry(secret: string, id: string, body: string | Buffer, timestampSeconds: number): string {
  const prefix = `${id}.${timestampSeconds}.`;
  if (secret.startsWith('whpk_'))
    throw new Error('A whpk_ public key verifies only: a Standard Webhooks sender signs with its whsk_ key');
  if (secret.startsWith('whsk_')) {
    const seed = decodeStandardEd25519Key(secret, 'whsk_');
    if (seed === undefined) throw new Error('A Standard Webhooks signing key is whsk_<base64 ed25519 seed>');
    const signed = Buffer.concat([Buffer.from(prefix), Buffer.from(body)]);
    return `v1a,${sign(null, signed, ed25519PrivateKey(seed)).toString('base64')}`;
  }
  const key = decodeStandardWebhookSecret(secret);
  if (key === undefined) throw new Error('A Standard Webhooks secret is whsec_<base64>');
  return `v1,${hmacSha256(key, prefix, body).toString('base64')}`;
}

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` with one entry per secret
 * (`whsec_` → `v1`, `whsk_` → `v1a`), space-separated, as a provider signs during a rotation.
 */
export function signStandard(
  secret: string | readonly string[],
  id: string,
  body: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((each) => signatureEntry(each, id, body, timestampSeconds)).join(' '),
  };
}

/** The `whpk_` public key a receiver configures for a `whsk_` signing key. */
export function standardPublicKey(signingKey: string): string {
  const seed = decodeStandardEd25519Key(signingKey, 'whsk_');
  if (seed === undefined) throw new Error('A Standard Webhooks signing key is whsk_<base64 ed25519 seed>');
  return `whpk_${rawEd25519PublicKey(createPublicKey(ed25519PrivateKey(seed))).toString('base64')}`;
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
  /**
   * Endpoint verification (`standardwebhooks` 1.3.0): a signed POST with `webhook-challenge`, answered
   * 2xx with `webhook-challenge-response` computed with the `whsec_` secret (a `whsk_` key has no
   * shared secret to answer with).
   */
  handshake: ({ secret, challenge, nowSeconds }) => {
    const key = decodeStandardWebhookSecret(secret);
    if (key === undefined) throw new Error('Standard Webhooks endpoint verification needs a whsec_ secret');
    const body = Buffer.from('{}');
    const expected = endpointVerificationResponse(key, challenge);
    return {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-challenge': challenge,
        ...signStandard(secret, `msg_verify_${nowSeconds}`, body, nowSeconds),
      },
      body,
      check: (statusCode, _body, headers) => {
        if (statusCode < 200 || statusCode > 299) return `expected a 2xx answer, got ${statusCode}`;
        const answer = headers?.['webhook-challenge-response'];
        return answer === expected
          ? undefined
          : `expected webhook-challenge-response ${expected}, got ${answer}`;
      },
    };
  },
};
