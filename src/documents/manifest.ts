import type { DetectedType } from './inspection/detect-type';
import type { DocumentInspection, DocumentMetadata } from './inspection/inspect-document';
import type { UploadPolicy } from './upload-policy';

/**
 * `processed`: kept and downloadable. `quarantined`: failed inspection (or could not be scanned), moved to
 * quarantine/. With malware scanning on, a file that passed inspection is `scanning` until the scan result
 * arrives, then `processed` or `infected` (moved to quarantine/ like a quarantined file). Only `processed`
 * is ever served.
 */
export type DocumentStatus = 'processed' | 'quarantined' | 'scanning' | 'infected';

/** Why a file was quarantined; stable codes clients may switch on. */
export type QuarantineCode =
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'TYPE_NOT_ALLOWED'
  | 'TYPE_MISMATCH'
  | 'EXTENSION_MISMATCH'
  | 'TRAILING_DATA'
  | 'DAMAGED'
  | 'NO_PAGES'
  | 'ACTIVE_CONTENT'
  | 'MALWARE'
  | 'NOT_SCANNED';

export interface DocumentVerdict {
  status: 'processed' | 'quarantined';
  reason: { code: QuarantineCode; message: string } | null;
}

/** The description of one document, stored at `manifests/<owner>/<id>.json` and returned by the API. */
export interface DocumentManifest {
  /** 2: documents have owners (keys carry the owner). */
  schemaVersion: 2;
  id: string;
  /** The owner claim's value of the caller who requested the upload. */
  owner: string;
  filename: string;
  /** The key the client uploaded to (`uploads/<owner>/<id>/<filename>`). */
  uploadKey: string;
  /** Where the content is now: the clean copy (served), or its `quarantine/` move (never served). */
  storedKey: string;
  /**
   * The copy the processor wrote, in its inspection pass, of exactly the bytes `sha256` describes
   * (`clean/<owner>/<id>/<copy>/<filename>`): `storedKey` when processed, moved to quarantine otherwise.
   */
  inspectedKey: string;
  size: number;
  sha256: string;
  detectedType: DetectedType;
  declaredType: string | null;
  extension: string | null;
  metadata: DocumentMetadata;
  status: DocumentStatus;
  reason: DocumentVerdict['reason'];
  /** The malware scan's finished result; absent while scanning and when scanning is off. */
  malwareScan?: { status: string; threats: string[] };
  etag: string | null;
  versionId: string | null;
  /** The upload version this manifest describes (versionId, or ETag:sequencer): the idempotency key. */
  sourceVersion: string;
  uploadedAt: string;
  processedAt: string;
  timings: { readMs: number; analyseMs: number; totalMs: number };
}

/**
 * Decides whether an inspected upload is kept or quarantined, first failing rule wins: empty, over the
 * size limit, a type not on the allow-list, content contradicting the declared type or the extension,
 * data after the format's end (unless the policy allows it), a damaged file (a truncated PDF, one whose
 * pages cannot be counted even by repair, a format whose end marker is missing), a page-less PDF, PDF
 * active content the policy quarantines.
 */
export function judgeDocument(inspection: DocumentInspection, policy: UploadPolicy): DocumentVerdict {
  const quarantine = (code: QuarantineCode, message: string): DocumentVerdict => ({
    status: 'quarantined',
    reason: { code, message },
  });
  const detected = inspection.detectedType.mime;
  if (inspection.size === 0) return quarantine('EMPTY', 'The file is empty');
  if (inspection.size > policy.maxBytes)
    return quarantine('TOO_LARGE', `${inspection.size} bytes exceeds the limit of ${policy.maxBytes}`);
  if (!policy.allowedTypes.includes(detected))
    return quarantine('TYPE_NOT_ALLOWED', `Content is ${detected}, which is not accepted`);
  if (inspection.declaredTypeMatches === false)
    return quarantine(
      'TYPE_MISMATCH',
      `Declared as ${inspection.declaredType} but the content is ${detected}`,
    );
  if (inspection.extensionMatches === false)
    return quarantine(
      'EXTENSION_MISMATCH',
      `Extension .${inspection.extension} does not fit content ${detected}`,
    );
  const { metadata } = inspection;
  if (typeof metadata.trailingBytes === 'number' && metadata.trailingBytes > 0 && !policy.allowTrailingData)
    return quarantine(
      'TRAILING_DATA',
      `${metadata.trailingBytes} bytes follow the end of the ${detected} content (a polyglot or appended data)`,
    );
  if (metadata.truncated) return quarantine('DAMAGED', 'The PDF ends before its trailer (truncated)');
  if (metadata.trailingBytes === null)
    return quarantine('DAMAGED', `No end marker of ${detected} was found (truncated or broken)`);
  if (detected === 'application/pdf' && metadata.pages === null && !metadata.encrypted)
    return quarantine(
      'DAMAGED',
      `The PDF's pages cannot be counted: ${metadata.note ?? 'unknown structure'}`,
    );
  if (metadata.pages === 0) return quarantine('NO_PAGES', 'The PDF has no pages');
  const active = (metadata.activeContent ?? []).filter((name) =>
    policy.quarantinedPdfActiveContent.includes(name),
  );
  if (active.length > 0)
    return quarantine(
      'ACTIVE_CONTENT',
      `The PDF holds active content: ${active.map((name) => `/${name}`).join(', ')}`,
    );
  return { status: 'processed', reason: null };
}

/** The upload's identity, where its bytes are, and when it was processed (the rest comes from inspection). */
export type ManifestInput = Pick<
  DocumentManifest,
  | 'id'
  | 'owner'
  | 'filename'
  | 'uploadKey'
  | 'storedKey'
  | 'inspectedKey'
  | 'etag'
  | 'versionId'
  | 'sourceVersion'
  | 'uploadedAt'
> & { processedAt: Date; totalMs: number };

/** Assembles the manifest from the upload's identity, its inspection and the verdict. */
export function buildManifest(
  input: ManifestInput,
  inspection: DocumentInspection,
  verdict: DocumentVerdict,
): DocumentManifest {
  return {
    schemaVersion: 2,
    id: input.id,
    owner: input.owner,
    filename: input.filename,
    uploadKey: input.uploadKey,
    storedKey: input.storedKey,
    inspectedKey: input.inspectedKey,
    size: inspection.size,
    sha256: inspection.sha256,
    detectedType: inspection.detectedType,
    declaredType: inspection.declaredType,
    extension: inspection.extension,
    metadata: inspection.metadata,
    status: verdict.status,
    reason: verdict.reason,
    etag: input.etag,
    versionId: input.versionId,
    sourceVersion: input.sourceVersion,
    uploadedAt: input.uploadedAt,
    processedAt: input.processedAt.toISOString(),
    timings: { ...inspection.timings, totalMs: Math.round(input.totalMs * 100) / 100 },
  };
}
