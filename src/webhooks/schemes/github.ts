import { decodeDigest, findSigningKey } from '../signature/hmac';
import { rejected, type SignatureCheck, type VerificationInput } from '../signature/types';
import { headerId, utf8Key } from './fields';
import type { WebhookScheme } from './scheme';

const prefix = 'sha256=';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. Valid when any key produced
 * it. A missing header is `missing`; one without the `sha256=` + 64 hex digits shape is `malformed`.
 */
export function verifyGithubSignature({ request, keys }: VerificationInput): SignatureCheck {
  const header = request.headers['x-hub-signature-256'];
  if (header === undefined || header === '')
    return rejected('missing', 'The X-Hub-Signature-256 header is missing');
  const digest = header.startsWith(prefix) ? decodeDigest(header.slice(prefix.length), 'hex') : undefined;
  if (digest === undefined)
    return rejected('malformed', 'The X-Hub-Signature-256 header is not sha256=<64 hex digits>');
  const secretIndex = findSigningKey(keys, '', request.rawBody, [digest]);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}

/**
 * GitHub signs only the body, not `X-GitHub-Delivery`: that id is kept for tracing and the delivery is
 * deduplicated by its content. The type is `X-GitHub-Event` (unsigned: the worker routes by the first
 * accepted copy's type).
 */
export const github: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyGithubSignature,
  body: 'json-object',
  identify: ({ headers }) => ({
    providerId: headerId(headers, 'x-github-delivery'),
    eventType: headers['x-github-event'],
  }),
  keptHeaders: [
    'x-github-event',
    'x-github-delivery',
    'x-github-hook-id',
    'x-github-hook-installation-target-id',
    'x-github-hook-installation-target-type',
  ],
};
