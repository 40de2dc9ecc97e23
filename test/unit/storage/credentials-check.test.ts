/* STS cannot be emulated locally: GetCallerIdentity outcomes are mocked with aws-sdk-client-mock. */
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
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
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
