import { NotFoundError, PreconditionFailedError } from '../errors';
import type { ObjectStorage, ObjectStream } from '../aws/storage';
import type { S3ObjectEvent } from '../middleware/s3';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { documentManifestKey, parseUploadKey, quarantineKey } from './document-keys';
import { inspectDocument } from './inspection/inspect-document';
import { buildManifest, judgeDocument, type DocumentManifest } from './manifest';
import { documentProcessedEvent, type PublishDocumentEvent } from './processed-event';
import type { UploadPolicy } from './upload-policy';

export interface DocumentProcessorDependencies {
  storage: ObjectStorage;
  publish: PublishDocumentEvent;
  policy: UploadPolicy;
  now?: () => Date;
}

export type ProcessingOutcome =
  | { outcome: 'processed' | 'quarantined' | 'duplicate'; id: string; manifestKey: string }
  | { outcome: 'skipped'; reason: string };

// Content types that declare nothing: an upload without a type is judged on its content alone.
const UNDECLARED_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', '']);

/** The version an S3 event names: versionId when the bucket is versioned, else ETag + sequencer. */
export function uploadVersionOf(object: Pick<S3ObjectEvent, 'versionId' | 'eTag' | 'sequencer'>): string {
  return object.versionId ?? `${unquote(object.eTag ?? '')}:${object.sequencer ?? ''}`;
}

/**
 * The S3 record handler of document-process. For an ObjectCreated event under
 * `uploads/<owner>/<id>/<name>`: read the object once as a stream and inspect it, write
 * `manifests/<owner>/<id>.json` (the owner comes from the key, which the signed upload form fixed), then tag the object
 * (processed) or move it to `quarantine/` (quarantined), then publish `document.processed`. Other events
 * and keys are skipped.
 *
 * Idempotent per (key, version): the manifest records the version it describes, so a repeated delivery —
 * or Lambda's retry after a failure past the manifest — skips the inspection and only re-runs the
 * idempotent tail (tag or move, publish). `document.processed` is therefore at-least-once.
 * Throws, so the event is retried, when the object cannot be read or anything cannot be written.
 */
export function createDocumentProcessor(
  deps: DocumentProcessorDependencies,
): (object: S3ObjectEvent) => Promise<ProcessingOutcome> {
  const now = deps.now ?? (() => new Date());
  const { storage, policy } = deps;

  /** The upload as a stream pinned to the event's ETag; undefined when it is gone or was replaced. */
  async function openUpload(object: S3ObjectEvent): Promise<ObjectStream | undefined> {
    const eventEtag = object.eTag ? unquote(object.eTag) : undefined;
    try {
      return await storage.get(object.key, eventEtag ? { ifMatch: `"${eventEtag}"` } : {});
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof PreconditionFailedError) return undefined;
      throw error;
    }
  }

  async function inspectUpload(
    object: S3ObjectEvent,
    stream: ObjectStream,
    upload: { owner: string; id: string; filename: string },
    sourceVersion: string,
    started: number,
  ): Promise<DocumentManifest> {
    const declared = stream.contentType.split(';')[0]!.trim().toLowerCase();
    const inspection = await inspectDocument(stream.body, {
      filename: upload.filename,
      ...(UNDECLARED_TYPES.has(declared) ? {} : { declaredType: stream.contentType }),
      rangeReader: {
        size: stream.size,
        read: (start, end) =>
          storage.getBytes(object.key, { range: { start, end: end - 1 }, ifMatch: stream.etag }),
      },
    });
    const verdict = judgeDocument(inspection, policy);
    return buildManifest(
      {
        id: upload.id,
        owner: upload.owner,
        filename: upload.filename,
        uploadKey: object.key,
        storedKey: verdict.status === 'quarantined' ? quarantineKey(upload) : object.key,
        etag: unquote(stream.etag),
        versionId: stream.versionId ?? null,
        sourceVersion,
        uploadedAt: object.record.eventTime,
        processedAt: now(),
        totalMs: performance.now() - started,
      },
      inspection,
      verdict,
    );
  }

  /**
   * Everything after the manifest, each step safe to repeat. A quarantined file is moved before the
   * event goes out (the event names its new key); a kept file's tags and the event go out together.
   */
  async function finish(manifest: DocumentManifest, manifestKey: string): Promise<void> {
    const tags = {
      'intake-status': manifest.status,
      ...(manifest.reason ? { 'intake-reason': manifest.reason.code } : {}),
    };
    const event = documentProcessedEvent(manifest, manifestKey);
    if (manifest.status === 'quarantined') {
      if (await storage.exists(manifest.uploadKey)) {
        await storage.copy(manifest.uploadKey, manifest.storedKey, { tags });
        await storage.delete(manifest.uploadKey);
      }
      await deps.publish(event);
      return;
    }
    const tagging = storage.putTags(manifest.uploadKey, tags).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error; // deleted by its owner meanwhile
    });
    const [tagged, published] = await Promise.allSettled([tagging, deps.publish(event)]);
    if (tagged.status === 'rejected') throw tagged.reason;
    if (published.status === 'rejected') throw published.reason;
  }

  async function readManifest(key: string): Promise<DocumentManifest | undefined> {
    try {
      return JSON.parse((await storage.getBytes(key)).toString('utf8')) as DocumentManifest;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  return async (object) => {
    if (!object.eventName.startsWith('ObjectCreated:')) {
      return { outcome: 'skipped', reason: `event ${object.eventName}` };
    }
    const upload = parseUploadKey(object.key);
    if (!upload) {
      logger.debug('Not an upload key; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'not an upload key' };
    }
    const started = performance.now();
    const manifestKey = documentManifestKey(upload);
    const sourceVersion = uploadVersionOf(object);
    // Both at once: the manifest check costs no extra round trip before the read.
    const [existing, stream] = await Promise.all([readManifest(manifestKey), openUpload(object)]);
    if (existing?.sourceVersion === sourceVersion) {
      stream?.body.destroy();
      await finish(existing, manifestKey);
      return { outcome: 'duplicate', id: upload.id, manifestKey };
    }
    if (!stream) {
      logger.warn('Uploaded object is gone or was replaced before processing; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'object gone or replaced' };
    }
    const manifest = await inspectUpload(object, stream, upload, sourceVersion, started);
    // The manifest first: a failure after it is retried by Lambda and finished by the branch above.
    await storage.put(manifestKey, JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
    await finish(manifest, manifestKey);
    metrics.addMetric(
      manifest.status === 'processed' ? 'DocumentsProcessed' : 'DocumentsQuarantined',
      MetricUnit.Count,
      1,
    );
    logger.info('Document inspected', {
      id: upload.id,
      status: manifest.status,
      reason: manifest.reason?.code,
      size: manifest.size,
      detectedType: manifest.detectedType.mime,
      totalMs: manifest.timings.totalMs,
    });
    return { outcome: manifest.status, id: upload.id, manifestKey };
  };
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
