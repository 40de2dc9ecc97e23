import type { DeliveryAnswer } from '../api-types';
import type { WebhookArchive } from '../../webhooks/archive';
import { credentialLike } from '../../webhooks/message';

/** The most of a payload the console shows: a browser renders more, but nobody reads it there. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** What stands in for a value whose name looks like a credential. */
export const REDACTED = '[redacted]';

export type PayloadView = NonNullable<DeliveryAnswer['payload']>;

/**
 * An archived body as the console shows it: JSON pretty-printed and form fields listed, each value whose key
 * looks like a credential (message.ts's `credentialLike`) replaced by `[redacted]`; other text as it is;
 * bytes that are not UTF-8 as base64. Cut at `limitBytes` (on a character boundary). The headers are the
 * archive's, which never held a signature, secret, cookie or credential.
 */
export function payloadView(archive: WebhookArchive, limitBytes = PAYLOAD_LIMIT_BYTES): PayloadView {
  const contentType = archive.headers['content-type'];
  const raw = archive.encoding === 'base64' ? Buffer.from(archive.body, 'base64') : undefined;
  const text = raw === undefined ? archive.body : utf8Of(raw);
  const common = { ...(contentType === undefined ? {} : { contentType }), headers: archive.headers };
  if (text === undefined) {
    const base64 = raw!.toString('base64');
    // Whole 4-character groups only, so the cut text still decodes.
    const cut = base64.length > limitBytes ? base64.slice(0, limitBytes - (limitBytes % 4)) : base64;
    return { ...common, text: cut, encoding: 'base64', truncated: cut.length < base64.length };
  }
  const shown = redactedText(text, contentType);
  const { text: cut, truncated } = cutUtf8(shown, limitBytes);
  return { ...common, text: cut, encoding: 'utf8', truncated };
}

/**
 * `text` with credential-like values hidden: a JSON document pretty-printed, a form body
 * (application/x-www-form-urlencoded, as Slack and Twilio send) field by field; anything else unchanged.
 */
export function redactedText(text: string, contentType: string | undefined): string {
  const json = parseJson(text);
  if (json !== undefined) return JSON.stringify(redactJson(json.value), null, 2);
  if (contentType !== undefined && /^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    const form = new URLSearchParams(text);
    const fields = [...form].map(([name, value]): [string, string] => [
      name,
      credentialLike.test(name) ? REDACTED : redactedEmbeddedJson(value),
    ]);
    return new URLSearchParams(fields).toString();
  }
  return text;
}

/**
 * A copy of `value` with the value of every key that looks like a credential replaced, at any depth, also
 * inside strings that hold a JSON document (an SNS envelope's `Message`).
 */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value === 'string') return redactedEmbeddedJson(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, credentialLike.test(key) ? REDACTED : redactJson(item)]),
  );
}

/**
 * A text value that holds a JSON object or array (GitHub's and Slack's form bodies carry theirs in a
 * `payload` field, with a `token` inside) with its credential-like values hidden; any other text as it is.
 */
function redactedEmbeddedJson(text: string): string {
  if (!/^\s*[[{]/.test(text)) return text;
  const json = parseJson(text);
  return json === undefined ? text : JSON.stringify(redactJson(json.value));
}

/** The longest prefix of `text` of at most `limitBytes` UTF-8 bytes that ends on a whole character. */
export function cutUtf8(text: string, limitBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limitBytes) return { text, truncated: false };
  let end = limitBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8Of(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
