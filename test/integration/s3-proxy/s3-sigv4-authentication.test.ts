/**
 * The local S3 authenticates every request as AWS does for a private bucket: each attack below is
 * replayed against the real proxy in front of a real s3rver, and refused with S3's status and error code
 * before it reaches the emulator; the same requests, correctly signed, are served.
 */
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutBucketCorsCommand,
  PutObjectTaggingCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import type { RunningEmulator } from '../../../plugins/local-stack/emulator-process';
import { startEmulators, type Emulators } from '../../helpers/emulators';

const region = 'us-east-1';
const bucket = 'sigv4-tests';
const ownerAKey = 'uploads/owner-a/0001/statement.pdf';
const ownerBKey = 'uploads/owner-b/0002/payslip.pdf';

let aws: Emulators;
/** The local S3 as clients see it: the proxy in front of s3rver. */
let proxy: RunningEmulator;
let client: S3Client;
let credentials: Emulators['credentials'];
let clock = () => new Date();

const clientWith = (overrides: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    region,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });

beforeAll(async () => {
  aws = await startEmulators({ services: ['s3'], region, s3Clock: () => clock() });
  ({ credentials } = aws);
  proxy = aws.emulator('s3');
  client = clientWith();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const Key of [ownerAKey, ownerBKey])
    await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `%PDF-1.7 ${Key}` }));
}, 30_000);

afterAll(async () => {
  client?.destroy();
  await aws?.stop();
});

afterEach(() => {
  clock = () => new Date();
});

/** The S3 error an answer carries: status and `<Code>` (undefined for a success). */
async function s3Error(
  response: Response,
): Promise<{ status: number; code: string | undefined; body: string }> {
  const body = await response.text();
  return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1], body };
}

/** What an SDK call failed with: S3's status and error code. */
async function sdkFailure(call: Promise<unknown>): Promise<{ status: number | undefined; code: string }> {
  try {
    await call;
  } catch (error) {
    const failure = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { status: failure.$metadata?.httpStatusCode, code: failure.name };
  }
  throw new Error('the call succeeded');
}

const exists = async (Key: string) => {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    return true;
  } catch {
    return false;
  }
};

const presignedGet = (Key: string, expiresIn = 60) =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key }), { expiresIn });

describe('requests without a valid signature are refused as AWS refuses them', () => {
  it('an unsigned PUT: 403 AccessDenied, nothing stored', async () => {
    const key = 'uploads/anonymous/planted.pdf';
    const answer = await s3Error(
      await fetch(`${proxy.endpoint}/${bucket}/${key}`, { method: 'PUT', body: '%PDF-1.7 planted' }),
    );
    expect(answer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(answer.body).toMatch(/<RequestId>[0-9A-F]+<\/RequestId>/);
    expect(await exists(key)).toBe(false);
  });

  it("an unsigned GET of someone's document: 403 AccessDenied", async () => {
    const answer = await s3Error(await fetch(`${proxy.endpoint}/${bucket}/${ownerAKey}`));
    expect(answer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(answer.body).not.toContain('%PDF');
  });

  it("an unsigned ListObjectsV2 of every owner's documents: 403 AccessDenied", async () => {
    const answer = await s3Error(await fetch(`${proxy.endpoint}/${bucket}?list-type=2`));
    expect(answer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(answer.body).not.toContain('owner-b');
  });

  it('an unsigned DELETE: 403 AccessDenied, the object stays', async () => {
    const answer = await s3Error(
      await fetch(`${proxy.endpoint}/${bucket}/${ownerBKey}`, { method: 'DELETE' }),
    );
    expect(answer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await exists(ownerBKey)).toBe(true);
  });

  it('a request signed with a wrong secret: 403 SignatureDoesNotMatch', async () => {
    const forger = clientWith({ credentials: { ...credentials, secretAccessKey: 'guessed-secret' } });
    try {
      expect(await sdkFailure(forger.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
      const key = 'uploads/forger/planted.pdf';
      expect(
        await sdkFailure(forger.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))),
      ).toEqual({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
      expect(await exists(key)).toBe(false);
    } finally {
      forger.destroy();
    }
  });

  it('a request signed with an unknown access key: 403 InvalidAccessKeyId', async () => {
    const stranger = clientWith({ credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' } });
    try {
      expect(
        await sdkFailure(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: ownerAKey }))),
      ).toEqual({
        status: 403,
        code: 'InvalidAccessKeyId',
      });
    } finally {
      stranger.destroy();
    }
  });

  it('a correctly signed request whose headers were changed on the way: 403 SignatureDoesNotMatch', async () => {
    const tamperer = clientWith();
    tamperer.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-meta-owner'] = 'owner-b';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamperAfterSigning' },
    );
    tamperer.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-meta-owner'] = 'owner-a';
        return next(args);
      },
      { step: 'build', name: 'metaBeforeSigning' },
    );
    try {
      const key = 'uploads/owner-a/tampered.pdf';
      expect(
        await sdkFailure(tamperer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))),
      ).toEqual({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
      expect(await exists(key)).toBe(false);
    } finally {
      tamperer.destroy();
    }
  });

  it('a signed PUT whose body was swapped after signing: 400 XAmzContentSHA256Mismatch, nothing stored', async () => {
    const swapper = clientWith();
    swapper.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: unknown }).body = '%PDF-1.7 evil!!';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'swapBodyAfterSigning' },
    );
    try {
      const key = 'uploads/owner-a/swapped.pdf';
      const sent = swapper.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '%PDF-1.7 honest' }));
      expect(await sdkFailure(sent)).toEqual({ status: 400, code: 'XAmzContentSHA256Mismatch' });
      expect(await exists(key)).toBe(false);
    } finally {
      swapper.destroy();
    }
  });

  it('a header-signed request more than 15 minutes old: 403 RequestTimeTooSkewed', async () => {
    clock = () => new Date(Date.now() + 16 * 60 * 1000);
    // A client of its own: the SDK corrects its clock from the ServerTime of this answer, as with AWS.
    const late = clientWith();
    try {
      expect(await sdkFailure(late.send(new GetObjectCommand({ Bucket: bucket, Key: ownerAKey })))).toEqual({
        status: 403,
        code: 'RequestTimeTooSkewed',
      });
    } finally {
      late.destroy();
    }
  });

  it('a presigned GET with one character of its signature changed: 403 SignatureDoesNotMatch', async () => {
    const url = new URL(await presignedGet(ownerAKey));
    const signature = url.searchParams.get('X-Amz-Signature')!;
    const last = signature.at(-1)!;
    url.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${last === '0' ? '1' : '0'}`);
    expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('an expired presigned GET: 403 AccessDenied "Request has expired"', async () => {
    const url = await presignedGet(ownerAKey, 60);
    clock = () => new Date(Date.now() + 61 * 1000);
    const answer = await s3Error(await fetch(url));
    expect(answer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(answer.body).toContain('<Message>Request has expired</Message>');
  });

  it("a presigned GET of one owner's document pointed at another owner's key: 403 SignatureDoesNotMatch", async () => {
    const url = new URL(await presignedGet(ownerAKey));
    url.pathname = `/${bucket}/${ownerBKey}`;
    const answer = await s3Error(await fetch(url));
    expect(answer).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(answer.body).not.toContain('%PDF');
  });

  it('a presigned GET whose credential scope names another day or region than it was signed for: refused', async () => {
    const url = new URL(await presignedGet(ownerAKey));
    const credential = url.searchParams.get('X-Amz-Credential')!;
    const [key, day, scopeRegion, ...rest] = credential.split('/');
    const otherDay = day!.endsWith('1') ? `${day!.slice(0, -1)}2` : `${day!.slice(0, -1)}1`;
    url.searchParams.set('X-Amz-Credential', [key, otherDay, scopeRegion, ...rest].join('/'));
    expect(await s3Error(await fetch(url))).toMatchObject({
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
    url.searchParams.set('X-Amz-Credential', [key, day, 'eu-west-1', ...rest].join('/'));
    expect(await s3Error(await fetch(url))).toMatchObject({
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });

  it('a presigned GET with its X-Amz-Expires rewritten to an equal number: 403 SignatureDoesNotMatch', async () => {
    const url = new URL(await presignedGet(ownerAKey, 60));
    url.searchParams.set('X-Amz-Expires', '060');
    expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('a presigned GET valid for more than 7 days: 400 AuthorizationQueryParametersError', async () => {
    const url = new URL(await presignedGet(ownerAKey));
    url.searchParams.set('X-Amz-Expires', String(8 * 24 * 3600));
    expect(await s3Error(await fetch(url))).toMatchObject({
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });

  /** The URL as S3 reads it (percent-escapes decoded); a malformed escape is a change in itself. */
  const decodedOrRaw = (url: string) => {
    try {
      return decodeURIComponent(url);
    } catch {
      return url;
    }
  };

  it('any one-character change to a presigned URL that changes what it says is refused (fuzz)', async () => {
    const original = await presignedGet(ownerAKey, 300);
    const start = original.indexOf(`/${bucket}/`) + 1;
    const alphabet = 'abcdefABCDEF0123456789-_.~/';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: start, max: original.length - 1 }),
        fc.constantFrom(...alphabet),
        async (position, replacement) => {
          const mutated = `${original.slice(0, position)}${replacement}${original.slice(position + 1)}`;
          // `%2F` → `%2f` is the same URL once decoded, and AWS accepts it too: not a tampering.
          fc.pre(decodedOrRaw(mutated) !== decodedOrRaw(original));
          const response = await fetch(mutated);
          const answer = await s3Error(response);
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.body).not.toContain('%PDF');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any one-character change to a header-signed request after signing is refused (fuzz)', async () => {
    const mutation = { field: '', position: 0, replacement: '', changed: true };
    const tamperer = clientWith();
    tamperer.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { path: string; headers: Record<string, string> };
        const original = mutation.field === 'path' ? request.path : request.headers[mutation.field]!;
        const position = mutation.position % original.length;
        const changed = `${original.slice(0, position)}${mutation.replacement}${original.slice(position + 1)}`;
        mutation.changed = changed !== original;
        if (mutation.field === 'path') request.path = changed;
        else request.headers[mutation.field] = changed;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'mutateAfterSigning' },
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('authorization', 'x-amz-date', 'x-amz-content-sha256', 'path'),
          fc.nat(),
          fc.constantFrom(...'abcdef0123456789XYZ-_.~'),
          async (field, position, replacement) => {
            Object.assign(mutation, { field, position, replacement });
            const sent = tamperer.send(new GetObjectCommand({ Bucket: bucket, Key: ownerAKey }));
            const failure = await sdkFailure(sent).catch(() => undefined);
            fc.pre(mutation.changed);
            expect([400, 403]).toContain(failure?.status);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      tamperer.destroy();
    }
  });

  it('SigV2, even correctly signed, is never accepted: 400 InvalidRequest', async () => {
    const expires = String(Math.floor(Date.now() / 1000) + 60);
    const stringToSign = `GET\n\n\n${expires}\n/${bucket}/${ownerAKey}`;
    const signature = createHmac('sha1', credentials.secretAccessKey).update(stringToSign).digest('base64');
    const query = new URLSearchParams({
      AWSAccessKeyId: credentials.accessKeyId,
      Expires: expires,
      Signature: signature,
    });
    expect(await s3Error(await fetch(`${proxy.endpoint}/${bucket}/${ownerAKey}?${query}`))).toMatchObject({
      status: 400,
      code: 'InvalidRequest',
    });
    const date = new Date().toUTCString();
    const headerSignature = createHmac('sha1', credentials.secretAccessKey)
      .update(`GET\n\n\n${date}\n/${bucket}/${ownerAKey}`)
      .digest('base64');
    const answer = await fetch(`${proxy.endpoint}/${bucket}/${ownerAKey}`, {
      headers: { date, authorization: `AWS ${credentials.accessKeyId}:${headerSignature}` },
    });
    expect(await s3Error(answer)).toMatchObject({ status: 400, code: 'InvalidRequest' });
  });
});

describe('the same requests, correctly signed, are served', () => {
  it('PUT, GET, HEAD, ListObjectsV2, tagging, copy and DeleteObjects signed by the SDK', async () => {
    const key = 'uploads/owner-a/0003/signed file (1).pdf';
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '%PDF-1.7 signed' }));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body!.transformToString()).toBe('%PDF-1.7 signed');
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'uploads/owner-a/' }),
    );
    expect(listed.Contents?.map((object) => object.Key)).toContain(key);
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: key,
        Tagging: { TagSet: [{ Key: 'scan', Value: 'clean' }] },
      }),
    );
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'scan', Value: 'clean' }]);
    const copy = 'manifests/owner-a/0003.json';
    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: copy,
        CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }, { Key: copy }] } }),
    );
    expect(deleted.Errors ?? []).toEqual([]);
    expect(await exists(key)).toBe(false);
  });

  it('a multipart upload (lib-storage) and a streamed body with the SDK default checksums', async () => {
    const key = 'uploads/owner-a/0004/large.bin';
    const body = Buffer.alloc(6 * 1024 * 1024, 7);
    await new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(body.length);
    const defaults = clientWith({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    try {
      const streamed = 'uploads/owner-a/0004/streamed.bin';
      await defaults.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: streamed,
          Body: Readable.from([Buffer.from('abc')]),
          ContentLength: 3,
        }),
      );
      expect(await exists(streamed)).toBe(true);
    } finally {
      defaults.destroy();
    }
  });

  it('a presigned GET and a presigned PUT, as a browser or curl uses them', async () => {
    const got = await fetch(await presignedGet(ownerAKey));
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(`%PDF-1.7 ${ownerAKey}`);
    const key = 'uploads/owner-a/0005/presigned-put.pdf';
    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'application/pdf' }),
      {
        expiresIn: 60,
      },
    );
    const put = await fetch(putUrl, {
      method: 'PUT',
      body: '%PDF-1.7 put',
      headers: { 'content-type': 'application/pdf' },
    });
    expect(put.status).toBe(200);
    expect(await exists(key)).toBe(true);
  });

  it('a presigned GET still inside its lifetime, and a header-signed request 14 minutes off, are accepted', async () => {
    const url = await presignedGet(ownerAKey, 60);
    clock = () => new Date(Date.now() + 50 * 1000);
    expect((await fetch(url)).status).toBe(200);
    clock = () => new Date(Date.now() - 14 * 60 * 1000);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: ownerAKey }));
    expect(head.ContentLength).toBeGreaterThan(0);
  });

  it('CORS preflights pass unsigned, as in AWS', async () => {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'POST'], AllowedOrigins: ['*'] }] },
      }),
    );
    const preflight = await fetch(`${proxy.endpoint}/${bucket}/${ownerAKey}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
  });
});
