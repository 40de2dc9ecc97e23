import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createS3Client } from '../../../src/aws/clients';
import type { RunningEmulator } from '../../../plugins/local-stack/emulator-process';
import { startEmulators } from '../../helpers/emulators';

export interface LocalS3 {
  emulator: RunningEmulator;
  client: S3Client;
  stop(): Promise<void>;
}

/** The local S3 of the emulator harness (SigV4 checked) and a shipped client for it, signing with the local credentials. */
export async function startLocalS3(): Promise<LocalS3> {
  const aws = await startEmulators({ services: ['s3'] });
  const client = createS3Client({ credentials: aws.credentials }, aws.env);
  return {
    emulator: aws.emulator('s3'),
    client,
    stop: async () => {
      client.destroy();
      await aws.stop();
    },
  };
}

/** Creates a bucket with a unique name and returns it. */
export async function createTestBucket(client: S3Client, label = 'storage'): Promise<string> {
  const bucket = `intake-test-${label}-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
