import type { Context } from 'aws-lambda';
import { NotFoundError, PreconditionFailedError } from '../errors';
import type { ObjectStorage } from '../aws/storage';
import type { S3ObjectEvent } from '../middleware/s3';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { documentManifestKey, parseUploadKey, quarantineKey } from './document-keys';
import { inspectDocument } from './inspection/inspect-document';
import { buildManifest, judgeDocument, type DocumentManifest } from './manifest';
import { documentProcessedEvent, type PublishDocumentEvent } from './processed-event';
import { uploadVersionOf, type ProcessingGuard } from './processing-guard';
import type { UploadPolicy } from './upload-policy';

export interface DocumentProcessorDependencies {
  storage: ObjectStorage;
  publish: PublishDocumentEvent;
  guard: ProcessingGuard;
  policy: UploadPolicy;
  now?: () => Date;
}

export type ProcessingOutcome =
  | { outcome: 'processed' | 'quarantined'; id: string; manifestKey: string }
  | { outcome: 'republished'; id: string; manifestKey: string }
  | { outcome: 'skipped'; reason: string };

// Content types that declare nothing: an upload without a type is judged on its content alone.
const UNDECLARED_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', '']);

/**
 * The S3 record handler of document-process. For each ObjectCreated event under `uploads/<id>/<name>`,
 * once per (key, version): read the object once as a stream and inspect it, write `manifests/<id>.json`,
 * tag the object (processed) or move it to `quarantine/` (quarantined), publish `document.processed`.
 * Other events and keys are skipped. Throws (so Lambda retries the event) when the object cannot be read
 * or the manifest, tags, move or event cannot be written; a retry after a half-finished run completes it.
 */
export function createDocumentProcessor(
  deps: DocumentProcessorDependencies,
): (object: S3ObjectEvent, context: Context) => Promise<ProcessingOutcome> {
  const now = deps.now ?? (() => new Date());
  const { storage, policy } = deps;

  async function process(
    object: S3ObjectEvent,
    upload: { id: string; filename: string },
  ): Promise<ProcessingOutcome> {
    const started = performance.now();
    const manifestKey = documentManifestKey(upload.id);
    const eventEtag = object.eTag ? unquote(object.eTag) : undefined;
    let stream;
    try {
      stream = await storage.get(object.key, eventEtag ? { ifMatch: `"${eventEtag}"` } : {});
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof PreconditionFailedError) {
        return finishInterruptedRun(object, upload.id, eventEtag);
      }
      throw error;
    }
    const etag = unquote(stream.etag);
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
    const storedKey = verdict.status === 'quarantined' ? quarantineKey(upload) : object.key;
    const manifest = buildManifest(
      {
        id: upload.id,
        filename: upload.filename,
        uploadKey: object.key,
        storedKey,
        etag,
        versionId: stream.versionId ?? null,
        uploadedAt: object.record.eventTime,
        processedAt: now(),
        totalMs: performance.now() - started,
      },
      inspection,
      verdict,
    );
    // The manifest first: if anything after it fails, the retry finds it and finishes the run.
    await storage.put(manifestKey, JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
    const tags = {
      'intake-status': verdict.status,
      ...(verdict.reason ? { 'intake-reason': verdict.reason.code } : {}),
    };
    if (verdict.status === 'quarantined') {
      await storage.copy(object.key, storedKey, { tags });
      await storage.delete(object.key);
    } else {
      await storage.putTags(object.key, tags);
    }
    await deps.publish(documentProcessedEvent(manifest, manifestKey));
    metrics.addMetric(
      verdict.status === 'processed' ? 'DocumentsProcessed' : 'DocumentsQuarantined',
      MetricUnit.Count,
      1,
    );
    logger.info('Document inspected', {
      id: upload.id,
      status: verdict.status,
      reason: verdict.reason?.code,
      size: manifest.size,
      detectedType: manifest.detectedType.mime,
      totalMs: manifest.timings.totalMs,
    });
    return { outcome: verdict.status, id: upload.id, manifestKey };
  }

  /**
   * The object is gone or replaced. If our manifest already describes this very version, an earlier run
   * stopped after moving it: publish again and finish. Otherwise there is nothing left to process.
   */
  async function finishInterruptedRun(
    object: S3ObjectEvent,
    id: string,
    etag: string | undefined,
  ): Promise<ProcessingOutcome> {
    const manifestKey = documentManifestKey(id);
    const manifest = await readManifest(manifestKey);
    if (manifest && etag !== undefined && manifest.etag === etag) {
      await deps.publish(documentProcessedEvent(manifest, manifestKey));
      return { outcome: 'republished', id, manifestKey };
    }
    logger.warn('Uploaded object is gone or was replaced before processing; skipping', { key: object.key });
    return { outcome: 'skipped', reason: 'object gone or replaced' };
  }

  async function readManifest(key: string): Promise<DocumentManifest | undefined> {
    try {
      return JSON.parse((await storage.getBytes(key)).toString('utf8')) as DocumentManifest;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  return async (object, context) => {
    if (!object.eventName.startsWith('ObjectCreated:')) {
      return { outcome: 'skipped', reason: `event ${object.eventName}` };
    }
    const upload = parseUploadKey(object.key);
    if (!upload) {
      logger.debug('Not an upload key; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'not an upload key' };
    }
    deps.guard.registerContext(context);
    return deps.guard.once({ bucket: object.bucket, key: object.key, version: uploadVersionOf(object) }, () =>
      process(object, upload),
    );
  };
}

const unquote = (etag: string) => etag.replace(/^"|"$/g, '');
