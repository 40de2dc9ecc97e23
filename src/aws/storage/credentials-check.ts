import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { getS3Client, sharedClientOptions } from '../clients';
import { toIntegrationError } from '../error-mapping';
import { CredentialsError } from '../../errors';
import { loadConfig } from '../../config';
import type { CallOptions } from './object-storage';

export interface CredentialsCheckOptions extends CallOptions {
  /** STS client for AWS (default: one built with the shared client options). */
  stsClient?: STSClient;
  /** S3 client for the local emulator (default: the process-wide one). */
  s3Client?: S3Client;
  /** Check through the local S3 emulator (default: when AWS_ENDPOINT_URL_S3 is set). */
  localEmulator?: boolean;
}

export interface CredentialsIdentity {
  /** How the credentials were proven: STS in AWS, a cheap S3 call against the emulator. */
  via: 'sts' | 's3';
  account?: string;
  arn?: string;
}

const HOW_TO_FIX =
  'No usable AWS credentials: set AWS_PROFILE (and run `aws sso login` if it uses SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/**
 * Proves the credentials work before real work starts: STS GetCallerIdentity in AWS (needs no IAM
 * permission), ListBuckets against a local S3 endpoint (which has no STS). Missing, expired or invalid
 * credentials throw a CredentialsError that says how to fix them; other failures throw their typed error.
 */
export async function checkCredentials(options: CredentialsCheckOptions = {}): Promise<CredentialsIdentity> {
  const local =
    options.localEmulator ?? loadConfig(['AWS_ENDPOINT_URL_S3']).AWS_ENDPOINT_URL_S3 !== undefined;
  const context = local
    ? { service: 's3', operation: 'ListBuckets' }
    : { service: 'sts', operation: 'GetCallerIdentity' };
  // A one-off check: a client we create here is destroyed afterwards so no keep-alive socket lingers.
  const ownStsClient = local || options.stsClient ? undefined : new STSClient(sharedClientOptions());
  try {
    options.signal?.throwIfAborted();
    if (local) {
      await (options.s3Client ?? getS3Client()).send(new ListBucketsCommand({}), {
        abortSignal: options.signal,
      });
      return { via: 's3' };
    }
    const identity = await (options.stsClient ?? ownStsClient)!.send(new GetCallerIdentityCommand({}), {
      abortSignal: options.signal,
    });
    return {
      via: 'sts',
      ...(identity.Account ? { account: identity.Account } : {}),
      ...(identity.Arn ? { arn: identity.Arn } : {}),
    };
  } catch (error) {
    const mapped = toIntegrationError(error, context);
    if (mapped instanceof CredentialsError)
      throw new CredentialsError(HOW_TO_FIX, { ...context, cause: error });
    throw mapped;
  } finally {
    ownStsClient?.destroy();
  }
}
