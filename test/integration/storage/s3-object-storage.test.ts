import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3ObjectStorage, type UploadProgress } from '../../../src/aws/storage';
import { describeObjectStorageContract } from './object-storage.contract';
import { createTestBucket, startLocalS3, type LocalS3 } from './local-s3';

const MiB = 1024 * 1024;
let s3: LocalS3;
let bucket: string;
let storage: S3ObjectStorage;

beforeAll(async () => {
  s3 = await startLocalS3();
  bucket = await createTestBucket(s3.client);
  storage = new S3ObjectStorage({ bucket, client: s3.client, localEmulator: true });
}, 20_000);

afterAll(() => s3?.stop());

describeObjectStorageContract('S3 on s3rver', () => ({ storage, conditionalReads: false }));

describe('S3ObjectStorage on s3rver', () => {
  it('uploads 12 MiB in 5 MiB parts, reporting progress per part up to every byte', async () => {
    const multipart = new S3ObjectStorage({
      bucket,
      client: s3.client,
      localEmulator: true,
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
    });
    const bytes = randomBytes(12 * MiB);
    const events: UploadProgress[] = [];

    const result = await multipart.put('multipart/12mib.bin', bytes, {
      contentType: 'application/octet-stream',
      tags: { status: 'big' },
      onProgress: (event) => events.push(event),
    });

    expect(result.size).toBe(12 * MiB);
    expect(new Set(events.map((event) => event.part))).toEqual(new Set([1, 2, 3]));
    expect(events[events.length - 1]).toMatchObject({ loaded: 12 * MiB, total: 12 * MiB });
    expect((await multipart.head('multipart/12mib.bin')).size).toBe(12 * MiB);
    expect((await multipart.getBytes('multipart/12mib.bin')).equals(bytes)).toBe(true);
    expect(await multipart.getTags('multipart/12mib.bin')).toEqual({ status: 'big' });
  }, 30_000);

  it('uploads a stream longer than one part in parts and reports its size', async () => {
    const multipart = new S3ObjectStorage({
      bucket,
      client: s3.client,
      localEmulator: true,
      partSize: 5 * MiB,
    });
    const chunks = Array.from({ length: 6 }, () => randomBytes(MiB));

    const result = await multipart.put('multipart/stream.bin', Readable.from(chunks));

    expect(result.size).toBe(6 * MiB);
    expect((await multipart.getBytes('multipart/stream.bin')).equals(Buffer.concat(chunks))).toBe(true);
  }, 30_000);

  it('downloads through a presigned GET URL', async () => {
    await storage.put('presign/get me.txt', 'presigned body', { contentType: 'text/plain' });
    const { url, method } = await storage.presignGet('presign/get me.txt', {
      expiresIn: 60,
      responseContentDisposition: 'attachment; filename="x.txt"',
    });

    const response = await fetch(url);

    expect(method).toBe('GET');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned body');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="x.txt"');
  });

  it('uploads through a presigned PUT URL with the headers it lists', async () => {
    const { url, method, headers } = await storage.presignPut('presign/put.txt', {
      contentType: 'text/plain',
    });

    const response = await fetch(url, { method, headers, body: 'put through url' });

    expect(response.status).toBe(200);
    expect((await storage.getBytes('presign/put.txt')).toString()).toBe('put through url');
    expect((await storage.head('presign/put.txt')).contentType).toBe('text/plain');
  });

  it('uploads a browser form through a presigned POST, the filename completing the key', async () => {
    const post = await storage.presignPost({
      keyPrefix: 'uploads/abc/',
      contentType: 'text/csv',
      maxSize: 1024,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'data file.csv');

    const response = await fetch(post.url, { method: 'POST', body: form });

    expect(response.status).toBe(204);
    expect(post.key).toBe('uploads/abc/${filename}');
    // s3rver stores `${filename}` literally (DESIGN): the local POST-policy proxy substitutes it.
    const stored = (await storage.list('uploads/abc/')).items.map((item) => item.key);
    expect(stored).toHaveLength(1);
    expect((await storage.getBytes(stored[0]!)).toString()).toBe('a,b\n1,2\n');
  });

  it('gives a presigned GET from urlFor when no CDN is configured', async () => {
    await storage.put('cdn/none.txt', 'via url');
    const response = await fetch(await storage.urlFor('cdn/none.txt'));
    expect(await response.text()).toBe('via url');
  });

  it('deletes more than 1000 keys in batches of 1000', async () => {
    const keys = Array.from({ length: 1001 }, (_, index) => `batch/${String(index).padStart(4, '0')}`);
    await Promise.all(keys.slice(995).map((key) => storage.put(key, 'x')));

    const result = await storage.deleteMany(keys);

    expect(result.errors).toEqual([]);
    expect(result.deleted).toHaveLength(1001);
    expect((await storage.list('batch/')).items).toEqual([]);
  }, 20_000);
});
