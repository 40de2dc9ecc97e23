/* STS cannot be emulated locally: GetCallerIdentity outcomes are mocked with aws-sdk-client-mock. */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CredentialsError, ThrottledError, TimeoutError } from '../../../src/errors';
import { checkCredentials } from '../../../src/aws/storage/credentials-check';

const stsClient = new STSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const sts = mockClient(stsClient);

beforeEach(() => sts.reset());

describe('checkCredentials in AWS', () => {
  it('answers with the account and ARN STS sees', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/ci' });
    expect(await checkCredentials({ stsClient, localEmulator: false })).toEqual({
      via: 'sts',
      account: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/ci',
    });
  });

  it.each([
    [
      'no credentials at all',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    ],
    [
      'an expired session',
      new STSServiceException({
        name: 'ExpiredToken',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'expired',
      }),
    ],
    [
      'an unknown access key',
      new STSServiceException({
        name: 'InvalidClientTokenId',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'bad',
      }),
    ],
  ])('turns %s into a CredentialsError saying how to fix it', async (_case, failure) => {
    sts.on(GetCallerIdentityCommand).rejects(failure);
    const error = await checkCredentials({ stsClient, localEmulator: false }).catch(
      (reason: unknown) => reason as Error,
    );
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toMatch(/AWS_PROFILE|AWS_ACCESS_KEY_ID/);
    expect(error).toMatchObject({ service: 'sts', operation: 'GetCallerIdentity', retryable: false });
  });

  it('passes other failures through as their own typed error', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'slow',
      }),
    );
    await expect(checkCredentials({ stsClient, localEmulator: false })).rejects.toBeInstanceOf(
      ThrottledError,
    );
  });

  it('rejects an aborted check with TimeoutError before calling STS', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      checkCredentials({ stsClient, localEmulator: false, signal: controller.signal }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe('checkCredentials defaults', () => {
  it('builds (and afterwards destroys) its own STS client when none is given', async () => {
    const everySts = mockClient(STSClient);
    everySts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    try {
      expect(await checkCredentials({ localEmulator: false })).toEqual({
        via: 'sts',
        account: '111122223333',
      });
    } finally {
      everySts.restore();
    }
  });

  it('checks through S3 when AWS_ENDPOINT_URL_S3 points at a local emulator', async () => {
    const s3Client = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const s3 = mockClient(s3Client);
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4569';
    try {
      expect(await checkCredentials({ s3Client })).toEqual({ via: 's3' });
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
      else process.env.AWS_ENDPOINT_URL_S3 = saved;
    }
  });
});
