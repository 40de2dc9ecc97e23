import { decodeDigest, findSigningKey } from '../signature/hmac';
import { isWithinTolerance, parseUnixSeconds } from '../signature/timestamp';
import {
  minimumSigningKeyBytes,
  rejected,
  type SignatureCheck,
  type VerificationInput,
  type WebhookRequest,
} from '../signature/types';
import { headerId, stringField } from './fields';
import type { DecodedSigningKey, WebhookScheme } from './scheme';

/**
 * The scheme's headers, each also under Svix's `svix-` name (Svix is the spec's origin). Written out
 * rather than built per request: a name assembled at run time is a new string that every lookup must
 * hash again.
 */
const headerNames = {
  id: ['webhook-id', 'svix-id'],
  timestamp: ['webhook-timestamp', 'svix-timestamp'],
  signature: ['webhook-signature', 'svix-signature'],
} as const;

function standardHeader(request: WebhookRequest, name: keyof typeof headerNames): string | undefined {
  const [standard, svix] = headerNames[name];
  return request.headers[standard] ?? request.headers[svix];
}

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix s), `webhook-signature` (space-separated
 * `v1,<base64>` entries; other versions such as the asymmetric `v1a` are ignored), signed over
 * `"<id>.<timestamp>.<raw body>"` with the base64-decoded `whsec_` secret, timestamp ±300 s.
 */
export function verifyStandardWebhookSignature({
  request,
  keys,
  nowMs,
  toleranceSeconds,
}: VerificationInput): SignatureCheck {
  const header = standardHeader(request, 'signature');
  if (header === undefined || header === '')
    return rejected('missing', 'The webhook-signature header is missing');
  const id = standardHeader(request, 'id');
  const timestamp = standardHeader(request, 'timestamp');
  const seconds = parseUnixSeconds(timestamp);
  if (id === undefined || id === '' || seconds === undefined) {
    return rejected('malformed', 'The webhook-id and webhook-timestamp (unix seconds) headers are required');
  }
  const signatures: Uint8Array[] = [];
  // Walks the space-separated entries in place: no array of entries, only the v1 values are cut out.
  for (let start = 0; start < header.length;) {
    const space = header.indexOf(' ', start);
    const end = space < 0 ? header.length : space;
    if (header.startsWith('v1,', start)) {
      const digest = decodeDigest(header.slice(start + 3, end), 'base64');
      if (digest !== undefined) signatures.push(digest);
    }
    start = end + 1;
  }
  if (signatures.length === 0)
    return rejected('malformed', 'The webhook-signature header has no v1,<base64> entry');
  if (!isWithinTolerance(seconds, nowMs, toleranceSeconds))
    return rejected('stale', 'The signature timestamp is outside the tolerance');
  const secretIndex = findSigningKey(keys, `${id}.${timestamp}.`, request.rawBody, signatures);
  return secretIndex >= 0
    ? { valid: true, secretIndex }
    : rejected('mismatch', 'The signature does not match');
}

const secretPrefix = 'whsec_';
const base64Text = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional),
 * decoded strictly. Undefined when that is not canonical base64: Node's decoder silently skips what it
 * cannot read, so `whsec_` followed by any text would otherwise give a short or empty key.
 */
export function decodeStandardWebhookSecret(secret: string): Buffer | undefined {
  const text = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  if (!base64Text.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  const unpadded = (value: string) => value.replace(/=+$/, '');
  return unpadded(key.toString('base64')) === unpadded(text) ? key : undefined;
}

/** The HMAC key of a `whsec_<base64>` secret, or why it is not one. */
function decodeStandardKey(secret: string): DecodedSigningKey {
  const key = decodeStandardWebhookSecret(secret);
  if (key === undefined) return { problem: 'is not whsec_<base64>' };
  if (key.length < minimumSigningKeyBytes)
    return { problem: `is shorter than ${minimumSigningKeyBytes} bytes once decoded` };
  return { key };
}

/** `webhook-id` is signed with the body: it deduplicates as it is. The type is the body's `type`. */
export const standard: WebhookScheme = {
  decodeKey: decodeStandardKey,
  verify: verifyStandardWebhookSignature,
  body: 'json-object',
  identify: ({ headers }, _settings, json) => ({
    signedId: headerId(headers, 'webhook-id') ?? headerId(headers, 'svix-id'),
    eventType: stringField(json, 'type'),
  }),
  keptHeaders: ['webhook-id', 'webhook-timestamp', 'svix-id', 'svix-timestamp'],
};
