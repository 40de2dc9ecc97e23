import { S3Client } from '@aws-sdk/client-s3';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { InvalidRequestError, TimeoutError } from '../../../src/errors';
import { S3DownloadUrls } from '../../../src/aws/storage/s3-download-urls';
import { S3UploadForms } from '../../../src/aws/storage/s3-upload-forms';

/*
 * Presigning is local computation: these run with dummy credentials and no network, against the AWS
 * endpoint shape (virtual-hosted, default checksums).
 */

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const awsClient = new S3Client({ region: 'eu-west-1', credentials });
const presignClient = new S3Client({
  region: 'eu-west-1',
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const kms = { type: 'aws:kms', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc' } as const;
const forms = new S3UploadForms({ bucket: 'docs', client: presignClient, encryption: kms });
const downloads = new S3DownloadUrls({ bucket: 'docs', client: presignClient });

function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
}

describe('download URLs without a CDN: presigned GETs', () => {
  it('override the download filename and type, valid for an hour by default', async () => {
    const url = new URL(
      await downloads.urlFor('uploads/1/a b.pdf', {
        responseContentDisposition: 'attachment; filename="a.pdf"',
        responseContentType: 'application/pdf',
      }),
    );
    expect(url.pathname).toBe('/uploads/1/a%20b.pdf');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="a.pdf"');
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
  });

  it("carry no checksum mode, signed with the main client's credentials even when it validates checksums by default", async () => {
    const url = await new S3DownloadUrls({ bucket: 'docs', client: awsClient }).urlFor('k');

    expect(url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
    expect(new URL(url).host).toBe('docs.s3.eu-west-1.amazonaws.com');
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\//);
  });

  it.each([0, -1, 1.5, 604_801])('refuse an expiry of %p seconds', async (expiresIn) => {
    await expect(downloads.urlFor('k', { expiresIn })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it.each([1, 604_800])('accept the bound of %p seconds', async (expiresIn) => {
    const url = await downloads.urlFor('k', { expiresIn });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(expiresIn));
  });

  it('reject an aborted call with TimeoutError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(downloads.urlFor('k', { signal: controller.signal })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('presigned POST', () => {
  it('bounds size, type and key prefix, and signs the SSE-KMS fields the bucket requires', async () => {
    const before = Date.now();
    const post = await forms.presignPost({
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

  it('uses an SSE-S3 choice of the call over the bucket default', async () => {
    const post = await forms.presignPost({ key: 'k', maxSize: 5, encryption: { type: 'AES256' } });
    expect(post.fields['x-amz-server-side-encryption']).toBe('AES256');
    expect(post.fields['x-amz-server-side-encryption-aws-kms-key-id']).toBeUndefined();
  });

  it('pins an exact key and allows a content-type prefix', async () => {
    const post = await forms.presignPost({
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
    await expect(forms.presignPost(options)).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('urlFor through a CDN', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  it('returns the plain CDN URL with encoded segments when the distribution is public', async () => {
    const cdnStorage = new S3DownloadUrls({
      bucket: 'docs',
      client: awsClient,
      cdn: { baseUrl: 'https://cdn.example.com/files' },
    });
    expect(await cdnStorage.urlFor('uploads/1/a b+ü.pdf')).toBe(
      'https://cdn.example.com/files/uploads/1/a%20b%2B%C3%BC.pdf',
    );
  });

  it('signs the URL with a canned policy that CloudFront can verify with the public key', async () => {
    const cdnStorage = new S3DownloadUrls({
      bucket: 'docs',
      client: awsClient,
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
    const broken = new S3DownloadUrls({
      bucket: 'docs',
      client: awsClient,
      cdn: { baseUrl: 'https://cdn.example.com', keyPairId: 'K', privateKey: 'not a pem key' },
    });
    const error = await broken.urlFor('a.pdf').catch((reason: unknown) => reason as Error);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).not.toContain('not a pem key');
  });
});
