/* Test and benchmark infrastructure: never imported by a function. */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../../src/aws/clients';
import { startEmulator, type RunningEmulator } from '../../plugins/local-stack/emulator-process';

/** A random high port; a clash with another engineer's run only fails that start. */
export const randomPort = () => 20_000 + Math.floor(Math.random() * 40_000);

export interface EmulatedAws {
  s3: S3Client;
  sqs: SQSClient;
  dynamoDb: DynamoDBClient;
  emulators: { s3: RunningEmulator; sqs: RunningEmulator; dynamodb: RunningEmulator };
  env: NodeJS.ProcessEnv;
  bucket: string;
  table: string;
  queueUrl: string;
  dlqUrl: string;
  /** Stops the SQS emulator (the queue is "down"). */
  stopSqs(): Promise<void>;
  /** Starts it again on the same port (in memory: the queues are created again). */
  restartSqs(): Promise<void>;
  stop(): Promise<void>;
}

/** Emulated S3 (s3rver), SQS (fauxqs) and DynamoDB (dynalite) with the webhook resources created. */
export async function startEmulatedAws(options: {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}): Promise<EmulatedAws> {
  const [s3, sqsEmulator, dynamodb] = await Promise.all([
    startEmulator('s3', { port: randomPort() }),
    startEmulator('sqs', { port: randomPort() }),
    startEmulator('dynamodb', { port: randomPort() }),
  ]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  };
  // The SDK's credential chain reads process.env, not `env`: pass the emulators' dummy keys explicitly.
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const s3Client = createS3Client({ credentials }, env);
  const sqs = createSqsClient({ credentials, maxAttempts: 1 }, env);
  const dynamoDb = createDynamoDbClient({ credentials }, env);
  const bucket = 'intake-test-documents';
  const table = 'intake-test-idempotency';
  try {
    await provision();
  } catch (error) {
    await Promise.all([s3.stop(), sqsEmulator.stop(), dynamodb.stop()]);
    throw error;
  }
  async function provision() {
    await s3Client.send(new CreateBucketCommand({ Bucket: bucket }));
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  }
  const createQueues = async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'intake-test-webhooks-dlq' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'intake-test-webhooks',
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: Attributes!.QueueArn,
            maxReceiveCount: options.maxReceiveCount,
          }),
        },
      }),
    );
    return { queueUrl: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
  };
  let urls: { queueUrl: string; dlqUrl: string };
  try {
    urls = await createQueues();
  } catch (error) {
    await Promise.all([s3.stop(), sqsEmulator.stop(), dynamodb.stop()]);
    throw error;
  }
  const emulated: EmulatedAws = {
    s3: s3Client,
    sqs,
    dynamoDb,
    emulators: { s3, sqs: sqsEmulator, dynamodb },
    env,
    bucket,
    table,
    ...urls,
    async stopSqs() {
      await emulated.emulators.sqs.stop();
    },
    async restartSqs() {
      emulated.emulators.sqs = await startEmulator('sqs', { port: sqsEmulator.port });
      Object.assign(emulated, await createQueues());
    },
    async stop() {
      for (const client of [s3Client, sqs, dynamoDb]) client.destroy();
      await Promise.all([
        emulated.emulators.s3.stop(),
        emulated.emulators.sqs.stop(),
        emulated.emulators.dynamodb.stop(),
      ]);
    },
  };
  return emulated;
}
