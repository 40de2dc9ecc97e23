import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createS3Client } from '../../../src/aws/clients';
import { startEmulator, type RunningEmulator } from '../../../plugins/local-stack/emulator-process';

export interface LocalS3 {
  emulator: RunningEmulator;
  client: S3Client;
  stop(): Promise<void>;
}

/** s3rver on a random high port and a client for it (dummy credentials, as the emulator checks none). */
export async function startLocalS3(): Promise<LocalS3> {
  const emulator = await startEmulator('s3', { port: 0 });
  const client = createS3Client(
    { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: emulator.endpoint },
  );
  return {
    emulator,
    client,
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}

/** Creates a bucket with a unique name and returns it. */
export async function createTestBucket(client: S3Client, label = 'storage'): Promise<string> {
  const bucket = `intake-test-${label}-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
