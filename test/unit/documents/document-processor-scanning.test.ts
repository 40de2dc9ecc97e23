import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, S3Event } from 'aws-lambda';
import { FilesystemObjectStorage } from '../../../src/aws/storage';
import {
  createDocumentProcessor,
  ScanResultBeforeManifestError,
} from '../../../src/documents/document-processor';
import { createDocumentsApi } from '../../../src/documents/documents-api';
import {
  SCAN_STATUS_TAG,
  taggedScanStatus,
  type MalwareScanResult,
  type ScanResultStatus,
} from '../../../src/documents/malware-scan/scan-result';
import type { DocumentManifest } from '../../../src/documents/manifest';
import type { DocumentProcessedEvent } from '../../../src/documents/processed-event';
import { uploadPolicy } from '../../../src/documents/upload-policy';
import { s3EventHandler } from '../../../src/middleware/s3';
import createdEvent from '../../../events/s3-upload-created.json';
import { makePdf } from './document-fixtures';

const ID = '3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f';
const ALICE = 'YWxpY2U';
const UPLOAD_KEY = `uploads/${ALICE}/${ID}/report.pdf`;
const QUARANTINE_KEY = `quarantine/${ALICE}/${ID}/report.pdf`;
const MANIFEST_KEY = `manifests/${ALICE}/${ID}.json`;
const context = { awsRequestId: 'test', functionName: 'document-process' } as Context;
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

let root: string;
let storage: FilesystemObjectStorage;
let published: DocumentProcessedEvent[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-scan-'));
  storage = new FilesystemObjectStorage({ root });
  published = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The processor as document-process and document-scan-result build it with scanning on. */
function scanningProcessor() {
  return createDocumentProcessor({
    storage,
    publish: async (event) => void published.push(event),
    policy: uploadPolicy(),
    scanStatus: taggedScanStatus(storage),
    now: () => new Date('2026-11-23T14:00:01.000Z'),
  });
}

function uploadEvent(bytes: Buffer): S3Event {
  const event = structuredClone(createdEvent) as S3Event;
  for (const record of event.Records) {
    record.s3.object.key = UPLOAD_KEY;
    record.s3.object.eTag = md5(bytes);
    record.s3.object.size = bytes.length;
  }
  return event;
}

async function upload(): Promise<Buffer> {
  const bytes = makePdf(1);
  await storage.put(UPLOAD_KEY, bytes, { contentType: 'application/pdf' });
  return bytes;
}

async function process(bytes: Buffer, processor = scanningProcessor()): Promise<void> {
  const failureDestination = async () => {
    throw new Error('no record of these tests is meant for the failure destination');
  };
  await s3EventHandler(async (object) => void (await processor(object)), { failureDestination })(
    uploadEvent(bytes),
    context,
  );
}

function result(status: ScanResultStatus, bytes: Buffer, threats: string[] = []): MalwareScanResult {
  return { bucket: 'documents', key: UPLOAD_KEY, eTag: md5(bytes), versionId: null, status, threats };
}

/** What GuardDuty does to the object when its scan ends: tag it (the event follows). */
async function guardDutyTags(status: ScanResultStatus): Promise<void> {
  await storage.putTags(UPLOAD_KEY, { ...(await storage.getTags(UPLOAD_KEY)), [SCAN_STATUS_TAG]: status });
}

async function manifest(): Promise<DocumentManifest> {
  return JSON.parse((await storage.getBytes(MANIFEST_KEY)).toString()) as DocumentManifest;
}

function documentsApi() {
  return createDocumentsApi({
    storage,
    uploads: { presignPost: () => Promise.reject(new Error('no uploads in these tests')) },
    downloads: { urlFor: async (key) => `https://downloads.test/${key}` },
    policy: uploadPolicy(),
    quota: { reserve: async () => {} },
    downloadExpirySeconds: 60,
    newId: () => ID,
  });
}

describe('document-process with malware scanning on', () => {
  it('holds a file that passed inspection as scanning: clean copy written but untagged and unsigned, upload kept for the scanner', async () => {
    const bytes = await upload();
    await process(bytes);

    const held = await manifest();
    expect(held).toMatchObject({ status: 'scanning', reason: null });
    expect(held.storedKey).toMatch(new RegExp(`^clean/${ALICE}/${ID}/[^/]+/report\\.pdf$`));
    expect(held.inspectedKey).toBe(held.storedKey);
    expect(await storage.getBytes(held.storedKey)).toEqual(bytes);
    // Not tagged processed: with scanning on, the bucket policy refuses reads of an untagged clean copy.
    expect(await storage.getTags(held.storedKey)).toEqual({});
    expect(published).toEqual([]);
    // The upload stays in uploads/ (GuardDuty scans it there), and its tags are the scanner's alone.
    expect(await storage.getBytes(UPLOAD_KEY)).toEqual(bytes);
    expect(await storage.getTags(UPLOAD_KEY)).toEqual({});
    expect(await documentsApi().getDocument('alice', ID)).toMatchObject({
      status: 'scanning',
      download: null,
    });
  });

  it('scanning + NO_THREATS_FOUND → processed, downloadable, document.processed published once', async () => {
    const bytes = await upload();
    await process(bytes);
    await guardDutyTags('NO_THREATS_FOUND');
    await expect(
      scanningProcessor().recordScanResult(result('NO_THREATS_FOUND', bytes)),
    ).resolves.toMatchObject({
      outcome: 'processed',
    });

    expect(await manifest()).toMatchObject({
      status: 'processed',
      malwareScan: { status: 'NO_THREATS_FOUND' },
    });
    const { storedKey } = await manifest();
    expect(published).toEqual([expect.objectContaining({ status: 'processed', key: storedKey })]);
    expect(await storage.getTags(storedKey)).toEqual({ 'intake-status': 'processed' });
    // Only now, the result applied, does the upload leave the inbox.
    expect(await storage.exists(UPLOAD_KEY)).toBe(false);
    const view = await documentsApi().getDocument('alice', ID);
    expect(view).toMatchObject({ status: 'processed', download: { url: expect.any(String) } });
  });

  it('scanning + THREATS_FOUND → infected: moved to quarantine/, upload gone, never a download URL', async () => {
    const bytes = await upload();
    await process(bytes);
    await guardDutyTags('THREATS_FOUND');
    const { inspectedKey } = await manifest();
    await scanningProcessor().recordScanResult(
      result('THREATS_FOUND', bytes, ['EICAR-Test-File (not a virus)']),
    );

    expect(await manifest()).toMatchObject({
      status: 'infected',
      storedKey: QUARANTINE_KEY,
      reason: { code: 'MALWARE' },
      malwareScan: { status: 'THREATS_FOUND', threats: ['EICAR-Test-File (not a virus)'] },
    });
    expect(await storage.exists(UPLOAD_KEY)).toBe(false);
    expect(await storage.exists(inspectedKey)).toBe(false);
    expect(await storage.getBytes(QUARANTINE_KEY)).toEqual(bytes);
    expect(await storage.getTags(QUARANTINE_KEY)).toEqual({
      'intake-status': 'infected',
      'intake-reason': 'MALWARE',
    });
    expect(published).toEqual([expect.objectContaining({ status: 'infected', key: QUARANTINE_KEY })]);
    expect(await documentsApi().getDocument('alice', ID)).toMatchObject({
      status: 'infected',
      download: null,
    });
  });

  it('reads a result that came before the manifest from the scan tag (no result lost in the race)', async () => {
    const bytes = await upload();
    await guardDutyTags('THREATS_FOUND');
    await process(bytes);
    const settled = await manifest();
    expect(settled).toMatchObject({ status: 'infected', storedKey: QUARANTINE_KEY });
    expect(await storage.exists(UPLOAD_KEY)).toBe(false);
    expect(await storage.exists(settled.inspectedKey)).toBe(false);
  });

  it('a clean scan that ended before the manifest: one manifest, already processed, written after the copy is tagged', async () => {
    const bytes = await upload();
    await guardDutyTags('NO_THREATS_FOUND');
    const writes: string[] = [];
    const watched = Object.assign(Object.create(storage) as FilesystemObjectStorage, {
      putTags: async (key: string, tags: Record<string, string>) => {
        writes.push(`tag ${key}`);
        await storage.putTags(key, tags);
      },
      put: async (...args: Parameters<FilesystemObjectStorage['put']>) => {
        if (args[0] === MANIFEST_KEY) writes.push(`put ${args[0]}`);
        return storage.put(...args);
      },
    });
    const processor = createDocumentProcessor({
      storage: watched,
      publish: async (event) => void published.push(event),
      policy: uploadPolicy(),
      scanStatus: taggedScanStatus(watched),
    });

    await process(bytes, processor);

    const settled = await manifest();
    expect(settled).toMatchObject({ status: 'processed', malwareScan: { status: 'NO_THREATS_FOUND' } });
    expect(writes).toEqual([`tag ${settled.storedKey}`, `put ${MANIFEST_KEY}`]);
    expect(await storage.getTags(settled.storedKey)).toMatchObject({ 'intake-status': 'processed' });
    expect(await storage.exists(UPLOAD_KEY)).toBe(false);
    expect(published.map((event) => event.status)).toEqual(['processed']);
  });

  it('a clean result of the inspected version tags the copy processed before the manifest says so', async () => {
    const bytes = await upload();
    await process(bytes);
    const { storedKey } = await manifest();
    const order: string[] = [];
    const watched = Object.assign(Object.create(storage) as FilesystemObjectStorage, {
      putTags: async (key: string, tags: Record<string, string>) => {
        order.push(`tag ${key}`);
        await storage.putTags(key, tags);
      },
      put: async (...args: Parameters<FilesystemObjectStorage['put']>) => {
        order.push(`put ${args[0]}`);
        return storage.put(...args);
      },
    });
    const processor = createDocumentProcessor({
      storage: watched,
      publish: async (event) => void published.push(event),
      policy: uploadPolicy(),
      scanStatus: taggedScanStatus(watched),
    });
    await processor.recordScanResult(result('NO_THREATS_FOUND', bytes));
    expect(order.slice(0, 2)).toEqual([`tag ${storedKey}`, `put ${MANIFEST_KEY}`]);
  });

  it('with scanning off, behaves as without the port: processed at once, clean copy tagged, upload removed', async () => {
    const bytes = await upload();
    const processor = createDocumentProcessor({
      storage,
      publish: async (event) => void published.push(event),
      policy: uploadPolicy(),
    });
    await process(bytes, processor);
    const { storedKey, status } = await manifest();
    expect(status).toBe('processed');
    expect(await storage.getTags(storedKey)).toEqual({ 'intake-status': 'processed' });
    expect(await storage.exists(UPLOAD_KEY)).toBe(false);
    expect(published).toEqual([expect.objectContaining({ status: 'processed', key: storedKey })]);
  });

  it('a result whose manifest is not written yet is retried (retryable error), then applied', async () => {
    const bytes = await upload();
    const early = scanningProcessor().recordScanResult(result('NO_THREATS_FOUND', bytes));
    await expect(early).rejects.toBeInstanceOf(ScanResultBeforeManifestError);
    await expect(early).rejects.toMatchObject({ retryable: true });

    await process(bytes);
    await scanningProcessor().recordScanResult(result('NO_THREATS_FOUND', bytes));
    expect(await manifest()).toMatchObject({ status: 'processed' });
  });

  // Attack: replay a clean result (old, forged or for another version) to free an infected file.
  it('a replayed clean result never frees an infected document', async () => {
    const bytes = await upload();
    await process(bytes);
    const processor = scanningProcessor();
    await processor.recordScanResult(result('THREATS_FOUND', bytes));
    await expect(processor.recordScanResult(result('NO_THREATS_FOUND', bytes))).resolves.toMatchObject({
      outcome: 'duplicate',
    });
    expect(await manifest()).toMatchObject({ status: 'infected', storedKey: QUARANTINE_KEY });
    expect(published.map((event) => event.status)).toEqual(['infected', 'infected']);
  });

  it('a clean result of another version (other ETag) does not settle this one', async () => {
    const bytes = await upload();
    await process(bytes);
    const otherVersion = { ...result('NO_THREATS_FOUND', bytes), eTag: md5(Buffer.from('other bytes')) };
    await expect(scanningProcessor().recordScanResult(otherVersion)).resolves.toEqual({
      outcome: 'skipped',
      reason: 'result of another version',
    });
    expect(await manifest()).toMatchObject({ status: 'scanning' });
  });

  it('skips results for keys that are not uploads and for uploads deleted before processing', async () => {
    const processor = scanningProcessor();
    const bytes = Buffer.from('x');
    await expect(
      processor.recordScanResult({ ...result('THREATS_FOUND', bytes), key: 'manifests/x.json' }),
    ).resolves.toEqual({
      outcome: 'skipped',
      reason: 'not an upload key',
    });
    await expect(processor.recordScanResult(result('THREATS_FOUND', bytes))).resolves.toEqual({
      outcome: 'skipped',
      reason: 'object gone',
    });
  });

  it('a file inspection quarantined stays quarantined whatever the scan says', async () => {
    const bytes = Buffer.from('not a pdf at all');
    await storage.put(UPLOAD_KEY, bytes, { contentType: 'application/pdf' });
    await process(bytes);
    expect(await manifest()).toMatchObject({ status: 'quarantined', reason: { code: 'TYPE_MISMATCH' } });
    await scanningProcessor().recordScanResult(result('NO_THREATS_FOUND', bytes));
    expect(await manifest()).toMatchObject({ status: 'quarantined', reason: { code: 'TYPE_MISMATCH' } });
  });
});
