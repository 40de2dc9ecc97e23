import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, S3Event } from 'aws-lambda';
import { FilesystemObjectStorage, type ObjectStorage } from '../../../src/aws/storage';
import { ServiceUnavailableError } from '../../../src/errors';
import { createDocumentProcessor } from '../../../src/documents/document-processor';
import type { DocumentManifest } from '../../../src/documents/manifest';
import type { DocumentProcessedEvent } from '../../../src/documents/processed-event';
import { uploadPolicy } from '../../../src/documents/upload-policy';
import { s3EventHandler } from '../../../src/middleware/s3';
import createdEvent from '../../../events/s3-upload-created.json';
import unicodeEvent from '../../../events/s3-upload-unicode-spaces.json';
import outsideEvent from '../../../events/s3-outside-uploads.json';
import deletedEvent from '../../../events/s3-upload-deleted.json';
import duplicateEvent from '../../../events/s3-upload-duplicate.json';
import { makePdf, makePng } from './document-fixtures';

const ID = '3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f';
/** alice's owner segment (base64url of "alice"), as in the sample events. */
const ALICE = 'YWxpY2U';
const context = { awsRequestId: 'test', functionName: 'document-process' } as Context;
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let root: string;
let storage: FilesystemObjectStorage;
let published: DocumentProcessedEvent[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'intake-docs-'));
  storage = new FilesystemObjectStorage({ root });
  published = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function handlerFor(
  store: ObjectStorage = storage,
  publish = async (event: DocumentProcessedEvent) => void published.push(event),
) {
  const processor = createDocumentProcessor({
    storage: store,
    publish,
    policy: uploadPolicy(),
    now: () => new Date('2026-11-23T14:00:01.000Z'),
  });
  const failureDestination = async () => {
    throw new Error('no record of these tests is meant for the failure destination');
  };
  return {
    processor,
    handler: s3EventHandler(async (object) => void (await processor(object)), { failureDestination }),
  };
}

/** The fixture event, pointed at `key` with the ETag of `bytes`. */
function eventFor(template: unknown, key: string, bytes: Buffer): S3Event {
  const event = structuredClone(template) as S3Event;
  for (const record of event.Records) {
    record.s3.object.key = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
    record.s3.object.eTag = md5(bytes);
    record.s3.object.size = bytes.length;
  }
  return event;
}

async function manifest(): Promise<DocumentManifest> {
  return JSON.parse((await storage.getBytes(`manifests/${ALICE}/${ID}.json`)).toString()) as DocumentManifest;
}

describe('document-process', () => {
  it('inspects a valid upload, copies the bytes it hashed to clean/, writes its manifest, empties the inbox and publishes document.processed', async () => {
    const bytes = makePdf(3);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    await handlerFor().handler(eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes), context);

    expect(await manifest()).toMatchObject({
      schemaVersion: 2,
      id: ID,
      owner: 'alice',
      filename: 'report.pdf',
      uploadKey: `uploads/${ALICE}/${ID}/report.pdf`,
      storedKey: expect.stringMatching(new RegExp(`^clean/${ALICE}/${ID}/[A-Za-z0-9_-]{22}/report\\.pdf$`)),
      size: bytes.length,
      sha256: sha256(bytes),
      detectedType: { mime: 'application/pdf' },
      declaredType: 'application/pdf',
      metadata: { pages: 3, encrypted: false },
      status: 'processed',
      reason: null,
      etag: md5(bytes),
      uploadedAt: '2026-11-23T14:00:00.000Z',
      processedAt: '2026-11-23T14:00:01.000Z',
    });
    const { storedKey } = await manifest();
    expect(await storage.getBytes(storedKey)).toEqual(bytes);
    expect(await storage.getTags(storedKey)).toEqual({ 'intake-status': 'processed' });
    expect(await storage.exists(`uploads/${ALICE}/${ID}/report.pdf`)).toBe(false);
    expect(published).toEqual([
      expect.objectContaining({
        type: 'document.processed',
        id: ID,
        status: 'processed',
        sha256: sha256(bytes),
      }),
    ]);
  });

  it('decodes a key with spaces and unicode from the notification', async () => {
    const bytes = makePng(4, 3);
    const key = `uploads/${ALICE}/${ID}/Grüße aus Köln (final).png`;
    await storage.put(key, bytes, { contentType: 'image/png' });
    const event = eventFor(unicodeEvent, key, bytes);
    expect(event.Records[0]!.s3.object.key).toContain('Gr%C3%BC%C3%9Fe+aus+K%C3%B6ln');
    await handlerFor().handler(event, context);
    expect(await manifest()).toMatchObject({
      filename: 'Grüße aus Köln (final).png',
      metadata: { width: 4, height: 3 },
    });
  });

  it('moves a file whose content contradicts its declared type to quarantine/ and says why', async () => {
    const bytes = makePng(2, 2);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    await handlerFor().handler(eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes), context);

    expect(await manifest()).toMatchObject({
      status: 'quarantined',
      reason: { code: 'TYPE_MISMATCH' },
      storedKey: `quarantine/${ALICE}/${ID}/report.pdf`,
    });
    expect(await storage.exists(`uploads/${ALICE}/${ID}/report.pdf`)).toBe(false);
    expect(await storage.getTags(`quarantine/${ALICE}/${ID}/report.pdf`)).toEqual({
      'intake-status': 'quarantined',
      'intake-reason': 'TYPE_MISMATCH',
    });
    expect(published[0]).toMatchObject({
      status: 'quarantined',
      key: `quarantine/${ALICE}/${ID}/report.pdf`,
    });
  });

  it('quarantines an empty upload', async () => {
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, Buffer.alloc(0), {
      contentType: 'application/pdf',
    });
    await handlerFor().handler(
      eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, Buffer.alloc(0)),
      context,
    );
    expect((await manifest()).reason?.code).toBe('EMPTY');
  });

  it('judges an upload without a declared type on its content alone', async () => {
    const bytes = makePdf(1);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes);
    await handlerFor().handler(eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes), context);
    expect(await manifest()).toMatchObject({ status: 'processed', declaredType: null });
  });

  it('inspects a repeated delivery of the same upload version only once', async () => {
    const bytes = makePdf(2);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    const writes = jest.spyOn(storage, 'put');
    const first = eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes);
    const again = eventFor(duplicateEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes);
    const { handler } = handlerFor();
    await handler(first, context);
    const before = await manifest();
    await handler(again, context);
    const manifestWrites = writes.mock.calls.filter(([key]) => key === `manifests/${ALICE}/${ID}.json`);
    expect(manifestWrites).toHaveLength(1);
    expect(await manifest()).toEqual(before);
    expect(published.map((event) => event.id)).toEqual([ID, ID]); // at-least-once
  });

  it('refuses a later version posted with the same form after processing: manifest, clean copy and download stay the inspected bytes (replay)', async () => {
    const key = `uploads/${ALICE}/${ID}/report.pdf`;
    const original = makePdf(2);
    await storage.put(key, original, { contentType: 'application/pdf' });
    const { handler, processor } = handlerFor();
    await handler(eventFor(createdEvent, key, original), context);
    const inspected = await manifest();

    // The attack: the same presigned form posted again, with other bytes, after the file was processed.
    const replacement = Buffer.from('EVIL replaced!!');
    await storage.put(key, replacement, { contentType: 'application/pdf' });
    const record = eventFor(createdEvent, key, replacement).Records[0]!;
    const outcome = await processor({
      eventName: record.eventName,
      bucket: record.s3.bucket.name,
      key,
      size: replacement.length,
      eTag: md5(replacement),
      versionId: undefined,
      sequencer: '0055AED6DCD90281FF',
      record,
    });

    expect(outcome).toEqual({ outcome: 'refused', id: ID, manifestKey: `manifests/${ALICE}/${ID}.json` });
    expect(await manifest()).toEqual(inspected);
    expect(await storage.getBytes(inspected.storedKey)).toEqual(original);
    expect(await storage.exists(key)).toBe(false); // refused: gone from the inbox, never copied
    const everything = [];
    for await (const item of storage.listAll('')) everything.push(item.key);
    for (const stored of everything) expect(await storage.getBytes(stored)).not.toEqual(replacement);
    expect(published).toHaveLength(1);
  });

  it('never describes bytes it did not copy: a source replaced during the read is copied as read (replay)', async () => {
    const key = `uploads/${ALICE}/${ID}/report.pdf`;
    const original = makePdf(3);
    await storage.put(key, original, { contentType: 'application/pdf' });
    // A store whose GET returns the object and then, mid-stream, the upload is replaced by other bytes.
    const racing = Object.create(storage) as FilesystemObjectStorage;
    racing.get = async (...args: Parameters<FilesystemObjectStorage['get']>) => {
      const stream = await storage.get(...args);
      await storage.put(key, Buffer.from('EVIL replaced!!'), { contentType: 'application/pdf' });
      return stream;
    };
    await handlerFor(racing).handler(eventFor(createdEvent, key, original), context);
    const stored = await manifest();
    const served = await storage.getBytes(stored.storedKey);
    // Whichever bytes the stream delivered, the manifest describes exactly the bytes stored.
    expect(sha256(served)).toBe(stored.sha256);
    expect(served.length).toBe(stored.size);
  });

  it('lets only the first of two versions inspected at once keep the manifest', async () => {
    const key = `uploads/${ALICE}/${ID}/report.pdf`;
    const first = makePdf(1);
    const second = makePdf(4);
    await storage.put(key, first, { contentType: 'application/pdf' });
    // The second version's manifest check runs after the first version's manifest was written.
    const { processor } = handlerFor();
    const firstRecord = eventFor(createdEvent, key, first).Records[0]!;
    await processor({
      eventName: firstRecord.eventName,
      bucket: 'b',
      key,
      size: first.length,
      eTag: md5(first),
      versionId: undefined,
      sequencer: '1',
      record: firstRecord,
    });
    await storage.put(key, second, { contentType: 'application/pdf' });
    const outcome = await processor({
      eventName: firstRecord.eventName,
      bucket: 'b',
      key,
      size: second.length,
      eTag: md5(second),
      versionId: undefined,
      sequencer: '2',
      record: firstRecord,
    });
    expect(outcome).toMatchObject({ outcome: 'refused' });
    expect((await manifest()).metadata.pages).toBe(1);
    const clean = (await storage.list(`clean/${ALICE}/${ID}/`)).items.map((item) => item.key);
    expect(clean).toEqual([(await manifest()).storedKey]);
  });

  it('lets exactly one of two versions racing past the manifest check write it; the loser drops its copy (replay)', async () => {
    const key = `uploads/${ALICE}/${ID}/report.pdf`;
    const mine = makePdf(1);
    await storage.put(key, mine, { contentType: 'application/pdf' });
    // The other version's run writes its manifest just before this run's create-only write.
    const competitor = { sourceVersion: 'other:2', storedKey: `clean/${ALICE}/${ID}/other/report.pdf` };
    const racing = Object.create(storage) as FilesystemObjectStorage;
    racing.put = async (...args: Parameters<FilesystemObjectStorage['put']>) => {
      if (args[0] === `manifests/${ALICE}/${ID}.json` && !(await storage.exists(args[0])))
        await storage.put(args[0], JSON.stringify({ ...JSON.parse(String(args[1])), ...competitor }));
      return storage.put(...args);
    };
    const outcome = await handlerFor(racing).processor({
      eventName: 'ObjectCreated:Post',
      bucket: 'b',
      key,
      size: mine.length,
      eTag: md5(mine),
      versionId: undefined,
      sequencer: '1',
      record: (createdEvent as S3Event).Records[0]!,
    });
    expect(outcome).toMatchObject({ outcome: 'refused' });
    expect(await manifest()).toMatchObject(competitor);
    expect((await storage.list(`clean/${ALICE}/${ID}/`)).items).toEqual([]);
    expect(published).toEqual([]);
  });

  it('throws when the manifest cannot be written, so the event is retried, and publishes nothing', async () => {
    const bytes = makePdf(1);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    const failing = Object.create(storage) as FilesystemObjectStorage;
    failing.put = () =>
      Promise.reject(new ServiceUnavailableError('S3 is down', { service: 'S3', operation: 'PutObject' }));
    await expect(
      handlerFor(failing).handler(
        eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes),
        context,
      ),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(published).toEqual([]);
  });

  it('finishes a run that failed after the manifest (quarantine move and event) when Lambda retries it', async () => {
    const bytes = makePng(1, 1);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    const event = eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes);
    const down = () =>
      Promise.reject(
        new ServiceUnavailableError('SQS is down', { service: 'SQS', operation: 'SendMessage' }),
      );
    await expect(handlerFor(storage, down).handler(event, context)).rejects.toThrow('SQS is down');
    await handlerFor().handler(event, context);
    expect(published).toEqual([expect.objectContaining({ id: ID, status: 'quarantined' })]);
    expect(await storage.exists(`quarantine/${ALICE}/${ID}/report.pdf`)).toBe(true);
    expect(await storage.exists(`uploads/${ALICE}/${ID}/report.pdf`)).toBe(false);
    expect((await storage.list(`clean/${ALICE}/${ID}/`)).items).toEqual([]);
  });

  it('throws when the clean copy cannot be tagged (publishing nothing yet), and tolerates a copy its owner deleted meanwhile', async () => {
    const bytes = makePdf(1);
    await storage.put(`uploads/${ALICE}/${ID}/report.pdf`, bytes, { contentType: 'application/pdf' });
    const event = eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, bytes);
    const failing = Object.create(storage) as FilesystemObjectStorage;
    failing.putTags = () =>
      Promise.reject(
        new ServiceUnavailableError('S3 is down', { service: 'S3', operation: 'PutObjectTagging' }),
      );
    await expect(handlerFor(failing).handler(event, context)).rejects.toThrow('S3 is down');
    expect(published).toEqual([]);
    await storage.delete((await manifest()).storedKey);
    await handlerFor().handler(event, context);
    expect(published).toEqual([expect.objectContaining({ id: ID, status: 'processed' })]);
  });

  it.each([
    ['a key outside uploads/', outsideEvent],
    ['an ObjectRemoved event', deletedEvent],
  ])('skips %s', async (_name, event) => {
    const { processor } = handlerFor();
    const records = (event as S3Event).Records;
    const outcome = await processor({
      eventName: records[0]!.eventName,
      bucket: 'b',
      key: decodeURIComponent(records[0]!.s3.object.key),
      size: 1,
      eTag: 'e',
      versionId: undefined,
      sequencer: 's',
      record: records[0]!,
    });
    expect(outcome).toEqual({ outcome: 'skipped', reason: expect.any(String) });
    expect(published).toEqual([]);
  });

  it("writes the manifest under the upload key's owner, and records that owner", async () => {
    // An owner whose claim holds slashes and Unicode: the key carries it as one base64url segment.
    const owner = 'org:acme/Zürich';
    const segment = Buffer.from(owner, 'utf8').toString('base64url');
    const bytes = makePng(2, 2);
    const key = `uploads/${segment}/${ID}/scan.png`;
    await storage.put(key, bytes, { contentType: 'image/png' });
    const outcome = await handlerFor().processor({
      eventName: 'ObjectCreated:Post',
      bucket: 'b',
      key,
      size: bytes.length,
      eTag: md5(bytes),
      versionId: undefined,
      sequencer: '1',
      record: (createdEvent as S3Event).Records[0]!,
    });
    expect(outcome).toEqual({ outcome: 'processed', id: ID, manifestKey: `manifests/${segment}/${ID}.json` });
    const stored = JSON.parse(
      (await storage.getBytes(`manifests/${segment}/${ID}.json`)).toString(),
    ) as DocumentManifest;
    expect(stored).toMatchObject({ owner, uploadKey: key });
    expect(stored.storedKey.startsWith(`clean/${segment}/${ID}/`)).toBe(true);
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(false);
  });

  it("quarantines under the upload key's owner", async () => {
    const segment = Buffer.from('bob').toString('base64url');
    const bytes = makePng(2, 2);
    const key = `uploads/${segment}/${ID}/report.pdf`;
    await storage.put(key, bytes, { contentType: 'application/pdf' });
    await handlerFor().handler(eventFor(createdEvent, key, bytes), context);
    expect(await storage.exists(`quarantine/${segment}/${ID}/report.pdf`)).toBe(true);
    expect(published[0]).toMatchObject({ key: `quarantine/${segment}/${ID}/report.pdf` });
  });

  it.each([
    ['a key of the layout before owners', `uploads/${ID}/report.pdf`],
    ['a non-canonical owner segment', `uploads/YWxpY2V/${ID}/report.pdf`],
    ['an owner segment outside base64url', `uploads/al.ice/${ID}/report.pdf`],
  ])('skips %s, writing no manifest', async (_name, key) => {
    const bytes = makePdf(1);
    await storage.put(key, bytes, { contentType: 'application/pdf' });
    await handlerFor().handler(eventFor(createdEvent, key, bytes), context);
    expect((await storage.list('manifests/', { limit: 10 })).items).toEqual([]);
    expect(published).toEqual([]);
  });

  it('skips an upload that was deleted or replaced before it could be read', async () => {
    const { handler } = handlerFor();
    await handler(eventFor(createdEvent, `uploads/${ALICE}/${ID}/report.pdf`, Buffer.from('gone')), context);
    expect(await storage.exists(`manifests/${ALICE}/${ID}.json`)).toBe(false);
    expect(published).toEqual([]);
  });
});
