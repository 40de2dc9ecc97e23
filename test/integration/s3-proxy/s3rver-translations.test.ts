/**
 * The local S3 answers as S3 does where s3rver 3.7.1 alone would not: each case drives the real SDK, with
 * the shared client factory's defaults, through the local stack's S3 proxy into a real s3rver.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startS3PostPolicyProxy } from '../../../plugins/local-stack/s3-proxy';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createTestBucket, startLocalS3, type LocalS3 } from '../storage/local-s3';

let s3: LocalS3;
let client: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = await startLocalS3();
  client = s3.client;
  bucket = await createTestBucket(client, 'translate');
}, 30_000);

afterAll(() => s3?.stop());

const tagsOf = async (Key: string) =>
  Object.fromEntries(
    ((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }))).TagSet ?? []).map((tag) => [
      tag.Key,
      tag.Value,
    ]),
  );
const textOf = async (Key: string) =>
  (await client.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString();
const put = (Key: string, Body: string, extra: { Tagging?: string } = {}) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));
const s3ErrorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; $metadata: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata.httpStatusCode,
    }),
  );

describe('object tags through the local S3', () => {
  it('stores the tags PutObject sends in its x-amz-tagging header', async () => {
    await put('tags/put.txt', 'x', { Tagging: 'status=new&document-id=abc%20123' });
    expect(await tagsOf('tags/put.txt')).toEqual({ status: 'new', 'document-id': 'abc 123' });
  });

  it('copies the source tags with the object (TaggingDirective COPY, the default)', async () => {
    await put('tags/source.txt', 'copy me', { Tagging: 'status=new' });

    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'tags/copied.txt',
        CopySource: `${bucket}/tags/source.txt`,
      }),
    );

    expect(await textOf('tags/copied.txt')).toBe('copy me');
    expect(await tagsOf('tags/copied.txt')).toEqual({ status: 'new' });
  });

  it('replaces the tags on a copy with TaggingDirective REPLACE', async () => {
    await put('tags/replace-source.txt', 'x', { Tagging: 'status=new' });

    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'tags/replaced.txt',
        CopySource: `${bucket}/tags/replace-source.txt`,
        TaggingDirective: 'REPLACE',
        Tagging: 'status=moved',
      }),
    );

    expect(await tagsOf('tags/replaced.txt')).toEqual({ status: 'moved' });
    expect(await tagsOf('tags/replace-source.txt')).toEqual({ status: 'new' });
  });

  it('answers a copy of a missing source with NoSuchKey, writing no tags', async () => {
    const error = await s3ErrorOf(
      client.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'tags/none', CopySource: `${bucket}/tags/absent` }),
      ),
    );
    expect(error).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('refuses a copy source that names no key with 400 InvalidArgument', async () => {
    const error = await s3ErrorOf(
      client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'tags/none', CopySource: bucket })),
    );
    expect(error).toEqual({ name: 'InvalidArgument', status: 400 });
  });

  it('refuses more than 10 tags with 400 BadRequest, storing nothing, as S3 does', async () => {
    const eleven = Array.from({ length: 11 }, (_, index) => `t${index}=v`).join('&');

    const error = await s3ErrorOf(put('tags/eleven.txt', 'x', { Tagging: eleven }));

    expect(error).toEqual({ name: 'BadRequest', status: 400 });
    expect(await s3ErrorOf(textOf('tags/eleven.txt'))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it.each([
    ['a repeated key', 'a=1&a=2'],
    ['an empty key', '=v'],
    ['a key over 128 characters', `${'k'.repeat(129)}=v`],
    ['a value over 256 characters', `note=${'v'.repeat(257)}`],
  ])('refuses %s with 400 InvalidTag, storing nothing', async (_case, Tagging) => {
    const error = await s3ErrorOf(put('tags/invalid.txt', 'x', { Tagging }));

    expect(error).toEqual({ name: 'InvalidTag', status: 400 });
    expect(await s3ErrorOf(textOf('tags/invalid.txt'))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('refuses a copy whose replacement tags S3 would refuse, copying nothing', async () => {
    await put('tags/copy-source.txt', 'x');
    const Tagging = Array.from({ length: 11 }, (_, index) => `t${index}=v`).join('&');

    const error = await s3ErrorOf(
      client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'tags/copy-refused.txt',
          CopySource: `${bucket}/tags/copy-source.txt`,
          TaggingDirective: 'REPLACE',
          Tagging,
        }),
      ),
    );

    expect(error).toEqual({ name: 'BadRequest', status: 400 });
    expect(await s3ErrorOf(textOf('tags/copy-refused.txt'))).toEqual({ name: 'NoSuchKey', status: 404 });
  });
});

describe('copy sources encoded as S3 expects them', () => {
  it('reads a copy source with a leading slash and a version id', async () => {
    await put('enc/versioned.txt', 'v');
    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'enc/versioned-copy.txt',
        CopySource: `/${bucket}/enc/versioned.txt?versionId=null`,
      }),
    );
    expect(await textOf('enc/versioned-copy.txt')).toBe('v');
  });

  it('refuses a copy source whose percent-encoding is malformed with 400 InvalidArgument', async () => {
    const error = await s3ErrorOf(
      client.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'enc/x', CopySource: `${bucket}/enc/%E0%A4%A` }),
      ),
    );
    expect(error).toEqual({ name: 'InvalidArgument', status: 400 });
  });

  it('copies keys with spaces, unicode, plus, percent and hash signs, each segment URL-encoded', async () => {
    const key = 'enc/ünï cødé/file name + 100% #1 (1) 📄.pdf';
    await put(key, 'encoded');
    const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'enc/copy.pdf', CopySource: source }));

    expect(await textOf('enc/copy.pdf')).toBe('encoded');
  });
});

describe('ListObjectVersions on a bucket that was never versioned', () => {
  it('lists each object once as version "null", the latest, page after page', async () => {
    for (const name of ['a', 'b', 'c']) await put(`versions/${name}`, name);
    await put('elsewhere/z', 'z');

    const first = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'versions/', MaxKeys: 2 }),
    );
    const second = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: 'versions/',
        MaxKeys: 2,
        KeyMarker: first.NextKeyMarker,
        VersionIdMarker: first.NextVersionIdMarker,
      }),
    );

    expect(first.Versions?.map((version) => [version.Key, version.VersionId, version.IsLatest])).toEqual([
      ['versions/a', 'null', true],
      ['versions/b', 'null', true],
    ]);
    expect(first).toMatchObject({
      IsTruncated: true,
      NextKeyMarker: 'versions/b',
      NextVersionIdMarker: 'null',
    });
    expect(first.Versions?.[0]).toMatchObject({
      Size: 1,
      ETag: expect.any(String),
      LastModified: expect.any(Date),
    });
    expect(second.Versions?.map((version) => version.Key)).toEqual(['versions/c']);
    expect(second.IsTruncated).toBe(false);
    expect(second.DeleteMarkers).toBeUndefined();
  });

  it('groups keys under a delimiter into common prefixes', async () => {
    await put('grouped/one/x', 'x');
    await put('grouped/two/y', 'y');
    await put('grouped/top', 't');

    const page = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'grouped/', Delimiter: '/' }),
    );

    expect(page.Versions?.map((version) => version.Key)).toEqual(['grouped/top']);
    expect(page.CommonPrefixes?.map((common) => common.Prefix)).toEqual(['grouped/one/', 'grouped/two/']);
  });

  it('lets DeleteObjects erase the listed versions by their VersionId', async () => {
    await put('erase/1', '1');
    await put('erase/2', '2');
    const { Versions = [] } = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'erase/' }),
    );

    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: Versions.map(({ Key, VersionId }) => ({ Key, VersionId })) },
      }),
    );

    expect(deleted.Errors).toBeUndefined();
    const left = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'erase/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('answers NoSuchBucket for a bucket that does not exist', async () => {
    const error = await s3ErrorOf(client.send(new ListObjectVersionsCommand({ Bucket: 'intake-test-nope' })));
    expect(error).toEqual({ name: 'NoSuchBucket', status: 404 });
  });
});

describe('streamed uploads with the SDK default checksums', () => {
  it('stores the bytes of an aws-chunked body, not its chunk framing', async () => {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'chunked/stream.txt',
        Body: Readable.from([Buffer.from('hello '), Buffer.from('stream')]),
        ContentLength: 12,
      }),
    );

    expect(await textOf('chunked/stream.txt')).toBe('hello stream');
    expect(
      (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'chunked/stream.txt' }))).ContentLength,
    ).toBe(12);
  });
});

describe('conditional reads', () => {
  it('serves a read whose If-Match names the current ETag, and refuses a stale one with 412', async () => {
    const first = await put('conditional/doc', 'v1');
    expect(
      await (
        await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'conditional/doc', IfMatch: first.ETag }),
        )
      ).Body!.transformToString(),
    ).toBe('v1');
    await put('conditional/doc', 'v2');

    const stale = await s3ErrorOf(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional/doc', IfMatch: first.ETag })),
    );

    expect(stale).toEqual({ name: 'PreconditionFailed', status: 412 });
    const staleHead = await s3ErrorOf(
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'conditional/doc', IfMatch: first.ETag })),
    );
    expect(staleHead?.status).toBe(412);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'conditional/doc', IfMatch: '*' })),
    ).resolves.toMatchObject({ ContentLength: 2 });
  });

  it('answers NoSuchKey, not 412, for a conditional read of a missing object', async () => {
    const error = await s3ErrorOf(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional/absent', IfMatch: '"abc"' })),
    );
    expect(error).toEqual({ name: 'NoSuchKey', status: 404 });
  });
});

describe('presigned object writes', () => {
  it('keeps a presigned create-only PUT from replacing an existing object (412), as S3 does', async () => {
    await put('presigned/taken.txt', 'first');
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: 'presigned/taken.txt', IfNoneMatch: '*' }),
      { expiresIn: 60 },
    );

    const response = await fetch(url, { method: 'PUT', headers: { 'if-none-match': '*' }, body: 'second' });

    expect(response.status).toBe(412);
    expect(await textOf('presigned/taken.txt')).toBe('first');
  });
});

describe('a tag write the emulator fails after storing the object', () => {
  const stubCredentials = { accessKeyId: 'stub-key', secretAccessKey: 'stub-secret' };

  it('answers 500 InternalError, so the client retries the whole put (stub emulator: s3rver stores any tags)', async () => {
    const emulator = createServer((req, res) => {
      req.resume();
      res.writeHead(req.url?.includes('?tagging') ? 500 : 200).end();
    });
    await new Promise<void>((resolve) => emulator.listen(0, '127.0.0.1', resolve));
    const { port } = emulator.address() as AddressInfo;
    const proxy = await startS3PostPolicyProxy({
      listenPort: 0,
      targetEndpoint: `http://127.0.0.1:${port}`,
      accessKeys: [stubCredentials],
      region: 'us-east-1',
    });
    const stubClient = new S3Client({
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      credentials: stubCredentials,
      maxAttempts: 1,
    });
    try {
      const error = await s3ErrorOf(
        stubClient.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x', Tagging: 'a=1' })),
      );
      expect(error).toEqual({ name: 'InternalError', status: 500 });
    } finally {
      stubClient.destroy();
      await proxy.stop();
      await new Promise((resolve) => emulator.close(resolve));
    }
  });
});
