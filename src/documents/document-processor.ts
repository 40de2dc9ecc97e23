import { AppError, NotFoundError, PreconditionFailedError } from '../errors';
import type { ObjectStorage, ObjectStream } from '../aws/storage';
import type { S3ObjectEvent } from '../middleware/s3';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { documentManifestKey, parseUploadKey, quarantineKey } from './document-keys';
import { inspectDocument } from './inspection/inspect-document';
import { buildManifest, judgeDocument, type DocumentManifest } from './manifest';
import { type MalwareScanResult, type MalwareScanStatusReader } from './malware-scan/scan-result';
import { awaitingScan, isWithheld, settleScan } from './malware-scan/scan-status';
import { documentProcessedEvent, type PublishDocumentEvent } from './processed-event';
import type { UploadPolicy } from './upload-policy';

export interface DocumentProcessorDependencies {
  storage: ObjectStorage;
  publish: PublishDocumentEvent;
  policy: UploadPolicy;
  /**
   * Malware scanning on: where scan results are read (the scanner's tag on the upload). A file that passes
   * inspection is then `scanning` until its result arrives (here, or through `recordScanResult`).
   */
  scanStatus?: MalwareScanStatusReader;
  now?: () => Date;
}

export type ProcessingOutcome =
  | { outcome: DocumentManifest['status'] | 'duplicate'; id: string; manifestKey: string }
  | { outcome: 'skipped'; reason: string };

/** The processor of uploads, which also records their malware scan results. */
export type DocumentProcessor = ((object: S3ObjectEvent) => Promise<ProcessingOutcome>) & {
  /**
   * Applies a finished scan to its document (`scanning` → processed, infected or quarantined) and runs the
   * same tail as the processor (move or tag, publish). Skips results for other keys or other versions and
   * repeats of an applied one. Throws, so the result is retried, while the upload exists but its manifest
   * is not written yet, and when anything cannot be read or written.
   */
  recordScanResult(result: MalwareScanResult): Promise<ProcessingOutcome>;
};

/** A scan result came before the processor wrote the manifest: retried, by then the manifest exists. */
export class ScanResultBeforeManifestError extends AppError {
  constructor(key: string) {
    super('SCAN_RESULT_EARLY', `The scan result of ${key} came before its manifest`, 503, true);
  }
}

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
export function createDocumentProcessor(deps: DocumentProcessorDependencies): DocumentProcessor {
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
    // Nothing is tagged or announced before the scan result: the result's handler finishes it.
    if (manifest.status === 'scanning') return;
    const tags = {
      'intake-status': manifest.status,
      ...(manifest.reason ? { 'intake-reason': manifest.reason.code } : {}),
    };
    const event = documentProcessedEvent(manifest, manifestKey);
    if (isWithheld(manifest)) {
      if (await storage.exists(manifest.uploadKey)) {
        await storage.copy(manifest.uploadKey, manifest.storedKey, { tags });
        await storage.delete(manifest.uploadKey);
      }
      await deps.publish(event);
      return;
    }
    // With scanning on, the upload's tags are the scanner's: its tag gates downloads, PutObjectTagging would
    // replace it (and the bucket policy denies it); the manifest says the status instead.
    const tagUpload = deps.scanStatus ? Promise.resolve() : storage.putTags(manifest.uploadKey, tags);
    const tagging = tagUpload.catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error; // deleted by its owner meanwhile
    });
    const [tagged, published] = await Promise.allSettled([tagging, deps.publish(event)]);
    if (tagged.status === 'rejected') throw tagged.reason;
    if (published.status === 'rejected') throw published.reason;
  }

  /** A `scanning` manifest settled by the upload's scan tag, if the scan already ended (and stored). */
  async function settleFromTag(manifest: DocumentManifest, manifestKey: string): Promise<DocumentManifest> {
    if (manifest.status !== 'scanning' || !deps.scanStatus) return manifest;
    const status = await deps.scanStatus.statusOf(manifest.uploadKey);
    if (!status) return manifest;
    return storeSettled(settleScan(manifest, { status, threats: [] }), manifestKey);
  }

  async function storeSettled(manifest: DocumentManifest, manifestKey: string): Promise<DocumentManifest> {
    await storage.put(manifestKey, JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
    return manifest;
  }

  async function recordScanResult(result: MalwareScanResult): Promise<ProcessingOutcome> {
    const upload = parseUploadKey(result.key);
    if (!upload) return { outcome: 'skipped', reason: 'not an upload key' };
    const manifestKey = documentManifestKey(upload);
    const manifest = await readManifest(manifestKey);
    if (!manifest) {
      if (await storage.exists(result.key)) throw new ScanResultBeforeManifestError(result.key);
      return { outcome: 'skipped', reason: 'object gone' };
    }
    if (manifest.uploadKey !== result.key || (result.eTag !== null && manifest.etag !== result.eTag)) {
      return { outcome: 'skipped', reason: 'result of another version' };
    }
    if (manifest.status !== 'scanning') {
      await finish(manifest, manifestKey);
      return { outcome: 'duplicate', id: upload.id, manifestKey };
    }
    const settled = await storeSettled(settleScan(manifest, result), manifestKey);
    await finish(settled, manifestKey);
    metrics.addMetric(statusMetric(settled.status), MetricUnit.Count, 1);
    logger.info('Malware scan recorded', { id: upload.id, status: settled.status, scan: result.status });
    return { outcome: settled.status, id: upload.id, manifestKey };
  }

  async function readManifest(key: string): Promise<DocumentManifest | undefined> {
    try {
      return JSON.parse((await storage.getBytes(key)).toString('utf8')) as DocumentManifest;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  const processUpload = async (object: S3ObjectEvent): Promise<ProcessingOutcome> => {
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
      await finish(await settleFromTag(existing, manifestKey), manifestKey);
      return { outcome: 'duplicate', id: upload.id, manifestKey };
    }
    if (!stream) {
      logger.warn('Uploaded object is gone or was replaced before processing; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'object gone or replaced' };
    }
    const inspected = await inspectUpload(object, stream, upload, sourceVersion, started);
    const held = deps.scanStatus ? awaitingScan(inspected) : inspected;
    // The manifest first: a failure after it is retried by Lambda and finished by the branch above.
    await storage.put(manifestKey, JSON.stringify(held, null, 2), { contentType: 'application/json' });
    // Then the scan tag: a result that came before the manifest was written is read here.
    const manifest = await settleFromTag(held, manifestKey);
    await finish(manifest, manifestKey);
    metrics.addMetric(statusMetric(manifest.status), MetricUnit.Count, 1);
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
  return Object.assign(processUpload, { recordScanResult });
}

function statusMetric(status: DocumentManifest['status']): string {
  const names = {
    processed: 'DocumentsProcessed',
    quarantined: 'DocumentsQuarantined',
    scanning: 'DocumentsAwaitingScan',
    infected: 'DocumentsInfected',
  } as const;
  return names[status];
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
