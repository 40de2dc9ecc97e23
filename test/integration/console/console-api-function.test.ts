/**
 * functions/console-api as deployed (its real adapters: S3, SQS, the DynamoDB delivery history and pause
 * controls, the health checks, the cost model) against the emulators: each view answers from what is
 * really stored, and the operator's actions (replay, redrive, pause) change what is stored.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type {
  ActivityAnswer,
  ControlsAnswer,
  CostAnswer,
  DeadLettersAnswer,
  DeliveriesAnswer,
  DeliveryAnswer,
  DocumentsAnswer,
  HealthAnswer,
  QueuesAnswer,
  RedriveAnswer,
  ReplayAnswer,
} from '../../../src/console/api-types';
import { documentManifestKey } from '../../../src/documents/document-keys';
import type { HttpHandler } from '../../../src/middleware/http';
import { dynamoDbDeliveryHistory } from '../../../src/webhooks/history/dynamodb-delivery-history';
import { parseWebhookMessage, serialiseWebhookMessage } from '../../../src/webhooks/message';
import { archiveKey } from '../../../src/webhooks/object-keys';
import { deliveriesTable } from '../../helpers/deliveries-table';
import { idKeyedTable, startEmulators, type Emulators } from '../../helpers/emulators';
import { bodyOf, lambdaContext, routeEvent } from '../../unit/middleware/events';

jest.setTimeout(60_000);

const bucket = 'intake-test-console-fn';
const queueNames = ['webhooks', 'documents', 'scan-results'] as const;
let aws: Emulators;
let handler: HttpHandler;
const savedEnv = { ...process.env };

const logicalId = (name: string) =>
  name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());
const queueUrl = (name: string) => aws.queue(logicalId(`intake-test-console-${name}`)).url;

beforeAll(async () => {
  aws = await startEmulators();
  await aws.provision({
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucket } },
    Deliveries: deliveriesTable('intake-test-console-deliveries'),
    Controls: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'intake-test-console-controls',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'scope', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'scope', KeyType: 'HASH' }],
      },
    },
    Idempotency: idKeyedTable('intake-test-console-idempotency'),
    ...Object.fromEntries(
      queueNames
        .flatMap((name) => [`intake-test-console-${name}`, `intake-test-console-${name}-dlq`])
        .map((QueueName) => [logicalId(QueueName), { Type: 'AWS::SQS::Queue', Properties: { QueueName } }]),
    ),
  });
  Object.assign(process.env, aws.env, {
    DOCUMENTS_BUCKET: bucket,
    WEBHOOKS_QUEUE_URL: queueUrl('webhooks'),
    WEBHOOKS_DLQ_URL: queueUrl('webhooks-dlq'),
    DOCUMENTS_QUEUE_URL: queueUrl('documents'),
    DOCUMENTS_DLQ_URL: queueUrl('documents-dlq'),
    SCAN_RESULTS_QUEUE_URL: queueUrl('scan-results'),
    SCAN_RESULTS_DLQ_URL: queueUrl('scan-results-dlq'),
    DELIVERIES_TABLE: 'intake-test-console-deliveries',
    WEBHOOK_CONTROLS_TABLE: 'intake-test-console-controls',
    IDEMPOTENCY_TABLE: 'intake-test-console-idempotency',
    HEALTH_CHECK_TIMEOUT_MS: '3000',
    HEALTH_LAMBDA_FUNCTIONS: '',
    HEALTH_CACHE_SECONDS: '0',
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../../functions/console-api') as { handler: HttpHandler }).handler;
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await aws?.stop();
});

async function call<T>(
  routeKey: string,
  request: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const event = routeEvent(routeKey, request, { sub: 'operator', scope: 'intake/admin' });
  const response = await handler(event, lambdaContext());
  return { status: response.statusCode, body: bodyOf(response) as T };
}

const receivedAt = new Date(Date.now() - 60_000).toISOString();
const meta = {
  v: 1 as const,
  source: 'github',
  type: 'push',
  id: 'delivery-1',
  receivedAt,
  encoding: 'utf8' as const,
  headers: { 'content-type': 'application/json' },
};

describe('functions/console-api against the emulators', () => {
  it('lists, shows and replays a recorded delivery from its archive', async () => {
    const key = archiveKey('github', 'delivery-1', receivedAt);
    const body = '{"ref":"main","client_secret":"shh"}';
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify({ ...meta, archivedAt: receivedAt, body }),
      }),
    );
    const history = dynamoDbDeliveryHistory({
      tableName: 'intake-test-console-deliveries',
      client: aws.dynamodb,
    });
    const facts = { receipt: 'receipt-1', source: 'github', type: 'push', id: 'delivery-1', receivedAt };
    await history.recordReceived(facts);
    await history.recordAttempt(facts, {
      status: 'processed',
      attempt: { at: receivedAt, durationMs: 5, outcome: 'processed', receiveCount: 1 },
      targets: { 'webhook-sample-downstream': 'invoked' },
      archiveKey: key,
    });

    const list = await call<DeliveriesAnswer>('GET /console/api/deliveries', { query: { source: 'github' } });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ receipt: 'receipt-1', status: 'processed' })]);

    const detail = await call<DeliveryAnswer>('GET /console/api/deliveries/{receipt}', {
      path: { receipt: 'receipt-1' },
    });
    expect(detail.body.delivery.attempts).toHaveLength(1);
    expect(JSON.parse(detail.body.payload!.text)).toEqual({ ref: 'main', client_secret: '[redacted]' });

    const replay = await call<ReplayAnswer>('POST /console/api/deliveries/{receipt}/replay', {
      path: { receipt: 'receipt-1' },
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ matched: 1, enqueued: 1 });
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl('webhooks'), MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    expect(parseWebhookMessage(Messages[0]!.Body!)).toMatchObject({
      meta: { id: 'delivery-1', replay: replay.body.replayId },
      body,
    });

    // The copy is a receipt of its own in the history, queued, with the run's id.
    const after = await call<DeliveriesAnswer>('GET /console/api/deliveries', {
      query: { source: 'github' },
    });
    expect(after.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ receipt: 'receipt-1' }),
        expect.objectContaining({ id: 'delivery-1', status: 'queued', replay: replay.body.replayId }),
      ]),
    );

    const activity = await call<ActivityAnswer>('GET /console/api/activity', { query: { minutes: '5' } });
    expect(activity.body.minutes.reduce((sum, minute) => sum + minute.deliveries, 0)).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('shows queue depths, peeks at a dead letter and redrives it by id', async () => {
    const { MessageId } = await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl('documents-dlq'),
        MessageBody: serialiseWebhookMessage({ meta, body: '{}' }),
      }),
    );
    const queues = await call<QueuesAnswer>('GET /console/api/queues');
    expect(queues.body.queues.map((queue) => queue.name)).toEqual(['webhooks', 'documents', 'scan-results']);
    expect(queues.body.queues.find((queue) => queue.name === 'documents')!.deadLetters).toBe(1);

    const peek = await call<DeadLettersAnswer>('GET /console/api/queues/{name}/dead-letters', {
      path: { name: 'documents' },
    });
    expect(peek.body.messages).toEqual([
      expect.objectContaining({ messageId: MessageId, summary: expect.any(Object) }),
    ]);

    const redrive = await call<RedriveAnswer>('POST /console/api/queues/{name}/redrive', {
      path: { name: 'documents' },
      body: { messageId: MessageId },
    });
    expect(redrive.body).toEqual({ moved: 1, failed: 0 });
    const { Attributes } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl('documents'),
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
  });

  it('lists documents, reports health and cost, and pauses and resumes a source', async () => {
    const document = { owner: 'alice', id: '33333333-3333-4333-8333-333333333333' };
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: documentManifestKey(document),
        Body: JSON.stringify({ ...document, status: 'processed', size: 2 ** 20, filename: 'a.pdf' }),
      }),
    );
    const documents = await call<DocumentsAnswer>('GET /console/api/documents', {
      query: { owner: 'alice' },
    });
    expect(documents.body.items).toEqual([
      expect.objectContaining({ id: document.id, owner: 'alice', size: 2 ** 20 }),
    ]);

    const health = await call<HealthAnswer>('GET /console/api/health');
    expect(health.body.status).toBe('ok');
    expect(Object.keys(health.body.checks).sort()).toEqual(['dynamodb', 's3', 'sqs']);

    const cost = await call<CostAnswer>('GET /console/api/cost');
    expect(cost.body.traffic).toEqual({ webhooks: expect.any(Number), documents: 1, documentMb: 1 });
    expect(cost.body.estimate).toEqual(expect.objectContaining({ totalUsd: expect.any(Number) }));

    const paused = await call<ControlsAnswer>('PUT /console/api/controls/pause', {
      body: { source: 'github' },
    });
    expect(paused.body.pauses).toEqual([expect.objectContaining({ source: 'github', pausedBy: 'operator' })]);
    expect((await call<ControlsAnswer>('GET /console/api/controls')).body.pauses).toHaveLength(1);
    const resumed = await call<ControlsAnswer>('PUT /console/api/controls/resume', {
      body: { source: 'github' },
    });
    expect(resumed.body.pauses).toEqual([]);
  });
});

describe('functions/console-api against hostile requests', () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['a day that does not exist', { d: '2026-13-45' }],
    ['February 31st, mid-day', { d: '2026-02-31', r: 'x', o: '2026-02-31T00:00:00.000Z#x' }],
    ['not JSON', 'bm90IGpzb24'],
  ])('answers 400 to a forged deliveries cursor (%s), never 500', async (_, forged) => {
    const cursor = typeof forged === 'string' ? forged : cursorOf(forged);
    const answer = await call<{ error: { code: string } }>('GET /console/api/deliveries', {
      query: { cursor },
    });
    expect(answer.status).toBe(400);
  });

  it.each([
    ['until', '+275760-09-13T00:00:00.000Z'],
    ['until', '+010000-01-01T00:00:00.000Z'],
    ['since', '-000001-01-01T00:00:00.000Z'],
    ['since', 'not a time'],
  ])('answers 400 to a %s outside years 0000-9999 (%s), never 500', async (field, time) => {
    const answer = await call<{ error: { code: string } }>('GET /console/api/deliveries', {
      query: { [field]: time },
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(field);
  });

  it('refuses (400 FILTER_TOO_WIDE) a replay filter whose span takes more than a few history pages to search, within seconds', async () => {
    // 56 years of empty days: unbounded, the search ran ~320 pages of 64 queries each past the function's timeout.
    const started = Date.now();
    const answer = await call<{ error: { code: string; message: string } }>('POST /console/api/replays', {
      body: { source: 'nobody', since: '1970-01-01T00:00:00.000Z' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('FILTER_TOO_WIDE');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
