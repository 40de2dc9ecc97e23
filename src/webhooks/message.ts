import * as z from 'zod/mini';
import { BadRequestError } from '../errors';
import type { DeliveryIdentity } from './delivery';
import { schemes } from './schemes';
import type { WebhookSource } from './sources';

/**
 * The metadata line of a queued webhook. The queue message is this JSON on its first line, then the
 * body exactly as received (UTF-8 text, or the base64 text API Gateway gave for binary bodies) — the body
 * is never re-encoded inside JSON, which would cost more than verifying it. When the whole would exceed
 * the queue's limit the body is stored in S3 first and `claim` names the object (claim check).
 */
export interface WebhookMessageMeta {
  readonly v: 1;
  readonly source: string;
  readonly type: string;
  /** The id deliveries are deduplicated by (see identifyDelivery). */
  readonly id: string;
  /** The provider's own delivery id when it is not `id` (it is outside the signature): for tracing only. */
  readonly providerId?: string;
  /** ISO-8601 time the receiver accepted the delivery. */
  readonly receivedAt: string;
  /** How the body text encodes the raw bytes. */
  readonly encoding: 'utf8' | 'base64';
  /** The headers worth keeping (never signatures, secrets, cookies or credentials). */
  readonly headers: Readonly<Record<string, string>>;
  readonly claim?: { readonly key: string; readonly bytes: number };
  /** Set by `npm run replay`: the run's id, so an archived delivery is processed again once per replay. */
  readonly replay?: string;
  /**
   * This receipt's id (each accepted POST, each replayed copy): its delivery history record. Absent in
   * messages queued before it was kept; the worker then uses the SQS message id.
   */
  readonly receipt?: string;
}

/** A queued webhook: metadata plus the body text (empty when claimed to S3). */
export interface WebhookMessage {
  readonly meta: WebhookMessageMeta;
  readonly body: string;
}

/** Headers kept with every delivery, besides its scheme's `keptHeaders`: they authenticate nothing. */
const commonKeptHeaders = ['content-type', 'content-encoding', 'user-agent'] as const;

/**
 * Names (of headers, JSON keys, form fields) that look like they hold a credential. Defence in depth: a
 * configured id/event header that looks like one is still dropped, and the console hides such values.
 */
export const credentialLike =
  /signature|secret|token|authori[sz]ation|cookie|credential|(api|access|private)[-_]?key|passw(or)?d/i;

/** The headers of `headers` (lower-cased names) that are safe to queue and archive. */
export function safeHeaders(
  source: WebhookSource,
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of [...commonKeptHeaders, ...schemes[source.scheme].keptHeaders]) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  for (const name of [source.idHeader, source.eventHeader]) {
    if (name === undefined || credentialLike.test(name) || name === source.hmac?.header) continue;
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

export interface ReceivedDelivery {
  readonly source: WebhookSource;
  readonly identity: DeliveryIdentity;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as API Gateway delivered it (base64 text when `isBase64Encoded`). */
  readonly body: string;
  readonly isBase64Encoded: boolean;
  readonly receivedAtMs: number;
}

/** Builds the queue message of a verified delivery (no I/O). */
export function buildWebhookMessage(delivery: ReceivedDelivery): WebhookMessage {
  return {
    meta: {
      v: 1,
      source: delivery.source.name,
      type: delivery.identity.eventType,
      id: delivery.identity.deliveryId,
      ...(delivery.identity.providerId === undefined ? {} : { providerId: delivery.identity.providerId }),
      receivedAt: new Date(delivery.receivedAtMs).toISOString(),
      encoding: delivery.isBase64Encoded ? 'base64' : 'utf8',
      headers: safeHeaders(delivery.source, delivery.headers),
    },
    body: delivery.body,
  };
}

/** The queue message text: metadata JSON, a newline, the body text. */
export function serialiseWebhookMessage(message: WebhookMessage): string {
  return `${JSON.stringify(message.meta)}\n${message.body}`;
}

/**
 * True when `text` is at most `limit` UTF-8 bytes (the size SQS counts). Counts exactly only when the
 * cheap bound (≤ 3 bytes per UTF-16 unit) cannot decide: the receiver's hot path never scans the body.
 */
export function fitsInBytes(text: string, limit: number): boolean {
  return text.length * 3 <= limit || (text.length <= limit && Buffer.byteLength(text, 'utf8') <= limit);
}

const metaSchema = z.object({
  v: z.literal(1),
  source: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  type: z.string().check(z.minLength(1)),
  id: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)),
  providerId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/))),
  receivedAt: z.string().check(z.minLength(1)),
  encoding: z.enum(['utf8', 'base64']),
  headers: z.record(z.string(), z.string()),
  claim: z.optional(z.object({ key: z.string().check(z.minLength(1)), bytes: z.number() })),
  replay: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/))),
  receipt: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/))),
});

/**
 * Parses a queue message text back into metadata and body. Throws BadRequestError (not retryable) when
 * it is not a webhook message: such a message is poison and ends in the DLQ.
 */
export function parseWebhookMessage(text: string): WebhookMessage {
  const newline = text.indexOf('\n');
  const metaText = newline < 0 ? text : text.slice(0, newline);
  let json: unknown;
  try {
    json = JSON.parse(metaText);
  } catch {
    throw new BadRequestError('The queue message does not start with a JSON metadata line');
  }
  const parsed = z.safeParse(metaSchema, json);
  if (!parsed.success) throw new BadRequestError('The queue message metadata is not a webhook delivery');
  return { meta: parsed.data as WebhookMessageMeta, body: newline < 0 ? '' : text.slice(newline + 1) };
}

/** The raw body bytes a message stands for. */
export function rawBodyOf(meta: Pick<WebhookMessageMeta, 'encoding'>, body: string): Buffer {
  return Buffer.from(body, meta.encoding === 'base64' ? 'base64' : 'utf8');
}
