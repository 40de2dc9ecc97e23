import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createDynamoDbClient,
  createLambdaClient,
  createS3Client,
  createSqsClient,
} from '../../src/aws/clients';
import { checkIntegrations, type HealthSettings } from '../../src/health/health-report';
import { startEmulator, type RunningEmulator } from '../../src/local/emulator-process';

jest.setTimeout(60_000);

describe('health against the real emulators', () => {
  let s3Emulator: RunningEmulator;
  let sqsEmulator: RunningEmulator;
  let dynamoDbEmulator: RunningEmulator;
  let deps: Parameters<typeof checkIntegrations>[0];
  let settings: HealthSettings;

  beforeAll(async () => {
    [s3Emulator, sqsEmulator, dynamoDbEmulator] = await Promise.all([
      startEmulator('s3', { port: 0 }),
      startEmulator('sqs', { port: 0 }),
      startEmulator('dynamodb', { port: 0 }),
    ]);
    const env = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_S3: s3Emulator.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEmulator.endpoint,
    };
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    deps = {
      s3: createS3Client({ credentials }, env),
      sqs: createSqsClient({ credentials }, env),
      dynamoDb: createDynamoDbClient({ credentials }, env),
      lambda: createLambdaClient({ credentials }, env),
    };
    const queueUrl = async (QueueName: string) =>
      (await deps.sqs.send(new CreateQueueCommand({ QueueName }))).QueueUrl!;
    await deps.s3.send(new CreateBucketCommand({ Bucket: 'intake-test-documents' }));
    await deps.dynamoDb.send(
      new CreateTableCommand({
        TableName: 'intake-test-idempotency',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    settings = {
      bucket: 'intake-test-documents',
      queues: {
        webhooks: {
          queueUrl: await queueUrl('intake-test-webhooks'),
          dlqUrl: await queueUrl('intake-test-webhooks-dlq'),
        },
        documents: {
          queueUrl: await queueUrl('intake-test-documents'),
          dlqUrl: await queueUrl('intake-test-documents-dlq'),
        },
      },
      tableName: 'intake-test-idempotency',
      lambdaFunctions: [],
      timeoutMs: 1_500,
    };
    await deps.sqs.send(
      new SendMessageCommand({ QueueUrl: settings.queues.webhooks!.queueUrl, MessageBody: '{}' }),
    );
    await deps.sqs.send(
      new SendMessageCommand({ QueueUrl: settings.queues.webhooks!.queueUrl, MessageBody: '{}' }),
    );
  });

  afterAll(async () => {
    Object.values(deps ?? {}).forEach((client) => client.destroy());
    await Promise.all([s3Emulator?.stop(), sqsEmulator?.stop(), dynamoDbEmulator?.stop()]);
  });

  it('is ok when every emulator answers, with real queue depths', async () => {
    const report = await checkIntegrations(deps, settings);
    expect(report).toMatchObject({
      status: 'ok',
      failing: [],
      checks: {
        s3: { status: 'ok' },
        sqs: {
          status: 'ok',
          queues: { webhooks: { depth: 2, dlqDepth: 0 }, documents: { depth: 0, dlqDepth: 0 } },
        },
        dynamodb: { status: 'ok', tableStatus: 'ACTIVE' },
      },
    });
  });

  it('names s3 with NOT_FOUND when the bucket does not exist', async () => {
    const report = await checkIntegrations(deps, { ...settings, bucket: 'intake-test-missing' });
    expect(report.failing).toEqual(['s3']);
    expect(report.checks.s3?.reason).toMatch(/^NOT_FOUND/);
  });

  it('names dynamodb when the table does not exist', async () => {
    const report = await checkIntegrations(deps, { ...settings, tableName: 'intake-test-missing' });
    expect(report.failing).toEqual(['dynamodb']);
    expect(report.checks.dynamodb?.reason).toBe('NOT_FOUND (ResourceNotFoundException)');
  });

  it('answers error naming sqs, within the timeout, once the SQS emulator is stopped', async () => {
    await sqsEmulator.stop();
    const started = Date.now();
    const report = await checkIntegrations(deps, settings);
    const elapsed = Date.now() - started;
    expect(report.status).toBe('error');
    expect(report.failing).toEqual(['sqs']);
    expect(report.checks.sqs?.reason).toMatch(/^(SERVICE_UNAVAILABLE|TIMEOUT)/);
    expect(elapsed).toBeLessThan(settings.timeoutMs + 1_000);
  });
});
