import { randomUUID } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '../../../src/errors';
import { checkCredentials } from '../../../src/aws/storage/credentials-check';
import { S3BucketAdmin } from '../../../src/aws/storage/s3-buckets';
import { S3ObjectStorage } from '../../../src/aws/storage/s3-object-storage';
import { startLocalS3, type LocalS3 } from './local-s3';

let s3: LocalS3;
let admin: S3BucketAdmin;
const uniqueBucket = () => `intake-admin-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  s3 = await startLocalS3();
  admin = new S3BucketAdmin({ client: s3.client, localEmulator: true });
}, 20_000);

afterAll(() => s3?.stop());

describe('S3BucketAdmin on s3rver', () => {
  it('creates a missing bucket and reports the settings s3rver cannot apply', async () => {
    const bucket = uniqueBucket();

    const report = await admin.ensureBucket(bucket, {
      encryption: { type: 'aws:kms', keyId: 'alias/intake' },
    });

    expect(report).toEqual({
      bucket,
      created: true,
      encryption: 'unsupported-locally',
      versioning: 'unsupported-locally',
      publicAccessBlock: 'unsupported-locally',
    });
    expect((await admin.listBuckets()).map((summary) => summary.name)).toContain(bucket);
  });

  it('is idempotent: a second ensureBucket finds the bucket and creates nothing', async () => {
    const bucket = uniqueBucket();
    await admin.ensureBucket(bucket);

    const again = await admin.ensureBucket(bucket, { versioning: false, blockPublicAccess: false });

    expect(again).toMatchObject({
      created: false,
      versioning: 'not-requested',
      publicAccessBlock: 'not-requested',
    });
  });

  it('lists buckets with their creation dates', async () => {
    const bucket = uniqueBucket();
    await admin.createBucket(bucket);
    const summary = (await admin.listBuckets()).find((candidate) => candidate.name === bucket);
    expect(summary?.createdAt).toBeInstanceOf(Date);
  });

  it('refuses to delete a bucket that still holds objects unless asked to empty it', async () => {
    const bucket = uniqueBucket();
    await admin.createBucket(bucket);
    const storage = new S3ObjectStorage({ bucket, client: s3.client, localEmulator: true });
    await storage.put('a', 'x');
    await storage.put('b/c', 'y');

    await expect(admin.deleteBucket(bucket)).rejects.toBeInstanceOf(InvalidRequestError);
    await admin.deleteBucket(bucket, { empty: true });

    expect((await admin.listBuckets()).map((summary) => summary.name)).not.toContain(bucket);
    await expect(storage.head('a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an invalid bucket name with InvalidRequestError', async () => {
    await expect(admin.createBucket('Not_A_Valid_Bucket')).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('checkCredentials against the local S3 endpoint', () => {
  it('proves the endpoint answers with a cheap S3 call (the emulator has no STS)', async () => {
    expect(await checkCredentials({ s3Client: s3.client, localEmulator: true })).toEqual({ via: 's3' });
  });
});
