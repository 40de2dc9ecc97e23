import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  S3DownloadUrls,
  S3ObjectStorage,
  S3UploadForms,
  type UploadProgress,
} from '../../../src/aws/storage';
import { describeObjectStorageContract } from './object-storage.contract';
import { createTestBucket, startLocalS3, type LocalS3 } from './local-s3';

const MiB = 1024 * 1024;
let s3: LocalS3;
let bucket: string;
let storage: S3ObjectStorage;

beforeAll(async () => {
  s3 = await startLocalS3();
  bucket = await createTestBucket(s3.client);
  storage = new S3ObjectStorage({ bucket, client: s3.client });
}, 20_000);

afterAll(() => s3?.stop());

const sizeOf = async (Key: string) =>
  (await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key }))).ContentLength;

describeObjectStorageContract('S3 through the local S3', () => ({ storage }));

describe('S3ObjectStorage through the local S3', () => {
  it('uploads 12 MiB in 5 MiB parts, reporting progress per part up to every byte', async () => {
    const multipart = new S3ObjectStorage({
      bucket,
      client: s3.client,
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
    expect(await sizeOf('multipart/12mib.bin')).toBe(12 * MiB);
    expect((await multipart.getBytes('multipart/12mib.bin')).equals(bytes)).toBe(true);
    expect(await multipart.getTags('multipart/12mib.bin')).toEqual({ status: 'big' });
  }, 30_000);

  it('uploads a stream longer than one part in parts and reports its size', async () => {
    const multipart = new S3ObjectStorage({ bucket, client: s3.client, partSize: 5 * MiB });
    const chunks = Array.from({ length: 6 }, () => randomBytes(MiB));

    const result = await multipart.put('multipart/stream.bin', Readable.from(chunks));

    expect(result.size).toBe(6 * MiB);
    expect((await multipart.getBytes('multipart/stream.bin')).equals(Buffer.concat(chunks))).toBe(true);
  }, 30_000);
});

describe('S3UploadForms and S3DownloadUrls through the local S3', () => {
  it('downloads through a presigned GET URL with the response headers asked for', async () => {
    await storage.put('presign/get me.txt', 'presigned body', { contentType: 'text/plain' });
    const url = await new S3DownloadUrls({ bucket, client: s3.client }).urlFor('presign/get me.txt', {
      expiresIn: 60,
      responseContentDisposition: 'attachment; filename="x.txt"',
    });

    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned body');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="x.txt"');
  });

  it('uploads a browser form through a presigned POST, the filename completing the key', async () => {
    const post = await new S3UploadForms({ bucket, client: s3.client }).presignPost({
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
    expect((await storage.list('uploads/abc/')).items.map((item) => item.key)).toEqual([
      'uploads/abc/data file.csv',
    ]);
    expect((await storage.getBytes('uploads/abc/data file.csv')).toString()).toBe('a,b\n1,2\n');
  });
});
