import { randomUUID } from 'node:crypto';
import { AppError, NotFoundError, PreconditionFailedError } from '../errors';
import type { ObjectStorage, ObjectStream } from '../aws/storage';
import type { S3ObjectEvent } from '../middleware/s3';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { cleanKey, documentManifestKey, parseUploadKey, quarantineKey } from './document-keys';
import { inspectWhileCopying } from './inspected-copy';
import { buildManifest, judgeDocument, type DocumentManifest } from './manifest';
import { type MalwareScanResult, type MalwareScanStatusReader } from './malware-scan/scan-result';
import { awaitingScan, isWithheld, settleScan } from './malware-scan/scan-status';
import { documentProcessedEvent, type PublishDocumentEvent } from './processed-event';
import type { UploadPolicy } from './upload-policy';

export interface DocumentProcessorDependencies {
  storage: Pick<ObjectStorage, 'get' | 'getBytes' | 'put' | 'exists' | 'copy' | 'delete' | 'putTags'>;
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
  | { outcome: DocumentManifest['status'] | 'duplicate' | 'refused'; id: string; manifestKey: string }
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
 * Malware scanning on (`scanStatus`): a file that passes inspection gets the same clean copy, but its
 * manifest says `scanning` (nothing signs a download for it) and its upload stays in `uploads/`, where
 * the scanner reads it, until the result of the version inspected (same ETag) arrives: NO_THREATS_FOUND
 * tags the copy and makes it `processed`; THREATS_FOUND makes it `infected` and any other result
 * `quarantined` (NOT_SCANNED), the clean copy moved to `quarantine/` before the upload is removed.
 *
 * Idempotent per (key, version): the manifest records the version it describes, so a repeated delivery —
 * or Lambda's retry after a failure past the manifest — skips the inspection and only re-runs the
 * idempotent tail (tag or move, empty the inbox, publish). `document.processed` is therefore at-least-once.
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
   * Everything after the manifest, each step safe to repeat. A quarantined or infected file is moved from
   * its clean copy (the bytes inspected) before the event goes out (the event names its new key); a kept
   * file is tagged. Either way the upload leaves the inbox last but one, and the event goes out last.
   * A `scanning` document is not finished: its upload stays in uploads/ (the scanner reads it there) and
   * its clean copy stays unserved until the scan result settles it (recordScanResult).
   */
  async function finish(
    manifest: DocumentManifest,
    manifestKey: string,
    { tagged = false }: { tagged?: boolean } = {},
  ): Promise<void> {
    // Nothing is tagged or announced before the scan result: the result's handler finishes it.
    if (manifest.status === 'scanning') return;
    const tags = statusTags(manifest);
    const event = documentProcessedEvent(manifest, manifestKey);
    if (isWithheld(manifest)) {
      // Quarantined or infected: the clean copy (the bytes inspected, and scanned: same ETag) moves to
      // quarantine/ before the upload leaves the inbox, so the bytes are never lost nor served.
      if (await storage.exists(manifest.inspectedKey)) {
        await storage.copy(manifest.inspectedKey, manifest.storedKey, { tags });
        await storage.delete(manifest.inspectedKey);
      }
      await storage.delete(manifest.uploadKey);
    } else {
      // A kept file's copy stays where it is: its tag and the inbox's emptying do not depend on each other
      // (a failure of either is retried, and both are safe to repeat), so they go together.
      await Promise.all([tagged ? undefined : tagStored(manifest), storage.delete(manifest.uploadKey)]);
    }
    await deps.publish(event);
  }

  async function tagStored(manifest: DocumentManifest): Promise<void> {
    await storage.putTags(manifest.storedKey, statusTags(manifest)).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error; // the owner deleted the document meanwhile
    });
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

  /** A `scanning` manifest settled by the upload's scan tag, if the scan already ended (and stored). */
  async function settleFromTag(manifest: DocumentManifest, manifestKey: string): Promise<DocumentManifest> {
    if (manifest.status !== 'scanning' || !deps.scanStatus) return manifest;
    const status = await deps.scanStatus.statusOf(manifest.uploadKey);
    if (!status) return manifest;
    return storeSettled(settleScan(manifest, { status, threats: [] }), manifestKey);
  }

  /**
   * The manifest to write first. Scanning off: the inspection's. Scanning on, for a file that passed
   * inspection: `scanning`, or already settled when the scanner's tag is on the upload — then a clean copy
   * is tagged processed here, before any manifest says so (see storeSettled). `settled`: the scan result
   * is in it (and a kept copy is tagged).
   */
  async function settleBeforeManifest(
    inspected: DocumentManifest,
  ): Promise<{ manifest: DocumentManifest; settled: boolean }> {
    if (!deps.scanStatus) return { manifest: inspected, settled: false };
    const held = awaitingScan(inspected);
    if (held.status !== 'scanning') return { manifest: held, settled: false };
    const status = await deps.scanStatus.statusOf(held.uploadKey);
    if (!status) return { manifest: held, settled: false };
    const settled = settleScan(held, { status, threats: [] });
    if (settled.status === 'processed') await tagStored(settled);
    return { manifest: settled, settled: true };
  }

  async function storeSettled(manifest: DocumentManifest, manifestKey: string): Promise<DocumentManifest> {
    // Clean: the copy is tagged processed before the manifest says so, so the bucket policy (which lets
    // clean/ objects be read only once tagged processed) never refuses a download the API signs.
    if (manifest.status === 'processed') await tagStored(manifest);
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
    if (existing) {
      stream?.body.destroy();
      await refuseLaterVersion(object, existing);
      return { outcome: 'refused', id: upload.id, manifestKey };
    }
    if (!stream) {
      logger.warn('Uploaded object is gone or was replaced before processing; skipping', { key: object.key });
      return { outcome: 'skipped', reason: 'object gone or replaced' };
    }
    const inspected = await inspectUpload(object, stream, upload, sourceVersion, started);
    // Scanning on: a file that passed inspection is `scanning` (its clean copy written, never signed) and
    // its upload stays in uploads/, where the scanner reads it, until the scan result settles it — unless
    // the scanner has finished already (its tag is on the upload): then the first manifest is the final one.
    const { manifest: held, settled: settledEarly } = await settleBeforeManifest(inspected);
    // The manifest first (a failure after it is retried by Lambda and finished by the branch above), and
    // create-only: of two versions inspected at once (the form re-posted within seconds) exactly one
    // writes the manifest; the other's clean copy, under its own version's key, is dropped unserved.
    if (!(await createManifest(manifestKey, held))) {
      const winner = (await readManifest(manifestKey))!;
      if (winner.sourceVersion === sourceVersion) {
        // The same version delivered twice at once: the other delivery's copy is the one described.
        await storage.delete(held.inspectedKey);
        await finish(await settleFromTag(winner, manifestKey), manifestKey);
        return { outcome: 'duplicate', id: upload.id, manifestKey };
      }
      await storage.delete(held.inspectedKey);
      await refuseLaterVersion(object, winner);
      return { outcome: 'refused', id: upload.id, manifestKey };
    }
    // Then the scan tag again: a result that came while the manifest was being written is read here.
    const manifest = settledEarly ? held : await settleFromTag(held, manifestKey);
    await finish(manifest, manifestKey, { tagged: settledEarly });
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

function statusTags(manifest: DocumentManifest): Record<string, string> {
  return {
    'intake-status': manifest.status,
    ...(manifest.reason ? { 'intake-reason': manifest.reason.code } : {}),
  };
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
