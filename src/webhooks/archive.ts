import * as z from 'zod/mini';
import type { WebhookMessageMeta } from './message';

/**
 * An archived delivery (`events/<source>/<yyyy>/<mm>/<dd>/<id>.json`): everything needed to process it
 * again — metadata, safe headers and the body exactly as received (`encoding` says how it is written).
 */
export interface WebhookArchive {
  readonly source: string;
  readonly type: string;
  readonly id: string;
  /** The provider's own delivery id, when it is not `id` (see WebhookMessageMeta). */
  readonly providerId?: string;
  readonly receivedAt: string;
  readonly archivedAt: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly encoding: 'utf8' | 'base64';
  readonly body: string;
}

/** The archive document of a delivery. */
export function webhookArchive(meta: WebhookMessageMeta, body: string, archivedAt: Date): WebhookArchive {
  return {
    source: meta.source,
    type: meta.type,
    id: meta.id,
    ...(meta.providerId === undefined ? {} : { providerId: meta.providerId }),
    receivedAt: meta.receivedAt,
    archivedAt: archivedAt.toISOString(),
    headers: meta.headers,
    encoding: meta.encoding,
    body,
  };
}

const archiveSchema = z.object({
  source: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  type: z.string().check(z.minLength(1)),
  id: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)),
  providerId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/))),
  receivedAt: z.string(),
  archivedAt: z.string(),
  headers: z.record(z.string(), z.string()),
  encoding: z.enum(['utf8', 'base64']),
  body: z.string(),
});

/** Parses an archive document; undefined when it is not one (a foreign object under events/). */
export function parseWebhookArchive(text: string): WebhookArchive | undefined {
  try {
    const parsed = z.safeParse(archiveSchema, JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The queue metadata that re-enqueues an archived delivery (replay): same source, id and type. */
export function metaFromArchive(archive: WebhookArchive): WebhookMessageMeta {
  return {
    v: 1,
    source: archive.source,
    type: archive.type,
    id: archive.id,
    ...(archive.providerId === undefined ? {} : { providerId: archive.providerId }),
    receivedAt: archive.receivedAt,
    encoding: archive.encoding,
    headers: archive.headers,
  };
}
