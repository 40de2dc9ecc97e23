import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { base64ValueAt, decodeDigest } from '../signature/hmac';
import { rejected, type SignatureCheck, type WebhookRequest } from '../signature/types';
import { bodyId, topLevelStrings, utf8Key } from './fields';
import type { ProviderIdentity, SchemeVerification, WebhookScheme } from './scheme';

/**
 * Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1, under the account's Auth Token, of the URL Twilio
 * requested (the source's configured public URL, plus `?` and the raw query string when there is one)
 * followed by, for a form post, each parameter's name and value in name order.
 *
 * - A JSON body (Event Streams and other JSON webhooks) is signed through the query instead: Twilio
 *   adds `bodySHA256=<hex SHA-256 of the body>` to it and signs the URL alone; the body must hash to it.
 * - Repeated form parameters are taken as twilio-node takes them: each distinct value once, values in
 *   order, each as name + value.
 * - As twilio-node's `validateRequest` does, the URL is tried as configured and with its port changed —
 *   without any port, or with the scheme's default port (`:443`/`:80`) when it has none — since Twilio
 *   signs the URL exactly as it was given it.
 * - No timestamp is signed: Twilio gives no replay window.
 * - Only the Auth Token's HMAC-SHA1 is taken, not the HMAC-SHA256 of SharedKey webhooks
 *   (`X-Twilio-Webhooks-Signature-Settings`).
 */
export function verifyTwilioSignature({ request, keys, publicUrl }: SchemeVerification): SignatureCheck {
  if (publicUrl === undefined) throw new Error('The twilio scheme needs the public URL of the source');
  const header = request.headers['x-twilio-signature'];
  if (header === undefined || header === '')
    return rejected('missing', 'The X-Twilio-Signature header is missing');
  const signature = decodeSha1Signature(header);
  if (signature === undefined)
    return rejected('malformed', 'The X-Twilio-Signature header is not the base64 of an HMAC-SHA1');
  const query = request.rawQueryString ?? '';
  const bodyHash = queryValue(query, 'bodySHA256');
  let parameters = '';
  if (bodyHash !== undefined) {
    const digest = decodeDigest(bodyHash, 'hex');
    if (digest === undefined)
      return rejected('malformed', 'The bodySHA256 query parameter is not 64 hex digits');
    if (!timingSafeEqual(createHash('sha256').update(request.rawBody).digest(), digest))
      return rejected('mismatch', 'The body does not match its bodySHA256');
  } else {
    const form = signedFormParameters(request);
    if (form === undefined)
      return rejected('malformed', `A Twilio form body has at most ${maxFormParameters} parameters`);
    parameters = form;
  }
  // The URL as configured is tried first (one HMAC per key), with its port changed only when it fails.
  const url = query === '' ? publicUrl : `${publicUrl}?${query}`;
  for (let index = 0; index < keys.length; index++) {
    // decodeKey makes every twilio key a Buffer (never a public key).
    const key = keys[index] as Buffer;
    if (
      isSignedBy(key, url, parameters, signature) ||
      isSignedBy(
        key,
        query === '' ? withOtherPort(publicUrl) : `${withOtherPort(publicUrl)}?${query}`,
        parameters,
        signature,
      )
    )
      return { valid: true, secretIndex: index };
  }
  return rejected('mismatch', 'The signature does not match');
}

/** True when `signature` is the HMAC-SHA1 under `key` of `url` followed by the form's `parameters`. */
function isSignedBy(key: Buffer, url: string, parameters: string, signature: Uint8Array): boolean {
  const hmac = createHmac('sha1', key).update(url);
  if (parameters !== '') hmac.update(parameters);
  return timingSafeEqual(hmac.digest(), signature);
}

const sha1Bytes = 20;

/**
 * A 20-byte digest in canonical base64 (27 characters, the last one's 2 spare bits zero, then `=`),
 * else undefined. Written out, as signature/hmac.ts does for SHA-256 digests: Node's decoder skips what
 * it cannot read, and a round trip through it costs a tenth of the HMAC.
 */
function decodeSha1Signature(text: string): Uint8Array | undefined {
  if (text.length !== 28 || text.charCodeAt(27) !== 0x3d /* = */) return undefined;
  const digest = new Uint8Array(sha1Bytes);
  let byte = 0;
  for (let index = 0; index < 24; index += 4) {
    const bits =
      (base64ValueAt(text, index) << 18) |
      (base64ValueAt(text, index + 1) << 12) |
      (base64ValueAt(text, index + 2) << 6) |
      base64ValueAt(text, index + 3);
    if (bits < 0) return undefined;
    digest[byte++] = bits >> 16;
    digest[byte++] = (bits >> 8) & 0xff;
    digest[byte++] = bits & 0xff;
  }
  const bits = (base64ValueAt(text, 24) << 12) | (base64ValueAt(text, 25) << 6) | base64ValueAt(text, 26);
  if (bits < 0 || (bits & 0b11) !== 0) return undefined;
  digest[18] = bits >> 10;
  digest[19] = (bits >> 2) & 0xff;
  return digest;
}

/**
 * The URL with its port changed the way twilio-node tries it: a URL with a port loses it, one without
 * gains its scheme's default port (`https` 443, else 80). The configured URL has no query, credentials
 * or fragment (sources.ts checks it).
 */
export function withOtherPort(url: string): string {
  const authorityStart = url.indexOf('//') + 2;
  const slash = url.indexOf('/', authorityStart);
  const authorityEnd = slash < 0 ? url.length : slash;
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const bracket = url.lastIndexOf(']', authorityEnd);
  const colon = url.indexOf(':', bracket < authorityStart ? authorityStart : bracket);
  if (colon >= 0 && colon < authorityEnd) return url.slice(0, colon) + url.slice(authorityEnd);
  const port = url.slice(0, 6).toLowerCase() === 'https:' ? ':443' : ':80';
  return url.slice(0, authorityEnd) + port + url.slice(authorityEnd);
}

/** The raw (undecoded) value of the first `name=` parameter of a query string, found in place. */
function queryValue(query: string, name: string): string | undefined {
  for (let start = 0; start < query.length;) {
    const ampersand = query.indexOf('&', start);
    const end = ampersand < 0 ? query.length : ampersand;
    if (query.startsWith(name, start) && query.charCodeAt(start + name.length) === 0x3d /* = */)
      return query.slice(start + name.length + 1, end);
    start = end + 1;
  }
  return undefined;
}

/** Twilio's callbacks carry a few dozen parameters; a form with more is refused before it is parsed. */
export const maxFormParameters = 1000;

/**
 * The body's form parameters as Twilio signs them (WHATWG `application/x-www-form-urlencoded` parsing):
 * each name in code-unit order, then each of its distinct values in order, as name + value. Undefined
 * when the form has more than `maxFormParameters` parameters.
 */
export function signedFormParameters(request: WebhookRequest): string | undefined {
  const form = formParameters(request);
  if (form === undefined) return undefined;
  const values = new Map<string, string[]>();
  for (const [name, value] of form) {
    const known = values.get(name);
    if (known === undefined) values.set(name, [value]);
    else known.push(value);
  }
  let signed = '';
  for (const name of [...values.keys()].sort()) {
    const named = values.get(name)!;
    for (const value of named.length === 1 ? named : [...new Set(named)].sort()) signed += name + value;
  }
  return signed;
}

function formParameters(request: WebhookRequest): URLSearchParams | undefined {
  const text = typeof request.rawBody === 'string' ? request.rawBody : request.rawBody.toString('utf8');
  let separators = 0;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1))
    if (++separators >= maxFormParameters) return undefined;
  return new URLSearchParams(text);
}

/** The form parameters that name what a callback reports, most specific first, and the type's prefix. */
const formTypeFields = [
  ['EventType', ''],
  ['MessageStatus', 'message.'],
  ['SmsStatus', 'message.'],
  ['CallStatus', 'call.'],
] as const;

/**
 * A form post's type: `EventType` as sent (TaskRouter, Conversations…), else `message.<MessageStatus
 * or SmsStatus>` or `call.<CallStatus>`. A JSON body's type is its `type` (Event Streams' CloudEvents).
 */
function twilioEventType(request: WebhookRequest, isJson: boolean): string | undefined {
  if (isJson) return topLevelStrings(request, ['type']).type;
  const form = formParameters(request);
  for (const [name, prefix] of formTypeFields) {
    const value = form?.get(name);
    if (value) return prefix + value;
  }
  return undefined;
}

/**
 * A form post's signature covers the parameters, not the body's bytes: the same parameters reordered or
 * encoded otherwise carry the same signature, so a form post is deduplicated by what was signed (the
 * URL, the same for every delivery of the source, left out). A JSON body is covered byte for byte by
 * its bodySHA256: it is deduplicated by its content. `I-Twilio-Idempotency-Token` (the same on Twilio's
 * retries) is not signed: it is kept for tracing.
 */
function identifyTwilio(request: WebhookRequest): ProviderIdentity {
  const query = request.rawQueryString ?? '';
  const isJson = queryValue(query, 'bodySHA256') !== undefined;
  const parameters = isJson ? undefined : signedFormParameters(request);
  const signedId =
    parameters === undefined
      ? undefined
      : createHash('sha256')
          .update(query === '' ? '' : `?${query}`)
          .update(parameters)
          .digest('hex');
  return {
    signedId,
    providerId: bodyId(request.headers['i-twilio-idempotency-token']),
    eventType: twilioEventType(request, isJson),
  };
}

/** The Auth Token (32 hex characters) is the HMAC key as it is written. */
export const twilio: WebhookScheme = {
  decodeKey: utf8Key,
  verify: verifyTwilioSignature,
  body: 'any',
  identify: identifyTwilio,
  keptHeaders: ['i-twilio-idempotency-token'],
  requires: ['publicUrl'],
};
