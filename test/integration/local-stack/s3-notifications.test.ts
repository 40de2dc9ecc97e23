import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { LocalStack } from '../../../plugins/local-stack/local-stack';
import type { LocalLog } from '../../../plugins/local-stack/log';
import type { EmulatorClients } from '../../../plugins/local-stack/emulator-clients';
import {
  clientsOfStack,
  eventually,
  inProcessInvoker,
  localStackTestSettings,
} from '../../helpers/emulators';
import type { FunctionDefinition } from '../../../plugins/local-stack/service-model';

jest.setTimeout(30_000);

const functions: Record<string, FunctionDefinition> = {
  ingest: {
    name: 'it-local-ingest',
    events: [
      {
        s3: {
          bucket: { Ref: 'Uploads' },
          event: 's3:ObjectCreated:*',
          rules: [{ prefix: 'in/' }, { suffix: '.txt' }],
          existing: true,
        },
      },
    ],
  },
  flaky: {
    name: 'it-local-flaky',
    maximumRetryAttempts: 2,
    destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['FailedEvents', 'Arn'] } } },
    events: [{ s3: { bucket: 'it-undeclared-bucket', event: 's3:ObjectCreated:Put' } }],
  },
  // No `s3` event: subscribed by the Inbox bucket's NotificationConfiguration, as document-process is.
  inspect: { name: 'it-local-inspect' },
};

describe('S3 → Lambda notifications (real s3rver, in-process handlers)', () => {
  let stack: LocalStack;
  let clients: EmulatorClients;
  const warnings: string[] = [];
  const log: LocalLog = { info: () => {}, warning: (message) => warnings.push(message), error: () => {} };
  const handlers = inProcessInvoker({
    'it-local-ingest': () => undefined,
    'it-local-inspect': () => undefined,
    'it-local-flaky': () => {
      throw new Error('flaky handler fails every time');
    },
  });
  const deliveredTo = (functionName: string) =>
    handlers.invocations.filter((invocation) => invocation.functionName === functionName);

  beforeAll(async () => {
    stack = await LocalStack.start(
      {
        service: 'it',
        stage: 'local',
        region: 'us-east-1',
        functions,
        providerEnvironment: {},
        resources: {
          Uploads: { Type: 'AWS::S3::Bucket' },
          Inbox: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              BucketName: { 'Fn::Sub': 'it-inbox-${AWS::AccountId}-${AWS::Region}' },
              NotificationConfiguration: {
                LambdaConfigurations: [
                  {
                    Id: 'inspect-uploads',
                    Event: 's3:ObjectCreated:*',
                    Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } },
                    Function: { 'Fn::GetAtt': ['InspectLambdaFunction', 'Arn'] },
                  },
                ],
              },
            },
          },
          FailedEvents: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'it-failed-events' } },
        },
        httpUrl: 'http://127.0.0.1:1',
        lambdaEndpoint: 'http://127.0.0.1:1',
      },
      { settings: await localStackTestSettings(), log, invoke: handlers.invoke, sqsWaitTimeSeconds: 1 },
    );
    clients = clientsOfStack(stack.state!);
  });

  afterAll(async () => {
    clients?.destroy();
    await stack?.stop();
  });

  it('names an unnamed bucket <service>-<stage>-<logical id> and creates buckets that events name', () => {
    const names = stack.state!.resources.buckets.map((bucket) => bucket.name);
    expect(names).toEqual(expect.arrayContaining(['it-local-uploads', 'it-undeclared-bucket']));
  });

  it('delivers an AWS-shaped event whose key is URL-encoded (+ for spaces, UTF-8 percent-encoded)', async () => {
    const key = 'in/Grüße an alle (1).txt';
    await clients.s3.send(new PutObjectCommand({ Bucket: 'it-local-uploads', Key: key, Body: 'hello' }));
    const [invocation] = await eventually(() => {
      const found = deliveredTo('it-local-ingest').filter(
        (item) => (item.event as S3Event).Records[0]!.s3.object.size === 5,
      );
      return found.length > 0 ? found : undefined;
    });
    const record = (invocation!.event as S3Event).Records[0]!;
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'it-local-uploads', arn: 'arn:aws:s3:::it-local-uploads' } },
    });
    expect(record.s3.object.key).toBe('in/Gr%C3%BC%C3%9Fe+an+alle+%281%29.txt');
    expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe(key);
    expect(record.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
  });

  it('delivers only keys that match both the prefix and the suffix rule', async () => {
    const before = deliveredTo('it-local-ingest').length;
    for (const key of ['out/a.txt', 'in/a.pdf', 'in-a.txt', 'in/ok.txt']) {
      await clients.s3.send(new PutObjectCommand({ Bucket: 'it-local-uploads', Key: key, Body: key }));
    }
    await eventually(() => deliveredTo('it-local-ingest').length > before);
    await stack.drainNotifications();
    const keys = deliveredTo('it-local-ingest')
      .slice(before)
      .map((item) => (item.event as S3Event).Records[0]!.s3.object.key);
    expect(keys).toEqual(['in/ok.txt']);
  });

  it("delivers what a bucket's NotificationConfiguration declares, with S3's prefix semantics", async () => {
    const bucket = 'it-inbox-000000000000-us-east-1';
    const hostile = [
      'manifests/uploads/a.txt',
      'Uploads/b.txt',
      'uploadsX/c.txt',
      'quarantine/uploads/d.txt',
    ];
    const wanted = ['uploads/alice/1/a b.txt', 'uploads/ü/€.bin'];
    for (const key of [...hostile, ...wanted])
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    await eventually(() => deliveredTo('it-local-inspect').length >= wanted.length);
    await stack.drainNotifications();

    const records = deliveredTo('it-local-inspect').map((item) => (item.event as S3Event).Records[0]!);
    expect(
      records.map((record) => decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).sort(),
    ).toEqual([...wanted].sort());
    for (const record of records)
      expect(record).toMatchObject({
        eventName: 'ObjectCreated:Put',
        s3: { configurationId: 'inspect-uploads' },
      });
    expect(stack.state!.mappings.s3).toContainEqual(
      expect.objectContaining({ functionName: 'it-local-inspect', bucket, prefix: 'uploads/' }),
    );
  });

  it('retries a failing handler twice, then sends a failure record to its onFailure queue', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'it-undeclared-bucket', Key: 'x y.bin', Body: 'x' }),
    );
    await eventually(() => deliveredTo('it-local-flaky').length >= 1);
    await stack.drainNotifications();
    expect(deliveredTo('it-local-flaky')).toHaveLength(3);
    const queueUrl = stack.state!.resources.queues.find((queue) => queue.logicalId === 'FailedEvents')!.url;
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    const record = JSON.parse(Messages[0]!.Body!);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:it-local-flaky:$LATEST',
      },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'flaky handler fails every time' },
    });
    expect(record.requestPayload.Records[0].s3.object.key).toBe('x+y.bin');
  });

  it('fills in the ETag and size of a copy, which s3rver leaves out of its event', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'it-local-uploads', Key: 'src.bin', Body: 'copied!' }),
    );
    await clients.s3.send(
      new CopyObjectCommand({
        Bucket: 'it-local-uploads',
        Key: 'in/copy.txt',
        CopySource: 'it-local-uploads/src.bin',
      }),
    );
    const copy = await eventually(() =>
      deliveredTo('it-local-ingest')
        .map((item) => (item.event as S3Event).Records[0]!)
        .find((record) => record.eventName === 'ObjectCreated:Copy'),
    );
    expect(copy.s3.object.key).toBe('in/copy.txt');
    expect(copy.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(copy.s3.object.size).toBe(7);
  });

  it('reports an emulator that dies while the stack runs', async () => {
    process.kill(stack.emulator('dynamodb').pid, 'SIGKILL');
    await eventually(() => warnings.find((message) => message.includes('the dynamodb emulator')));
  });
});
