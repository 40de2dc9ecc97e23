/*
 * Bucket settings as AWS applies them (s3rver implements none of encryption, versioning, public access
 * block or object versions), so these request shapes and failures are checked with aws-sdk-client-mock.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { AccessDeniedError, InvalidRequestError, ServiceUnavailableError } from '../../../src/errors';
import { S3BucketAdmin } from '../../../src/aws/storage/s3-buckets';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const admin = new S3BucketAdmin({ client, localEmulator: false });
const failure = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

beforeEach(() => s3.reset());

describe('S3BucketAdmin in AWS', () => {
  it('creates a missing bucket in the client region and applies KMS encryption, versioning and the public access block', async () => {
    s3.on(HeadBucketCommand).rejects(failure('NotFound', 404));

    const report = await admin.ensureBucket('docs', {
      encryption: { type: 'aws:kms', keyId: 'alias/intake' },
    });

    expect(report).toEqual({
      bucket: 'docs',
      created: true,
      encryption: 'applied',
      versioning: 'applied',
      publicAccessBlock: 'applied',
    });
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
      Bucket: 'docs',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(
      s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration,
    ).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/intake' },
          BucketKeyEnabled: true,
        },
      ],
    });
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]!.args[0].input.VersioningConfiguration).toEqual({
      Status: 'Enabled',
    });
    expect(
      s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('defaults to SSE-S3 and leaves an existing bucket in place', async () => {
    s3.on(HeadBucketCommand).resolves({});
    const report = await admin.ensureBucket('docs');
    expect(report.created).toBe(false);
    expect(s3.commandCalls(CreateBucketCommand)).toHaveLength(0);
    expect(
      s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration!
        .Rules![0],
    ).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false });
  });

  it('treats a bucket created meanwhile by us as already there', async () => {
    s3.on(HeadBucketCommand).rejects(failure('NotFound', 404));
    s3.on(CreateBucketCommand).rejects(failure('BucketAlreadyOwnedByYou', 409));
    expect((await admin.ensureBucket('docs')).created).toBe(false);
  });

  it('fails on a bucket owned by another account', async () => {
    s3.on(HeadBucketCommand).rejects(failure('Forbidden', 403));
    await expect(admin.ensureBucket('docs')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('does not excuse a setting S3 refuses, as it would on the emulator', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(PutBucketVersioningCommand).rejects(failure('NotImplemented', 501));
    await expect(admin.ensureBucket('docs')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('creates a us-east-1 bucket without a location constraint', async () => {
    const usClient = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const us = mockClient(usClient);
    await new S3BucketAdmin({ client: usClient, localEmulator: false }).createBucket('docs');
    expect(us.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'docs' });
    us.restore();
  });

  it('empties a versioned bucket page by page, every version and delete marker, before deleting it', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        IsTruncated: true,
        NextKeyMarker: 'b',
        NextVersionIdMarker: 'v2',
        Versions: [{ Key: 'a', VersionId: 'v1' }],
        DeleteMarkers: [{ Key: 'b', VersionId: 'v2' }],
      })
      .resolves({ IsTruncated: false, Versions: [{ Key: 'c', VersionId: 'v3' }] });
    s3.on(DeleteObjectsCommand).resolves({});

    await admin.deleteBucket('docs', { empty: true });

    expect(s3.commandCalls(ListObjectVersionsCommand)[1]!.args[0].input).toMatchObject({
      KeyMarker: 'b',
      VersionIdMarker: 'v2',
    });
    expect(s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete!.Objects)).toEqual([
      [
        { Key: 'a', VersionId: 'v1' },
        { Key: 'b', VersionId: 'v2' },
      ],
      [{ Key: 'c', VersionId: 'v3' }],
    ]);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(1);
  });

  it('stops with a retryable error when some versions could not be deleted', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'a', VersionId: 'v1' }] });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'a', Code: 'AccessDenied' }] });
    await expect(admin.deleteBucket('docs', { empty: true })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });

  it('refuses to delete a non-empty bucket when not asked to empty it', async () => {
    s3.on(DeleteBucketCommand).rejects(failure('BucketNotEmpty', 409));
    await expect(admin.deleteBucket('docs')).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
