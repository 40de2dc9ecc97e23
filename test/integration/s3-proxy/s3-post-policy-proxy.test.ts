import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import type { RunningEmulator } from '../../../plugins/local-stack/emulator-process';
import { startEmulators, type Emulators } from '../../helpers/emulators';

const bucket = 'post-policy-tests';

let aws: Emulators;
/** The local S3 as clients see it: the proxy in front of s3rver. */
let proxy: RunningEmulator;
let client: S3Client;
let clock = () => new Date();

beforeAll(async () => {
  aws = await startEmulators({ services: ['s3'], s3Clock: () => clock() });
  client = aws.s3;
  proxy = aws.emulator('s3');
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}, 30_000);

afterAll(async () => {
  await aws?.stop();
});

afterEach(() => {
  clock = () => new Date();
});

const presign = (key: string, options: Partial<PresignedPostOptions> = {}) =>
  createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Expires: 60,
    Conditions: [
      ['content-length-range', 1, 1000],
      ['eq', '$Content-Type', 'application/pdf'],
    ],
    Fields: { 'Content-Type': 'application/pdf' },
    ...options,
  });

/** Sends the form exactly as a browser does: the presigned fields, then the file, as multipart/form-data. */
async function upload(
  post: { url: string; fields: Record<string, string> },
  file: Buffer,
  options: { filename?: string; fieldOverrides?: Record<string, string>; type?: string } = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, ...options.fieldOverrides }))
    form.append(name, value);
  form.append(
    'file',
    new Blob([new Uint8Array(file)], { type: options.type ?? 'application/pdf' }),
    options.filename ?? 'doc.pdf',
  );
  const response = await fetch(post.url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function stored(key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('local S3 presigned POST enforcement', () => {
  it('stores an upload within every condition and answers 204 with its ETag', async () => {
    const key = 'uploads/ok/Grüße report.pdf';
    const post = await presign(key);
    expect(post.url).toBe(`${proxy.endpoint}/${bucket}`);
    const result = await upload(post, Buffer.from('%PDF-1.4 hello'));
    expect(result.status).toBe(204);
    expect(result.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(object.ContentType).toBe('application/pdf');
    expect(await object.Body!.transformToString()).toBe('%PDF-1.4 hello');
  });

  it('refuses a file over content-length-range with 400 EntityTooLarge and stores nothing', async () => {
    const key = 'uploads/big/doc.pdf';
    const result = await upload(await presign(key), Buffer.alloc(1001, 1));
    expect(result.status).toBe(400);
    expect(result.body).toContain('<Code>EntityTooLarge</Code>');
    expect(result.body).toContain('<MaxSizeAllowed>1000</MaxSizeAllowed>');
    expect(result.body).toContain('<ProposedSize>1001</ProposedSize>');
    expect(await stored(key)).toBe(false);
  });

  it('refuses a file under content-length-range with 400 EntityTooSmall', async () => {
    const key = 'uploads/small/doc.pdf';
    const post = await presign(key, { Conditions: [['content-length-range', 10, 1000]], Fields: {} });
    const result = await upload(post, Buffer.from('tiny'));
    expect(result.status).toBe(400);
    expect(result.body).toContain('<Code>EntityTooSmall</Code>');
    expect(await stored(key)).toBe(false);
  });

  it('refuses a Content-Type the policy does not allow with 403 AccessDenied', async () => {
    const key = 'uploads/type/doc.pdf';
    const result = await upload(await presign(key), Buffer.from('png'), {
      fieldOverrides: { 'Content-Type': 'image/png' },
    });
    expect(result.status).toBe(403);
    expect(result.body).toContain('<Code>AccessDenied</Code>');
    expect(result.body).toContain('Policy Condition failed: ["eq","$Content-Type","application/pdf"]');
    expect(await stored(key)).toBe(false);
  });

  it('refuses a key outside the signed prefix with 403', async () => {
    const post = await presign('uploads/mine/${filename}');
    const result = await upload(post, Buffer.from('x'), {
      fieldOverrides: { key: 'uploads/theirs/doc.pdf' },
    });
    expect(result.status).toBe(403);
    expect(result.body).toContain('starts-with');
    expect(await stored('uploads/theirs/doc.pdf')).toBe(false);
  });

  it('refuses an expired policy with 403 "Policy expired"', async () => {
    const key = 'uploads/late/doc.pdf';
    const post = await presign(key, { Expires: 5 });
    clock = () => new Date(Date.now() + 6_000);
    const result = await upload(post, Buffer.from('x'));
    expect(result.status).toBe(403);
    expect(result.body).toContain('Policy expired.');
    expect(await stored(key)).toBe(false);
  });

  it('refuses a forged signature with 403 SignatureDoesNotMatch', async () => {
    const key = 'uploads/forged/doc.pdf';
    const post = await presign(key);
    const forged = post.fields['X-Amz-Signature']!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const result = await upload(post, Buffer.from('x'), { fieldOverrides: { 'X-Amz-Signature': forged } });
    expect(result.status).toBe(403);
    expect(result.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(await stored(key)).toBe(false);
  });

  it('refuses a policy edited after signing (a larger size limit) with 403', async () => {
    const key = 'uploads/edited/doc.pdf';
    const post = await presign(key);
    const policy = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString());
    policy.conditions[0] = ['content-length-range', 1, 10_000_000];
    const edited = Buffer.from(JSON.stringify(policy)).toString('base64');
    const result = await upload(post, Buffer.alloc(2000), { fieldOverrides: { Policy: edited } });
    expect(result.status).toBe(403);
    expect(await stored(key)).toBe(false);
  });

  it('refuses a key signed for another access key with 403 InvalidAccessKeyId', async () => {
    const post = await presign('uploads/other/doc.pdf');
    const credential = post.fields['X-Amz-Credential']!.replace(/^[^/]+/, 'AKIAOTHER');
    const result = await upload(post, Buffer.from('x'), {
      fieldOverrides: { 'X-Amz-Credential': credential },
    });
    expect(result.status).toBe(403);
    expect(result.body).toContain('InvalidAccessKeyId');
  });

  it('refuses form fields the policy does not cover with 403 "Extra input fields"', async () => {
    const result = await upload(await presign('uploads/extra/doc.pdf'), Buffer.from('x'), {
      fieldOverrides: { 'x-amz-meta-owner': 'mallory' },
    });
    expect(result.status).toBe(403);
    expect(result.body).toContain('Extra input fields: x-amz-meta-owner');
  });

  it('substitutes ${filename} with the name of the uploaded file', async () => {
    const post = await presign('uploads/named/${filename}');
    const result = await upload(post, Buffer.from('%PDF named'), { filename: 'Résumé 2026.pdf' });
    expect(result.status).toBe(204);
    expect(await stored('uploads/named/Résumé 2026.pdf')).toBe(true);
    expect(await stored('uploads/named/${filename}')).toBe(false);
  });

  it('stores covered metadata and answers success_action_status 201 with a PostResponse', async () => {
    const key = 'uploads/meta/doc.pdf';
    const post = await presign(key, {
      Fields: {
        'Content-Type': 'application/pdf',
        'x-amz-meta-origin': 'test',
        success_action_status: '201',
      },
    });
    const result = await upload(post, Buffer.from('%PDF meta'));
    expect(result.status).toBe(201);
    expect(result.body).toContain(`<Key>${key}</Key>`);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.Metadata).toEqual({ origin: 'test' });
  });

  it('refuses a POST without a policy (anonymous) with 403, and a malformed policy with 400', async () => {
    const anonymous = new FormData();
    anonymous.append('key', 'uploads/anon/x');
    anonymous.append('file', new Blob(['x']), 'x');
    const denied = await fetch(`${proxy.endpoint}/${bucket}`, { method: 'POST', body: anonymous });
    expect(denied.status).toBe(403);
    const post = await presign('uploads/bad/doc.pdf');
    const result = await upload(post, Buffer.from('x'), { fieldOverrides: { Policy: 'bm90IGpzb24=' } });
    expect(result.status).toBe(400);
    expect(result.body).toContain('InvalidPolicyDocument');
  });

  it('answers 400 when the key or the file is missing', async () => {
    const post = await presign('uploads/missing/doc.pdf');
    const noFile = new FormData();
    for (const [name, value] of Object.entries(post.fields)) noFile.append(name, value);
    const response = await fetch(post.url, { method: 'POST', body: noFile });
    expect(response.status).toBe(400);
    const noKey = new FormData();
    for (const [name, value] of Object.entries(post.fields)) if (name !== 'key') noKey.append(name, value);
    noKey.append('file', new Blob(['x']), 'x');
    const missingKey = await fetch(post.url, { method: 'POST', body: noKey });
    expect(missingKey.status).toBe(400);
    expect(await missingKey.text()).toContain("field named 'key'");
  });

  it('applies a covered tagging field and redirects to success_action_redirect with bucket, key and ETag', async () => {
    const key = 'uploads/tagged/doc.pdf';
    const tagging = '<Tagging><TagSet><Tag><Key>stage</Key><Value>new</Value></Tag></TagSet></Tagging>';
    const post = await presign(key, {
      Fields: { 'Content-Type': 'application/pdf', tagging, success_action_redirect: 'http://app.test/done' },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['%PDF tagged']), 'doc.pdf');
    const response = await fetch(post.url, { method: 'POST', body: form, redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      bucket,
      key,
      etag: expect.stringMatching(/^"/),
    });
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'stage', Value: 'new' }]);
  });

  it('answers 200 with an empty body for success_action_status 200, ignoring fields after the file', async () => {
    const key = 'uploads/status200/doc.pdf';
    const post = await presign(key, {
      Fields: { 'Content-Type': 'application/pdf', success_action_status: '200' },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['%PDF 200']), 'doc.pdf');
    form.append('x-amz-meta-late', 'ignored, as S3 ignores fields after the file');
    const response = await fetch(post.url, {
      method: 'POST',
      body: form,
      headers: { origin: 'http://app.test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe('');
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata).toEqual({});
  });

  it("passes the emulator's own error through (a bucket that does not exist)", async () => {
    const post = await createPresignedPost(client, { Bucket: 'no-such-bucket', Key: 'k', Expires: 60 });
    const result = await upload(post, Buffer.from('x'));
    expect(result.status).toBe(404);
    expect(result.body).toContain('NoSuchBucket');
  });

  it('answers 400 MalformedPOSTRequest to a multipart body without a boundary or cut short', async () => {
    const noBoundary = await fetch(`${proxy.endpoint}/${bucket}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    expect(noBoundary.status).toBe(400);
    expect(await noBoundary.text()).toContain('MalformedPOSTRequest');
    const cut = await fetch(`${proxy.endpoint}/${bucket}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/x',
    });
    expect(cut.status).toBe(400);
  });

  it('streams large bodies both ways through the proxy (a 6 MB PUT, which the SDK sends with Expect: 100-continue, and its GET)', async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 7);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/large.bin', Body: body }));
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain/large.bin' }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('passes every other request through to the emulator unchanged', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/put.txt', Body: 'via proxy' }));
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain/put.txt' }));
    expect(await object.Body!.transformToString()).toBe('via proxy');
  });
});

describe('create-only PUT (If-None-Match: *), which s3rver ignores, enforced as AWS does', () => {
  it('answers 412 PreconditionFailed for an existing key and leaves the object as it was', async () => {
    const key = `conditional/${crypto.randomUUID()}.json`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first', IfNoneMatch: '*' }));
    const error = await client
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second', IfNoneMatch: '*' }))
      .catch((reason: unknown) => reason);
    expect(error).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe('first');
  });

  it('lets exactly one of many racing create-only PUTs of one key win (replay of the re-POST race)', async () => {
    const key = `conditional/${crypto.randomUUID()}.json`;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: `writer ${index}`, IfNoneMatch: '*' }),
        ),
      ),
    );
    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe(`writer ${winners[0]}`);
  });

  it('still replaces an object on a plain PUT', async () => {
    const key = `conditional/${crypto.randomUUID()}.json`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second' }));
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe('second');
  });
});
