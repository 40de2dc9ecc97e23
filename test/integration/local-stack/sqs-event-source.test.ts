import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { EmulatorClients } from '../../../plugins/local-stack/emulator-clients';
import {
  clientsOfStack,
  eventually,
  inProcessInvoker,
  localStackTestSettings,
  type RecordedInvocation,
} from '../../helpers/emulators';
import { LocalStack } from '../../../plugins/local-stack/local-stack';
import { silentLog } from '../../../plugins/local-stack/log';
import type { CfnResource } from '../../../plugins/local-stack/provision';
import type { FunctionDefinition } from '../../../plugins/local-stack/service-model';

jest.setTimeout(60_000);

const queue = (properties: Record<string, unknown> = {}): CfnResource => ({
  Type: 'AWS::SQS::Queue',
  Properties: properties,
});
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const redriveTo = (logicalId: string, maxReceiveCount: number) => ({
  deadLetterTargetArn: arnOf(logicalId),
  maxReceiveCount,
});

const resources: Record<string, CfnResource> = {
  PoisonDlq: queue(),
  PartialQueue: queue({ VisibilityTimeout: 1, RedrivePolicy: redriveTo('PoisonDlq', 2) }),
  SizedQueue: queue({ VisibilityTimeout: 30 }),
  WindowQueue: queue({ VisibilityTimeout: 30 }),
  WholeQueue: queue({ VisibilityTimeout: 1 }),
  MalformedQueue: queue({ VisibilityTimeout: 1 }),
  DisabledQueue: queue(),
  Ideas: {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    },
  },
};

const functions: Record<string, FunctionDefinition> = {
  partial: {
    name: 'it-partial',
    environment: {
      QUEUE_URL: { Ref: 'PartialQueue' },
      QUEUE_ARN: arnOf('PartialQueue'),
      TABLE: { Ref: 'Ideas' },
      TABLE_ARN: arnOf('Ideas'),
      JOINED: { 'Fn::Join': [':', [{ Ref: 'AWS::Region' }, { Ref: 'Ideas' }]] },
      SUBSTITUTED: { 'Fn::Sub': '${AWS::AccountId}/${PartialQueue.QueueName}' },
      SELF: { Ref: 'PartialLambdaFunction' },
      MISSING: { Ref: 'NotDeclaredAnywhere' },
      PLAIN: 'unchanged',
    },
    events: [{ sqs: { arn: arnOf('PartialQueue'), functionResponseType: 'ReportBatchItemFailures' } }],
  },
  sized: { name: 'it-sized', events: [{ sqs: { arn: arnOf('SizedQueue'), batchSize: 3 } }] },
  windowed: {
    name: 'it-windowed',
    events: [{ sqs: { arn: arnOf('WindowQueue'), batchSize: 25, maximumBatchingWindow: 2 } }],
  },
  whole: { name: 'it-whole', events: [{ sqs: arnOf('WholeQueue') }] },
  malformed: {
    name: 'it-malformed',
    events: [{ sqs: { arn: arnOf('MalformedQueue'), functionResponseType: 'ReportBatchItemFailures' } }],
  },
  disabled: { name: 'it-disabled', events: [{ sqs: { arn: arnOf('DisabledQueue'), enabled: false } }] },
};

const bodiesOf = (invocation: RecordedInvocation) =>
  (invocation.event as SQSEvent).Records.map((record) => record.body);

describe('SQS event-source mappings (real fauxqs, in-process handlers)', () => {
  let stack: LocalStack;
  let clients: EmulatorClients;
  const providerEnvironment: Record<string, unknown> = { AWS_REGION: 'eu-west-1', KEEP: 'me' };
  let wholeCalls = 0;
  let malformedCalls = 0;
  const handlers = inProcessInvoker({
    'it-partial': (event) => ({
      batchItemFailures: (event as SQSEvent).Records.filter((record) => JSON.parse(record.body).fail).map(
        (record) => ({ itemIdentifier: record.messageId }),
      ),
    }),
    'it-sized': () => undefined,
    'it-windowed': () => undefined,
    'it-whole': () => {
      wholeCalls += 1;
      if (wholeCalls === 1) throw new Error('the whole batch fails once');
    },
    'it-malformed': () => {
      malformedCalls += 1;
      return malformedCalls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : {};
    },
    'it-disabled': () => undefined,
  });
  const deliveredTo = (functionName: string) =>
    handlers.invocations.filter((invocation) => invocation.functionName === functionName);
  const urlOf = (logicalId: string) =>
    stack.state!.resources.queues.find((item) => item.logicalId === logicalId)!.url;
  const send = (logicalId: string, body: unknown) =>
    clients.sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf(logicalId), MessageBody: JSON.stringify(body) }),
    );

  beforeAll(async () => {
    stack = await LocalStack.start(
      {
        service: 'it',
        stage: 'local',
        region: 'us-east-1',
        functions,
        providerEnvironment,
        resources,
        httpUrl: 'http://127.0.0.1:1',
        lambdaEndpoint: 'http://127.0.0.1:65000',
      },
      {
        settings: await localStackTestSettings(),
        log: silentLog,
        invoke: handlers.invoke,
        sqsWaitTimeSeconds: 1,
        shellEnv: { POWERTOOLS_TRACE_ENABLED: 'from-the-shell' },
      },
    );
    clients = clientsOfStack(stack.state!);
  });

  afterAll(async () => {
    clients?.destroy();
    await stack?.stop();
  });

  it('creates each queue with its redrive policy pointing at the DLQ ARN', async () => {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: urlOf('PartialQueue'), AttributeNames: ['All'] }),
    );
    const dlq = stack.state!.resources.queues.find((item) => item.logicalId === 'PoisonDlq')!;
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: 2,
    });
    expect(Attributes!.VisibilityTimeout).toBe('1');
    expect(dlq.name).toBe('it-local-poisondlq');
  });

  it('replaces Ref, Fn::GetAtt, Fn::Join and Fn::Sub in function environments with local values', () => {
    const environment = functions.partial!.environment!;
    const table = stack.state!.resources.tables[0]!;
    expect(environment).toMatchObject({
      QUEUE_URL: urlOf('PartialQueue'),
      QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:it-local-partialqueue',
      TABLE: 'it-local-ideas',
      TABLE_ARN: table.arn,
      JOINED: 'us-east-1:it-local-ideas',
      SUBSTITUTED: '000000000000/it-local-partialqueue',
      SELF: 'it-partial',
      MISSING: '',
      PLAIN: 'unchanged',
    });
  });

  it('points handlers at the emulators, keeping provider values and letting the shell win', () => {
    const { emulators, lambda } = stack.state!;
    // Functions reach the Lambda API through the local front (Event invokes queued), not offline directly.
    expect(lambda).toEqual({
      endpoint: 'http://127.0.0.1:65000',
      functionEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(lambda.functionEndpoint).not.toBe(lambda.endpoint);
    expect(providerEnvironment).toMatchObject({
      AWS_ENDPOINT_URL_S3: emulators.s3.endpoint,
      AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodb.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.functionEndpoint,
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'from-the-shell',
      KEEP: 'me',
    });
  });

  it('delivers AWS-shaped records and brings back only the message the handler reported as failed', async () => {
    const ok1 = await send('PartialQueue', { n: 1 });
    const bad = await send('PartialQueue', { n: 2, fail: true, tag: 'partial' });
    const ok2 = await send('PartialQueue', { n: 3 });
    const deliveries = await eventually(() => {
      const found = deliveredTo('it-partial').filter((invocation) =>
        (invocation.event as SQSEvent).Records.some((record) => record.messageId === bad.MessageId),
      );
      return found.length >= 2 ? found : undefined;
    });
    const ids = (invocation: RecordedInvocation) =>
      (invocation.event as SQSEvent).Records.map((record) => record.messageId);
    const allIds = deliveredTo('it-partial').flatMap(ids);
    expect(allIds.filter((id) => id === ok1.MessageId)).toHaveLength(1);
    expect(allIds.filter((id) => id === ok2.MessageId)).toHaveLength(1);
    const retried = (deliveries[1]!.event as SQSEvent).Records.find(
      (record) => record.messageId === bad.MessageId,
    )!;
    expect(retried.attributes.ApproximateReceiveCount).toBe('2');
    expect(retried).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:it-local-partialqueue',
      awsRegion: 'us-east-1',
      body: JSON.stringify({ n: 2, fail: true, tag: 'partial' }),
    });
    expect(retried.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(retried.attributes.SentTimestamp)).toBeGreaterThan(0);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount deliveries', async () => {
    const poison = await send('PartialQueue', { fail: true, tag: 'poison' });
    const dlqUrl = urlOf('PoisonDlq');
    const moved = await eventually(async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      return Messages.find((message) => message.Body?.includes('poison'));
    }, 15_000);
    expect(moved.MessageId).toBe(poison.MessageId);
    const deliveries = deliveredTo('it-partial').filter((invocation) =>
      (invocation.event as SQSEvent).Records.some((record) => record.messageId === poison.MessageId),
    );
    expect(deliveries).toHaveLength(2);
  });

  it('never puts more than batchSize messages in one event', async () => {
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: urlOf('SizedQueue'),
        Entries: Array.from({ length: 7 }, (_, index) => ({
          Id: String(index),
          MessageBody: `sized-${index}`,
        })),
      }),
    );
    await eventually(() => deliveredTo('it-sized').flatMap(bodiesOf).length === 7);
    const sizes = deliveredTo('it-sized').map((invocation) => bodiesOf(invocation).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('gathers more than 10 messages into one batch within the batching window', async () => {
    for (const start of [0, 10]) {
      await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: urlOf('WindowQueue'),
          Entries: Array.from({ length: start === 0 ? 10 : 5 }, (_, index) => ({
            Id: String(index),
            MessageBody: `window-${start + index}`,
          })),
        }),
      );
    }
    await eventually(() => deliveredTo('it-windowed').flatMap(bodiesOf).length === 15, 10_000);
    expect(deliveredTo('it-windowed').map((invocation) => bodiesOf(invocation).length)).toEqual([15]);
  });

  it('retries the whole batch when the handler throws', async () => {
    await send('WholeQueue', 'a');
    await send('WholeQueue', 'b');
    await eventually(() => wholeCalls >= 2 && deliveredTo('it-whole').flatMap(bodiesOf).length >= 4, 10_000);
    const bodies = deliveredTo('it-whole').flatMap(bodiesOf);
    expect(bodies.filter((body) => body === '"a"')).toHaveLength(2);
    expect(bodies.filter((body) => body === '"b"')).toHaveLength(2);
  });

  it('treats a malformed batchItemFailures answer as a failure of the whole batch', async () => {
    await send('MalformedQueue', 'm');
    await eventually(() => malformedCalls >= 2, 10_000);
    expect(deliveredTo('it-malformed').flatMap(bodiesOf)).toEqual(['"m"', '"m"']);
  });

  it('does not poll the queue of a disabled mapping', async () => {
    await send('DisabledQueue', 'idle');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveredTo('it-disabled')).toHaveLength(0);
  });
});
