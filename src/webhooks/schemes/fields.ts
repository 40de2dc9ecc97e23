import { BadRequestError } from '../../errors';
import { readTopLevelStrings } from '../json-fields';
import { minimumSigningKeyBytes } from '../signature/types';
import type { WebhookRequest } from '../signature/types';
import type { DecodedSigningKey } from './scheme';

/**
 * What the schemes share to read a delivery's id and type and to decode their secrets. Delivery ids end
 * up in S3 keys and idempotency keys: a conservative alphabet, bounded length.
 */
const deliveryIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** True for a string usable as a delivery id (`[A-Za-z0-9][A-Za-z0-9._:-]{0,127}`). */
export function isValidDeliveryId(id: string): boolean {
  return deliveryIdPattern.test(id);
}

/**
 * The delivery id in header `name`: undefined when absent or empty; BadRequestError (400) when present
 * but not a usable id (it would otherwise be silently replaced by a content id).
 */
export function headerId(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === '') return undefined;
  if (!deliveryIdPattern.test(value))
    throw new BadRequestError(`The ${name} header is not a usable delivery id`);
  return value;
}

/** A body's string member usable as a delivery id (an unusable one is ignored: the content id is used). */
export function bodyId(value: unknown): string | undefined {
  return typeof value === 'string' && deliveryIdPattern.test(value) ? value : undefined;
}

/** A string member of a parsed JSON object, or undefined. */
export function stringField(
  json: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  const value = json?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The nested JSON object at `name`, or undefined. */
export function objectField(
  json: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Readonly<Record<string, unknown>> | undefined {
  const value = json?.[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `text` parsed as JSON when it is a JSON object, else undefined (not JSON, or another JSON value). */
export function parseJsonObject(text: string): Readonly<Record<string, unknown>> | undefined {
  try {
    return objectField({ value: JSON.parse(text) as unknown }, 'value');
  } catch {
    return undefined;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A raw body parsed as a JSON object in UTF-8 (bytes that are not UTF-8 are not one), else undefined. */
export function jsonObjectBody(rawBody: string | Buffer): Readonly<Record<string, unknown>> | undefined {
  if (typeof rawBody === 'string') return parseJsonObject(rawBody);
  let text: string;
  try {
    text = strictUtf8.decode(rawBody);
  } catch {
    return undefined;
  }
  return parseJsonObject(text);
}

/** Top-level string members of a body not parsed yet (schemes whose body may be any bytes). */
export function topLevelStrings(request: WebhookRequest, names: readonly string[]): Record<string, string> {
  const text = typeof request.rawBody === 'string' ? request.rawBody : request.rawBody.toString('utf8');
  return readTopLevelStrings(text, names);
}

/**
 * The HMAC key (or shared token) a configured secret stands for: its UTF-8 bytes, refused when shorter
 * than `minimumSigningKeyBytes`.
 */
export function utf8Key(secret: string): DecodedSigningKey {
  const key = Buffer.from(secret, 'utf8');
  return key.length < minimumSigningKeyBytes
    ? { problem: `is shorter than ${minimumSigningKeyBytes} bytes once decoded` }
    : { key };
}
