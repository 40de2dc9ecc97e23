import { S3Client } from '@aws-sdk/client-s3';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { InvalidRequestError, TimeoutError } from '../../../src/errors';
import { S3ObjectStorage } from '../../../src/aws/storage/s3-object-storage';

/*
 * Presigning is local computation: these run with dummy credentials and no network, against the AWS
 * endpoint shape (virtual-hosted, default checksums) rather than s3rver's.
 */

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const awsClient = new S3Client({ region: 'eu-west-1', credentials });
const presignClient = new S3Client({
  region: 'eu-west-1',
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const kms = { type: 'aws:kms', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc' } as const;
const storage = new S3ObjectStorage({
  bucket: 'docs',
  client: awsClient,
  presignClient,
  localEmulator: false,
  encryption: kms,
});

function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
}

describe('presigned PUT', () => {
  it('signs the SSE-KMS headers as headers and lists them (and the content type) for the uploader', async () => {
    const { url, method, headers, expiresAt } = await storage.presignPut('uploads/1/a b.pdf', {
      contentType: 'application/pdf',
      expiresIn: 300,
    });
    const query = new URL(url).searchParams;

    expect(method).toBe('PUT');
    expect(new URL(url).pathname).toBe('/uploads/1/a%20b.pdf');
    expect(query.get('X-Amz-SignedHeaders')).toBe(
      'host;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id',
    );
    expect(query.get('X-Amz-Expires')).toBe('300');
    expect(headers).toEqual({
      'content-type': 'application/pdf',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': kms.keyId,
    });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 299_000);
  });

  it('carries no checksum of an empty body, even when the main client computes checksums by default', async () => {
    // The sibling presign client comes from createS3Client, which takes credentials from the environment.
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    const withoutPresignClient = new S3ObjectStorage({
      bucket: 'docs',
      client: awsClient,
      localEmulator: false,
    });

    const { url } = await withoutPresignClient.presignPut('k').finally(() => {
      process.env = saved;
    });

    expect(url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
  });

  it('uses an SSE-S3 choice of the call over the bucket default', async () => {
    const { headers } = await storage.presignPut('k', { encryption: { type: 'AES256' } });
    expect(headers).toEqual({ 'x-amz-server-side-encryption': 'AES256' });
  });
});

describe('presigned GET', () => {
  it('overrides the download filename and defaults to a 15 minute expiry', async () => {
    const { url, headers } = await storage.presignGet('k', {
      responseContentDisposition: 'attachment; filename="a.pdf"',
    });
    const query = new URL(url).searchParams;
    expect(query.get('response-content-disposition')).toBe('attachment; filename="a.pdf"');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(headers).toEqual({});
  });

  it.each([0, -1, 1.5, 604_801])('refuses an expiry of %p seconds', async (expiresIn) => {
    await expect(storage.presignGet('k', { expiresIn })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it.each([1, 604_800])('accepts the bound of %p seconds', async (expiresIn) => {
    const { url } = await storage.presignGet('k', { expiresIn });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(expiresIn));
  });

  it('rejects an aborted call with TimeoutError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(storage.presignGet('k', { signal: controller.signal })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('presigned POST', () => {
  it('bounds size, type and key prefix, and signs the SSE-KMS fields the bucket requires', async () => {
    const before = Date.now();
    const post = await storage.presignPost({
      keyPrefix: 'uploads/123/',
      contentType: 'application/pdf',
      maxSize: 10_000_000,
      expiresIn: 600,
      metadata: { 'Document-Id': '123' },
      successActionStatus: 201,
    });
    const policy = decodePolicy(post.fields);

    expect(post.url).toBe('https://docs.s3.eu-west-1.amazonaws.com/');
    expect(post.key).toBe('uploads/123/${filename}');
    expect(post.fields).toMatchObject({
      key: 'uploads/123/${filename}',
      'Content-Type': 'application/pdf',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': kms.keyId,
      'x-amz-meta-document-id': '123',
      success_action_status: '201',
    });
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: 'docs' },
        ['content-length-range', 1, 10_000_000],
        ['starts-with', '$key', 'uploads/123/'],
        { 'Content-Type': 'application/pdf' },
        { 'x-amz-server-side-encryption': 'aws:kms' },
        { 'x-amz-server-side-encryption-aws-kms-key-id': kms.keyId },
        { 'x-amz-meta-document-id': '123' },
      ]),
    );
    const expiration = new Date(policy.expiration).getTime();
    expect(expiration).toBeGreaterThanOrEqual(before + 599_000);
    expect(expiration).toBeLessThanOrEqual(Date.now() + 601_000);
  });

  it('pins an exact key and allows a content-type prefix', async () => {
    const post = await storage.presignPost({
      key: 'avatars/42.png',
      contentTypePrefix: 'image/',
      minSize: 0,
      maxSize: 5,
    });
    expect(decodePolicy(post.fields).conditions).toEqual(
      expect.arrayContaining([
        { key: 'avatars/42.png' },
        ['starts-with', '$Content-Type', 'image/'],
        ['content-length-range', 0, 5],
      ]),
    );
    expect(post.fields['Content-Type']).toBeUndefined();
  });

  it.each([
    ['both key and keyPrefix', { key: 'a', keyPrefix: 'b/', maxSize: 1 }],
    ['neither key nor keyPrefix', { maxSize: 1 }],
    ['an exact key holding ${filename}', { key: 'a/${filename}', maxSize: 1 }],
    [
      'both contentType and contentTypePrefix',
      { key: 'a', contentType: 'a/b', contentTypePrefix: 'a/', maxSize: 1 },
    ],
    ['a minimum above the maximum', { key: 'a', minSize: 10, maxSize: 5 }],
    ['a negative minimum', { key: 'a', minSize: -1, maxSize: 5 }],
    ['an expiry over 7 days', { key: 'a', maxSize: 5, expiresIn: 604_801 }],
  ])('refuses %s', async (_case, options) => {
    await expect(storage.presignPost(options)).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('urlFor through a CDN', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  it('returns the plain CDN URL with encoded segments when the distribution is public', async () => {
    const cdnStorage = new S3ObjectStorage({
      bucket: 'docs',
      client: awsClient,
      localEmulator: false,
      cdn: { baseUrl: 'https://cdn.example.com/files' },
    });
    expect(await cdnStorage.urlFor('uploads/1/a b+ü.pdf')).toBe(
      'https://cdn.example.com/files/uploads/1/a%20b%2B%C3%BC.pdf',
    );
  });

  it('signs the URL with a canned policy that CloudFront can verify with the public key', async () => {
    const cdnStorage = new S3ObjectStorage({
      bucket: 'docs',
      client: awsClient,
      localEmulator: false,
      cdn: { baseUrl: 'https://cdn.example.com/', keyPairId: 'K2JCJMDEHXQW5F', privateKey },
    });

    const signed = new URL(await cdnStorage.urlFor('a.pdf', { expiresIn: 120 }));

    const expires = Number(signed.searchParams.get('Expires'));
    expect(signed.searchParams.get('Key-Pair-Id')).toBe('K2JCJMDEHXQW5F');
    expect(expires * 1000).toBeGreaterThan(Date.now() + 100_000);
    expect(expires * 1000).toBeLessThanOrEqual(Date.now() + 121_000);
    const policy = `{"Statement":[{"Resource":"https://cdn.example.com/a.pdf","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
    const signature = signed.searchParams
      .get('Signature')!
      .replace(/-/g, '+')
      .replace(/_/g, '=')
      .replace(/~/g, '/');
    expect(createVerify('RSA-SHA1').update(policy).verify(publicKey, signature, 'base64')).toBe(true);
  });

  it('refuses an unusable signing key with InvalidRequestError, without echoing the key', async () => {
    const broken = new S3ObjectStorage({
      bucket: 'docs',
      client: awsClient,
      localEmulator: false,
      cdn: { baseUrl: 'https://cdn.example.com', keyPairId: 'K', privateKey: 'not a pem key' },
    });
    const error = await broken.urlFor('a.pdf').catch((reason: unknown) => reason as Error);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).not.toContain('not a pem key');
  });

  it('gives a presigned GET valid for an hour when no CDN is configured', async () => {
    const url = new URL(await storage.urlFor('a.pdf'));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
  });
});
