import { BadRequestError } from '../../errors';
import { hmacSha256 } from '../signature/hmac';
import type { SignatureCheck } from '../signature/types';
import { bodyId, objectField, stringField, utf8Key } from './fields';
import type { HandshakeAnswer, HandshakeInput, SchemeVerification, WebhookScheme } from './scheme';
import { verifyV0Signature } from './v0-signature';

/**
 * Zoom: `x-zm-signature: v0=<hex>` over `"v0:<x-zm-request-timestamp>:<raw body>"` with the app's Secret
 * Token. Zoom publishes no replay window (its sample and SDK check none); we hold its timestamp to ±300 s
 * like every other timestamped scheme, so a captured request cannot be replayed later.
 */
export function verifyZoomSignature(input: SchemeVerification): SignatureCheck {
  return verifyV0Signature(input, {
    signature: 'x-zm-signature',
    timestamp: 'x-zm-request-timestamp',
    signatureLabel: 'x-zm-signature',
    timestampLabel: 'x-zm-request-timestamp',
  });
}

/** Zoom's plain tokens are short base64url text; anything else is refused, never HMACed. */
const plainTokenPattern = /^[A-Za-z0-9_\-+/=.~]{1,256}$/;

/**
 * `endpoint.url_validation` (`{"event":"endpoint.url_validation","payload":{"plainToken":…}}`), offered
 * only once the request is verified — the answer is an HMAC under the secret, which nobody without it may
 * obtain for a plaintext of their choice: 200 JSON `{"plainToken", "encryptedToken"}`, the token the hex
 * HMAC-SHA256 of `plainToken` under the secret that signed the request. That is the one Zoom holds and
 * checks the answer with: during a rotation it may still be the older one (else the first, the current).
 */
function answerZoomHandshake({ keys, secretIndex, json }: HandshakeInput): HandshakeAnswer | undefined {
  if (stringField(json, 'event') !== 'endpoint.url_validation') return undefined;
  const plainToken = stringField(objectField(json, 'payload'), 'plainToken');
  if (plainToken === undefined || !plainTokenPattern.test(plainToken))
    throw new BadRequestError(
      'An endpoint.url_validation needs a payload.plainToken of 1 to 256 token characters',
    );
  // Zoom's keys are always HMAC keys (utf8Key): a Buffer.
  const encryptedToken = hmacSha256(keys[secretIndex ?? 0] as Buffer, '', plainToken).toString('hex');
  return {
    statusCode: 200,
    contentType: 'application/json',
    body: JSON.stringify({ plainToken, encryptedToken }),
  };
}

/**
 * Zoom documents no delivery id, in a header or in the body: a delivery is deduplicated by its content
 * (a retry resends the same body). `x-zm-trackingid`, seen in Zoom's sample but neither documented nor
 * signed, is kept with the headers, and as the provider id when it is a usable id (an unusable one is
 * ignored, not refused: its format is Zoom's). The type is the body's `event` (`meeting.started`…).
 */
export const zoom: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyZoomSignature,
  body: 'json-object',
  identify: ({ headers }, _settings, json) => ({
    providerId: bodyId(headers['x-zm-trackingid']),
    eventType: stringField(json, 'event'),
  }),
  keptHeaders: ['x-zm-request-timestamp', 'x-zm-trackingid'],
  answerHandshake: answerZoomHandshake,
};
