import type { WebhookMessageMeta } from './message';

/**
 * What a downstream function receives (async invoke) for each routed delivery. The body is the raw text
 * (`encoding` utf8) or base64; when the event would exceed the async-invoke payload limit the body is
 * left out (`body: null`) and the function reads it from the archive object instead.
 */
export interface WebhookDownstreamEvent {
  readonly kind: 'intake.webhook';
  readonly source: string;
  readonly type: string;
  /** The id intake deduplicates by: process each `id` once. */
  readonly id: string;
  /** The provider's own delivery id when it is not `id` (GitHub, generic HMAC): for tracing only. */
  readonly providerId?: string;
  readonly receivedAt: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly encoding: 'utf8' | 'base64';
  readonly body: string | null;
  readonly archive: { readonly bucket: string; readonly key: string };
}

/** Async invoke payloads are bounded (256 KB for years, 1 MB since late 2025): design for the smaller. */
export const asyncInvokePayloadLimitBytes = 256 * 1024;

/**
 * The JSON payload for a downstream invoke, with the body left out when the whole would not fit
 * (`bodyOmitted`: the consumer must read the archive, so it has to exist before the invoke).
 */
export function downstreamPayload(
  meta: WebhookMessageMeta,
  body: string,
  archive: { bucket: string; key: string },
  limitBytes = asyncInvokePayloadLimitBytes,
): { text: string; bodyOmitted: boolean } {
  const event: WebhookDownstreamEvent = {
    kind: 'intake.webhook',
    source: meta.source,
    type: meta.type,
    id: meta.id,
    ...(meta.providerId === undefined ? {} : { providerId: meta.providerId }),
    receivedAt: meta.receivedAt,
    headers: meta.headers,
    encoding: meta.encoding,
    body,
    archive,
  };
  const text = JSON.stringify(event);
  return Buffer.byteLength(text, 'utf8') <= limitBytes
    ? { text, bodyOmitted: false }
    : { text: JSON.stringify({ ...event, body: null }), bodyOmitted: true };
}
