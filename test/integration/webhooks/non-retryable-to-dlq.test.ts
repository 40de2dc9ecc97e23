import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { toIntegrationError } from '../../../src/aws/error-mapping';
import { FAILURE_CODE_ATTRIBUTE, sqsDeadLetterQueue } from '../../../src/aws/sqs-dead-letter';
import { sqsBatchHandler, type SqsBatchHandler } from '../../../src/middleware/sqs';
import { dynamoDbDeliveryGuards } from '../../../src/webhooks/idempotency';
import { serialiseWebhookMessage } from '../../../src/webhooks/message';
import { createWebhookProcessor } from '../../../src/webhooks/processor';
import { parseRoutes } from '../../../src/webhooks/routes';
import { s3TextStore } from '../../../src/webhooks/s3-text';
import type { EmulatorClients } from '../../../plugins/local-stack/emulator-clients';
import { LocalStack } from '../../../plugins/local-stack/local-stack';
import { silentLog } from '../../../plugins/local-stack/log';
import type { CfnResource } from '../../../plugins/local-stack/provision';
import type { FunctionDefinition } from '../../../plugins/local-stack/service-model';
import {
  clientsOfStack,
  eventually,
  inProcessInvoker,
  localStackTestSettings,
  queueDepth,
  type RecordedInvocation,
} from '../../helpers/emulators';

jest.setTimeout(60_000);

/**
 * The SQS edge over the real emulated queue (fauxqs, with its redrive policy) and the local event-source
 * mapping, running the real webhook processor on s3rver and dynalite: a message that fails its schema
 * goes to the DLQ on its first receive, while a throttled delivery is retried until it goes through.
 */
const MAX_RECEIVE_COUNT = 5;
const resources: Record<string, CfnResource> = {
  Documents: { Type: 'AWS::S3::Bucket', Properties: {} },
  Idempotency: {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    },
  },
  WebhooksDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
  Webhooks: {
    Type: 'AWS::SQS::Queue',
    Properties: {
      VisibilityTimeout: 1,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['WebhooksDlq', 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      },
    },
  },
};
// As serverless/webhooks.yml declares webhook-process: the DLQ's URL by Ref, partial batch failures.
const functions: Record<string, FunctionDefinition> = {
  process: {
    name: 'it-webhook-process',
    environment: {
      WEBHOOKS_DLQ_URL: { Ref: 'WebhooksDlq' },
      DOCUMENTS_BUCKET: { Ref: 'Documents' },
      IDEMPOTENCY_TABLE: { Ref: 'Idempotency' },
    },
    events: [
      {
        sqs: {
          arn: { 'Fn::GetAtt': ['Webhooks', 'Arn'] },
          batchSize: 10,
          functionResponseType: 'ReportBatchItemFailures',
        },
      },
    ],
  },
};

const context = {
  awsRequestId: 'it',
  functionName: 'it-webhook-process',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const delivery = (id: string) =>
  serialiseWebhookMessage({
    meta: {
      v: 1,
      source: 'github',
      type: 'push',
      id,
      receivedAt: new Date().toISOString(),
      encoding: 'utf8',
      headers: {},
    },
    body: '{"ref":"refs/heads/main"}',
  });

describe('non-retryable SQS records on emulated SQS (fauxqs redrive, local event-source mapping)', () => {
  let stack: LocalStack;
  let clients: EmulatorClients;
  let handler: SqsBatchHandler | undefined;
  const dispatchAttempts = new Map<string, number>();
  const delivered: string[] = [];
  const invoker = inProcessInvoker({
    'it-webhook-process': (event) => handler!(event as SQSEvent, context),
  });
  const urlOf = (logicalId: string) =>
    stack.state!.resources.queues.find((queue) => queue.logicalId === logicalId)!.url;
  const receivesOf = (messageId: string) =>
    invoker.invocations.filter((invocation: RecordedInvocation) =>
      (invocation.event as SQSEvent).Records.some((record) => record.messageId === messageId),
    ).length;
  const depth = (queueUrl: string) => queueDepth(clients.sqs, queueUrl);

  beforeAll(async () => {
    stack = await LocalStack.start(
      {
        service: 'it',
        stage: 'local',
        region: 'us-east-1',
        functions,
        providerEnvironment: {},
        resources,
        httpUrl: 'http://127.0.0.1:1',
        lambdaEndpoint: 'http://127.0.0.1:65000',
      },
      {
        settings: await localStackTestSettings(),
        log: silentLog,
        invoke: invoker.invoke,
        sqsWaitTimeSeconds: 1,
      },
    );
    clients = clientsOfStack(stack.state!);
    const environment = functions.process!.environment as Record<string, string>;
    handler = sqsBatchHandler(
      createWebhookProcessor({
        bucket: environment.DOCUMENTS_BUCKET!,
        storage: s3TextStore(clients.s3, environment.DOCUMENTS_BUCKET!),
        routes: parseRoutes({ routes: [{ source: '*', type: '*', function: 'downstream' }] }),
        // Lambda cannot be made to throttle locally: the first two invokes of a `throttled-*` delivery
        // fail as the SDK's TooManyRequestsException does, mapped as every SDK error is.
        dispatch: async (_target, payload) => {
          const { id } = JSON.parse(payload) as { id: string };
          const attempt = (dispatchAttempts.get(id) ?? 0) + 1;
          dispatchAttempts.set(id, attempt);
          if (id.startsWith('throttled-') && attempt <= 2) {
            throw toIntegrationError(
              { name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } },
              { service: 'Lambda', operation: 'Invoke' },
            );
          }
          delivered.push(id);
        },
        guards: dynamoDbDeliveryGuards({
          tableName: environment.IDEMPOTENCY_TABLE!,
          client: clients.dynamodb,
        }),
      }),
      { deadLetter: sqsDeadLetterQueue(clients.sqs, environment.WEBHOOKS_DLQ_URL!) },
    );
  });

  afterAll(async () => {
    clients?.destroy();
    await stack?.stop();
  });

  it('resolves the DLQ URL of the function from its Ref, as serverless.yml declares it', () => {
    expect((functions.process!.environment as Record<string, string>).WEBHOOKS_DLQ_URL).toBe(
      urlOf('WebhooksDlq'),
    );
  });

  it('sends a message failing its schema to the DLQ on its first receive, while a throttled one is retried until it goes through', async () => {
    const poison = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf('Webhooks'), MessageBody: 'this is not a webhook delivery' }),
    );
    const throttled = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf('Webhooks'), MessageBody: delivery('throttled-1') }),
    );

    const dead = await eventually(
      async () => {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: urlOf('WebhooksDlq'),
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
          }),
        );
        return Messages[0];
      },
      15_000,
      'the poison message in the DLQ',
    );
    expect(dead.Body).toBe('this is not a webhook delivery');
    expect(dead.MessageAttributes?.[FAILURE_CODE_ATTRIBUTE]?.StringValue).toBe('BAD_REQUEST');
    // One receive, not maxReceiveCount: no retry was spent on it.
    expect(receivesOf(poison.MessageId!)).toBe(1);

    await eventually(() => delivered.includes('throttled-1'), 20_000, 'the throttled delivery going through');
    // Retried through the queue (a batch item failure each time), then done: it never reached the DLQ.
    expect(dispatchAttempts.get('throttled-1')).toBe(3);
    expect(receivesOf(throttled.MessageId!)).toBe(3);
    await eventually(async () => (await depth(urlOf('Webhooks'))) === 0, 10_000, 'an empty queue');
    expect(await depth(urlOf('WebhooksDlq'))).toBe(1); // the poison message, received above and back
  });
});
