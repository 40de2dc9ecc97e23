import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { sqsRequeue } from '../../../src/aws/sqs-requeue';
import { dynamoDbWebhookControls } from '../../../src/webhooks/controls/dynamodb-webhook-controls';
import { startEmulators, type Emulators } from '../../helpers/emulators';

// The pauses' store against the real DynamoDB emulator, and the requeue of a waiting delivery against the
// real SQS emulator (its delay included): the two halves of "a paused delivery waits on the queue".
let aws: Emulators;
const tableName = 'intake-test-webhook-controls';

beforeAll(async () => {
  aws = await startEmulators({ services: ['sqs', 'dynamodb'] });
  await aws.provision({
    WebhookControlsTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'scope', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'scope', KeyType: 'HASH' }],
      },
    },
    WebhooksQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'webhooks' } },
  });
}, 30_000);

afterAll(async () => {
  await aws?.stop();
});

describe('dynamoDbWebhookControls', () => {
  let clock = new Date('2026-12-06T10:00:00.000Z');
  const controls = () => dynamoDbWebhookControls({ client: aws.dynamodb, tableName, now: () => clock });

  it('pauses a source and a target, lists them, keeps the first pause when paused again, and resumes them', async () => {
    const store = controls();
    expect(await store.listPauses()).toEqual([]);
    const github = await store.pause({ source: 'github' }, 'alice', 'provider incident');
    expect(github).toEqual({
      source: 'github',
      pausedAt: '2026-12-06T10:00:00.000Z',
      pausedBy: 'alice',
      reason: 'provider incident',
    });
    await store.pause({ source: '*', target: 'billing' }, 'bob');

    clock = new Date('2026-12-06T11:00:00.000Z');
    expect(await store.pause({ source: 'github' }, 'carol')).toEqual(github);
    expect(await store.listPauses()).toEqual([
      github,
      { source: '*', target: 'billing', pausedAt: '2026-12-06T10:00:00.000Z', pausedBy: 'bob' },
    ]);

    expect(await store.resume({ source: 'github' })).toBe(true);
    expect(await store.resume({ source: 'github' })).toBe(false);
    expect(await store.resume({ source: '*', target: 'billing' })).toBe(true);
    expect(await store.listPauses()).toEqual([]);
  });

  it('refuses a malformed scope with a 400 before touching the table', async () => {
    await expect(controls().pause({ source: 'GitHub!' }, 'alice')).rejects.toMatchObject({ statusCode: 400 });
    await expect(controls().pause({ source: '*' }, 'alice')).rejects.toMatchObject({ statusCode: 400 });
    await expect(controls().resume({ source: 'github', target: 'a b' })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('maps a missing table to the typed NotFoundError the edges decide by', async () => {
    const missing = dynamoDbWebhookControls({ client: aws.dynamodb, tableName: 'no-such-table' });
    await expect(missing.listPauses()).rejects.toMatchObject({ name: 'NotFoundError', retryable: false });
  });
});

describe('sqsRequeue', () => {
  it('puts a copy of the record, body and attributes, back on the queue, hidden for the delay', async () => {
    const queueUrl = aws.queue('WebhooksQueue').url;
    const record = {
      messageId: 'm-1',
      body: '{"v":1}\nbody',
      messageAttributes: { trace: { dataType: 'String', stringValue: 't-1' } },
    } as unknown as SQSRecord;
    await sqsRequeue(aws.sqs, queueUrl, 2)(record);
    const now = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    expect(now.Messages ?? []).toHaveLength(0);
    const later = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 5 }),
    );
    expect(later.Messages?.map(({ Body, MessageAttributes }) => ({ Body, MessageAttributes }))).toEqual([
      { Body: '{"v":1}\nbody', MessageAttributes: { trace: { DataType: 'String', StringValue: 't-1' } } },
    ]);
  }, 15_000);
});
