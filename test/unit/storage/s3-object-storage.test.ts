/*
 * Error paths and exact request shapes of the S3 adapter that the local S3 cannot produce or show:
 * throttling, 5xx, access denied, the tagging and copy headers, versioned erasure. The happy paths run
 * through the local S3 in test/integration/storage.
 */
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import {
  AccessDeniedError,
  InvalidRequestError,
  PreconditionFailedError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../../src/errors';
import { readAll } from '../../../src/aws/storage/body';
import { S3ObjectStorage } from '../../../src/aws/storage/s3-object-storage';

const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const kms = { type: 'aws:kms', keyId: 'arn:aws:kms:us-east-1:111122223333:key/abc' } as const;
const storage = new S3ObjectStorage({ bucket: 'docs', client, encryption: kms });

function serviceError(
  name: string,
  status: number,
  fault: 'client' | 'server' = status >= 500 ? 'server' : 'client',
) {
  return new S3ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

beforeEach(() => s3.reset());

describe('S3ObjectStorage error mapping (mocked: the local S3 never throttles, fails or denies)', () => {
  it('turns SlowDown left after the SDK retries into a retryable ThrottledError', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('SlowDown', 503));
    const error = await storage.put('k', 'x').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({
      retryable: true,
      service: 's3',
      operation: 'PutObject',
      resource: 'docs/k',
    });
  });

  it('turns an internal error into a retryable ServiceUnavailableError', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('InternalError', 500));
    await expect(storage.exists('k')).rejects.toMatchObject({
      constructor: ServiceUnavailableError,
      retryable: true,
    });
  });

  it('turns AccessDenied (IAM or the KMS key) into a non-retryable AccessDeniedError', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(storage.getBytes('k')).rejects.toMatchObject({
      constructor: AccessDeniedError,
      retryable: false,
    });
  });

  it('lets exists() report failures other than absence', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(storage.exists('k')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('sends If-Match and the Range header, and maps a failed precondition to PreconditionFailedError', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    await expect(storage.get('k', { ifMatch: '"abc"', range: { start: 2, end: 5 } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'docs',
      Key: 'k',
      IfMatch: '"abc"',
      Range: 'bytes=2-5',
    });
  });

  it('maps an error in the middle of a streamed body to a typed error', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    s3.on(GetObjectCommand).resolves({
      Body: failing as never,
      ContentLength: 10,
      ContentRange: 'bytes 0-9/100',
    });

    const object = await storage.get('k', { range: { start: 0, end: 9 } });

    expect(object).toMatchObject({ contentLength: 10, size: 100, contentType: 'application/octet-stream' });
    await expect(readAll(object.body)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('S3ObjectStorage request shapes in AWS', () => {
  it('puts tags in the x-amz-tagging header and the bucket encryption in SSE headers, in one request', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"', VersionId: 'v1' });

    const result = await storage.put('k', 'x', {
      tags: { status: 'new', note: 'a b' },
      cacheControl: 'no-store',
    });

    expect(result).toEqual({ key: 'k', etag: '"e"', versionId: 'v1', size: 1 });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Tagging: 'status=new&note=a%20b',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: kms.keyId,
      CacheControl: 'no-store',
      ContentType: 'application/octet-stream',
    });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it('encodes every segment of the copy source and replaces tags with the copy itself', async () => {
    s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e"' }, VersionId: 'v2' });

    const result = await storage.copy('uploads/a+b/ü 1.pdf', 'quarantine/x.pdf', {
      tags: { status: 'quarantined' },
    });

    expect(result).toEqual({ key: 'quarantine/x.pdf', etag: '"e"', versionId: 'v2' });
    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toMatchObject({
      CopySource: 'docs/uploads/a%2Bb/%C3%BC%201.pdf',
      MetadataDirective: 'COPY',
      TaggingDirective: 'REPLACE',
      Tagging: 'status=quarantined',
      ServerSideEncryption: 'aws:kms',
    });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it('keeps the source metadata when a copy replaces only the content type', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentType: 'text/plain', Metadata: { origin: 'upload' } });
    s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e"' } });

    await storage.copy('a', 'b', { contentType: 'text/csv' });

    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toMatchObject({
      MetadataDirective: 'REPLACE',
      ContentType: 'text/csv',
      Metadata: { origin: 'upload' },
    });
  });

  it('erases every version and delete marker under a prefix, page after page, by VersionId', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        IsTruncated: true,
        NextKeyMarker: 'clean/o/d/v/a.pdf',
        NextVersionIdMarker: 'v2',
        Versions: [
          { Key: 'clean/o/d/v/a.pdf', VersionId: 'v1' },
          { Key: 'clean/o/d/v/a.pdf', VersionId: 'v2' },
        ],
        DeleteMarkers: [{ Key: 'clean/o/d/v/a.pdf', VersionId: 'm1' }],
      })
      .resolves({
        IsTruncated: false,
        Versions: [{ Key: 'clean/o/d/w/b.pdf', VersionId: 'v3' }],
      });
    s3.on(DeleteObjectsCommand)
      .resolvesOnce({})
      .resolves({ Errors: [{ Key: 'clean/o/d/w/b.pdf', VersionId: 'v3', Code: 'AccessDenied' }] });

    const result = await storage.deleteEveryVersion('clean/o/d/');

    const listed = s3.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
    expect(listed).toEqual([
      { Bucket: 'docs', Prefix: 'clean/o/d/' },
      { Bucket: 'docs', Prefix: 'clean/o/d/', KeyMarker: 'clean/o/d/v/a.pdf', VersionIdMarker: 'v2' },
    ]);
    const deleted = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete!.Objects);
    expect(deleted).toEqual([
      [
        { Key: 'clean/o/d/v/a.pdf', VersionId: 'v1' },
        { Key: 'clean/o/d/v/a.pdf', VersionId: 'v2' },
        { Key: 'clean/o/d/v/a.pdf', VersionId: 'm1' },
      ],
      [{ Key: 'clean/o/d/w/b.pdf', VersionId: 'v3' }],
    ]);
    expect(result.deleted).toEqual(['clean/o/d/v/a.pdf', 'clean/o/d/v/a.pdf', 'clean/o/d/v/a.pdf']);
    expect(result.errors).toEqual([
      { key: 'clean/o/d/w/b.pdf', code: 'AccessDenied', message: 'not deleted' },
    ]);
  });

  it('writes create-only with If-None-Match: * and maps an existing key (412) to PreconditionFailedError', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    const error = await storage
      .put('manifests/m.json', '{}', { ifNoneMatch: '*' })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ IfNoneMatch: '*' });
  });

  it('refuses a create-only put of a stream (multipart has no If-None-Match here), before any request', async () => {
    const error = await storage
      .put('manifests/m.json', Readable.from([Buffer.from('{}')]), { ifNoneMatch: '*' })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses to erase with an empty prefix (the whole bucket), before any request', async () => {
    await expect(storage.deleteEveryVersion('')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(s3.commandCalls(ListObjectVersionsCommand)).toHaveLength(0);
  });

  it('throws when a whole DeleteObjects request fails, so the caller retries', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'p/a', VersionId: 'v1' }] });
    s3.on(DeleteObjectsCommand).rejects(serviceError('InternalError', 500));
    await expect(storage.deleteEveryVersion('p/')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('returns its own cursor (after the last key) only while the listing is truncated, and starts after it', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 'next', Contents: [{ Key: 'p/a', Size: 1 }] })
      .resolves({ IsTruncated: false, Contents: [{ Key: 'p/b', Size: 2, StorageClass: 'GLACIER' }] });

    const first = await storage.list('p/', { limit: 1 });
    const second = await storage.list('p/', { limit: 1, cursor: first.cursor });

    expect(first.cursor).toBe(Buffer.from('p/a').toString('base64url'));
    expect(second).toMatchObject({ items: [{ key: 'p/b', size: 2, storageClass: 'GLACIER' }] });
    expect(second.cursor).toBeUndefined();
    const input = s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input;
    expect(input).toMatchObject({ Prefix: 'p/', MaxKeys: 1, StartAfter: 'p/a' });
    expect(input.ContinuationToken).toBeUndefined();
  });

  it('refuses a cursor it did not issue with INVALID_CURSOR, without calling S3', async () => {
    await expect(storage.list('p/', { cursor: 'garbage' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      statusCode: 400,
    });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});
