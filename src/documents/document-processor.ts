import { randomUUID } from 'node:crypto';
import { NotFoundError, PreconditionFailedError } from '../errors';
import type { ObjectStorage, ObjectStream } from '../aws/storage';
import type { S3ObjectEvent } from '../middleware/s3';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { cleanKey, documentManifestKey, parseUploadKey, quarantineKey } from './document-keys';
import { inspectWhileCopying } from './inspected-copy';
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
  | { outcome: 'processed' | 'quarantined' | 'duplicate' | 'refused'; id: string; manifestKey: string }
  | { outcome: 'skipped'; reason: string };

// Content types that declare nothing: an upload without a type is judged on its content alone.
const UNDECLARED_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', '']);

/** The version an S3 event names: versionId when the bucket is versioned, else ETag + sequencer. */
export function uploadVersionOf(object: Pick<S3ObjectEvent, 'versionId' | 'eTag' | 'sequencer'>): string {
  return object.versionId ?? `${unquote(object.eTag ?? '')}:${object.sequencer ?? ''}`;
}

/**
 * The S3 record handler of document-process. For an ObjectCreated event under
 * `uploads/<owner>/<id>/<name>`: read the object once as a stream, inspect it and — in the same pass —
 * write the bytes it hashes to `clean/<owner>/<id>/<copy>/<name>` (the only place downloads are served
 * from); write `manifests/<owner>/<id>.json` (the owner comes from the key, which the signed upload form
 * fixed); then keep the clean copy (processed) or move it to `quarantine/` (quarantined), empty the
 * upload from `uploads/`, and publish `document.processed`. Other events and keys are skipped.
 *
 * One upload id accepts exactly one version. A presigned POST form can be used again until it expires:
 * a later version of an upload whose manifest describes another version is refused — deleted from
 * `uploads/`, never inspected, never copied, never served — and the manifest and clean copy stay as they
 * were. The outcome is `refused`.
 *
 * Idempotent per (key, version): the manifest records the version it describes, so a repeated delivery —
 * or Lambda's retry after a failure past the manifest — skips the inspection and only re-runs the
 * idempotent tail (tag or move, empty the inbox, publish). `document.processed` is therefore at-least-once.
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
    // A key of its own per inspection run: two runs (two versions, or one event delivered twice while the
    // object changed) never write into the copy another run's manifest describes.
    const copyKey = cleanKey(upload, randomUUID());
    const { inspection } = await inspectWhileCopying(storage, stream, copyKey, {
      filename: upload.filename,
      allowedTypes: policy.allowedTypes,
      ...(UNDECLARED_TYPES.has(declared) ? {} : { declaredType: stream.contentType }),
    });
    const verdict = judgeDocument(inspection, policy);
    return buildManifest(
      {
        id: upload.id,
        owner: upload.owner,
        filename: upload.filename,
        uploadKey: object.key,
        storedKey: verdict.status === 'quarantined' ? quarantineKey(upload) : copyKey,
        inspectedKey: copyKey,
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
   * A later version of an upload that already has its manifest (the form was posted again): deleted from
   * the inbox unread. Whatever `uploads/` holds for a document with a manifest is such a version, so the
   * delete needs no condition.
   */
  async function refuseLaterVersion(object: S3ObjectEvent, existing: DocumentManifest): Promise<void> {
    await storage.delete(object.key);
    metrics.addMetric('DocumentVersionsRefused', MetricUnit.Count, 1);
    logger.warn('Refused a later version of an upload that was already inspected', {
      id: existing.id,
      key: object.key,
      inspectedVersion: existing.sourceVersion,
    });
  }

  /**
   * Everything after the manifest, each step safe to repeat. A quarantined file is moved from its clean
   * copy (the bytes inspected) before the event goes out (the event names its new key); a kept file is
   * tagged. Either way the upload leaves the inbox last but one, and the event goes out last.
   */
  async function finish(manifest: DocumentManifest, manifestKey: string): Promise<void> {
    const tags = {
      'intake-status': manifest.status,
      ...(manifest.reason ? { 'intake-reason': manifest.reason.code } : {}),
    };
    const event = documentProcessedEvent(manifest, manifestKey);
    if (manifest.status === 'quarantined') {
      if (await storage.exists(manifest.inspectedKey)) {
        await storage.copy(manifest.inspectedKey, manifest.storedKey, { tags });
        await storage.delete(manifest.inspectedKey);
      }
    } else {
      await storage.putTags(manifest.storedKey, tags).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error; // the owner deleted the document meanwhile
      });
    }
    await storage.delete(manifest.uploadKey);
    await deps.publish(event);
  }

  /** Writes the manifest unless one exists already (S3 If-None-Match); false when another was first. */
  async function createManifest(key: string, manifest: DocumentManifest): Promise<boolean> {
    try {
      await storage.put(key, JSON.stringify(manifest, null, 2), {
        contentType: 'application/json',
        ifNoneMatch: '*',
      });
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return false;
      throw error;
    }
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
    if (existing) {
      stream?.body.destroy();
      await refuseLaterVersion(object, existing);
      return { outcome: 'refused', id: upload.id, manifestKey };
    }
    if (!stream) {
      logger.warn('Uploaded object is gone or was replaced before processing; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'object gone or replaced' };
    }
    const manifest = await inspectUpload(object, stream, upload, sourceVersion, started);
    // The manifest first (a failure after it is retried by Lambda and finished by the branch above), and
    // create-only: of two versions inspected at once (the form re-posted within seconds) exactly one
    // writes the manifest; the other's clean copy, under its own version's key, is dropped unserved.
    if (!(await createManifest(manifestKey, manifest))) {
      const winner = (await readManifest(manifestKey))!;
      if (winner.sourceVersion === sourceVersion) {
        // The same version delivered twice at once: the other delivery's copy is the one described.
        await storage.delete(manifest.inspectedKey);
        await finish(winner, manifestKey);
        return { outcome: 'duplicate', id: upload.id, manifestKey };
      }
      await storage.delete(manifest.inspectedKey);
      await refuseLaterVersion(object, winner);
      return { outcome: 'refused', id: upload.id, manifestKey };
    }
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
