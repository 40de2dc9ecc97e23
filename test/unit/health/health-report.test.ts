import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { checkIntegrations, type HealthSettings } from '../../../src/health/health-report';

// Health aggregation with mocked clients: failures such as AccessDenied, a deleting table or a hung call
// cannot be provoked on the emulators (the integration test covers the real reachable/unreachable paths).
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const dynamoDb = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);

const deps = {
  s3: new S3Client({ region: 'us-east-1' }),
  sqs: new SQSClient({ region: 'us-east-1' }),
  dynamoDb: new DynamoDBClient({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
};

const account = '123456789012';
const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/${account}/intake-dev-${name}`;
const settings: HealthSettings = {
  bucket: 'intake-dev-documents',
  queues: {
    webhooks: { queueUrl: queueUrl('webhooks'), dlqUrl: queueUrl('webhooks-dlq') },
    documents: { queueUrl: queueUrl('documents'), dlqUrl: queueUrl('documents-dlq') },
  },
  tableName: 'intake-dev-idempotency',
  lambdaFunctions: [],
  timeoutMs: 200,
};

function serviceError(name: string, status: number) {
  return Object.assign(new Error(`${name} for arn:aws:s3:::${account}`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  for (const mock of [s3, sqs, dynamoDb, lambda]) mock.reset();
  s3.on(HeadBucketCommand).resolves({});
  sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({
    Attributes: QueueUrl.endsWith('-dlq')
      ? { ApproximateNumberOfMessages: '1' }
      : {
          ApproximateNumberOfMessages: '3',
          ApproximateNumberOfMessagesNotVisible: '2',
          ApproximateNumberOfMessagesDelayed: '1',
        },
  }));
  dynamoDb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
  lambda.on(InvokeCommand).resolves({ StatusCode: 204 });
});

describe('checkIntegrations', () => {
  it('is ok when every integration answers, with latency and queue depths under logical names', async () => {
    const report = await checkIntegrations(deps, settings);
    expect(report).toEqual({
      status: 'ok',
      failing: [],
      checks: {
        s3: { status: 'ok', latencyMs: expect.any(Number) },
        sqs: {
          status: 'ok',
          latencyMs: expect.any(Number),
          queues: { webhooks: { depth: 6, dlqDepth: 1 }, documents: { depth: 6, dlqDepth: 1 } },
        },
        dynamodb: { status: 'ok', latencyMs: expect.any(Number), tableStatus: 'ACTIVE' },
      },
    });
  });

  it('never reveals queue URLs, account ids or raw error messages', async () => {
    s3.on(HeadBucketCommand).rejects(serviceError('AccessDenied', 403));
    const text = JSON.stringify(await checkIntegrations(deps, settings));
    expect(text).not.toContain(account);
    expect(text).not.toContain('amazonaws.com');
    expect(text).not.toContain('arn:');
  });

  it('names the failing check with a safe reason', async () => {
    s3.on(HeadBucketCommand).rejects(serviceError('NotFound', 404));
    const report = await checkIntegrations(deps, settings);
    expect(report.status).toBe('error');
    expect(report.failing).toEqual(['s3']);
    expect(report.checks.s3).toEqual({
      status: 'error',
      latencyMs: expect.any(Number),
      reason: 'NOT_FOUND (NotFound)',
    });
    expect(report.checks.sqs?.status).toBe('ok');
  });

  it('fails sqs when any queue or DLQ is missing', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queueUrl('documents-dlq') })
      .rejects(serviceError('AWS.SimpleQueueService.NonExistentQueue', 400));
    const report = await checkIntegrations(deps, settings);
    expect(report.failing).toEqual(['sqs']);
    expect(report.checks.sqs?.reason).toBe('NOT_FOUND (AWS.SimpleQueueService.NonExistentQueue)');
  });

  it('fails dynamodb when the table is not usable', async () => {
    dynamoDb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'DELETING' } });
    const report = await checkIntegrations(deps, settings);
    expect(report.checks.dynamodb).toMatchObject({ status: 'error', reason: 'TABLE_DELETING' });
  });

  it('omits the lambda check when no functions are named, and checks each named one otherwise', async () => {
    expect(Object.keys((await checkIntegrations(deps, settings)).checks)).not.toContain('lambda');
    const report = await checkIntegrations(deps, {
      ...settings,
      lambdaFunctions: ['intake-dev-a', 'intake-dev-b'],
    });
    expect(report.checks.lambda).toEqual({ status: 'ok', latencyMs: expect.any(Number), functions: 2 });
    expect(lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input)).toEqual([
      { FunctionName: 'intake-dev-a', InvocationType: 'DryRun' },
      { FunctionName: 'intake-dev-b', InvocationType: 'DryRun' },
    ]);
  });

  it('fails the lambda check when a named function is missing or refuses the DryRun invoke', async () => {
    lambda
      .on(InvokeCommand, { FunctionName: 'intake-local-missing' })
      .rejects(serviceError('ResourceNotFoundException', 404));
    lambda
      .on(InvokeCommand, { FunctionName: 'intake-local-unsupported' })
      .rejects(serviceError('InvalidParameterValueException', 400));
    const ok = await checkIntegrations(deps, { ...settings, lambdaFunctions: ['intake-local-a'] });
    expect(ok.checks.lambda?.status).toBe('ok');
    const missing = await checkIntegrations(deps, {
      ...settings,
      lambdaFunctions: ['intake-local-a', 'intake-local-missing'],
    });
    expect(missing.checks.lambda).toMatchObject({
      status: 'error',
      reason: 'NOT_FOUND (ResourceNotFoundException)',
    });
    const unsupported = await checkIntegrations(deps, {
      ...settings,
      lambdaFunctions: ['intake-local-unsupported'],
    });
    expect(unsupported.checks.lambda?.status).toBe('error');
  });

  it('bounds a hung call by the timeout and aborts it', async () => {
    dynamoDb.on(DescribeTableCommand).callsFake(
      () =>
        new Promise(() => {
          /* never settles */
        }),
    );
    s3.on(HeadBucketCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const report = await checkIntegrations(deps, { ...settings, timeoutMs: 100 });
    const elapsed = Date.now() - started;
    expect(report.failing.sort()).toEqual(['dynamodb', 's3']);
    expect(report.checks.dynamodb).toMatchObject({ status: 'error', reason: 'TIMEOUT' });
    expect(elapsed).toBeLessThan(1_000);
  });

  it('reports several failing checks at once', async () => {
    s3.on(HeadBucketCommand).rejects(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    sqs.on(GetQueueAttributesCommand).rejects(serviceError('ThrottlingException', 400));
    const report = await checkIntegrations(deps, settings);
    expect(report.failing).toEqual(['s3', 'sqs']);
    expect(report.checks.s3?.reason).toBe('SERVICE_UNAVAILABLE (ECONNREFUSED)');
    expect(report.checks.sqs?.reason).toBe('THROTTLED (ThrottlingException)');
  });
});
