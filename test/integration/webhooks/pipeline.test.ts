import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { S3ObjectStorage } from '../../../src/aws/storage/s3-object-storage';
import { httpHandler } from '../../../src/middleware/http';
import { sqsDeadLetterQueue } from '../../../src/aws/sqs-dead-letter';
import { sqsBatchHandler } from '../../../src/middleware/sqs';
import { parseWebhookArchive } from '../../../src/webhooks/archive';
import { contentDeliveryId } from '../../../src/webhooks/delivery';
import type { WebhookDownstreamEvent } from '../../../src/webhooks/downstream-event';
import { DuplicateInFlightError } from '../../../src/errors';
import { dynamoDbDeliveryHistory } from '../../../src/webhooks/history/dynamodb-delivery-history';
import { deliveryAttemptRecorder } from '../../../src/webhooks/history/recording-attempts';
import { dynamoDbDeliveryGuards } from '../../../src/webhooks/idempotency';
import { redriveDeadLetters } from '../../../src/webhooks/ops/redrive';
import { replayArchivedDeliveries, UnknownReplaySourceError } from '../../../src/webhooks/ops/replay';
import { createWebhookProcessor } from '../../../src/webhooks/processor';
import { createWebhookReceiver } from '../../../src/webhooks/receiver';
import { parseRoutes } from '../../../src/webhooks/routes';
import { s3TextStore } from '../../../src/webhooks/s3-text';
import { signGithub, signStripe } from '../../../src/webhooks/senders';
import { webhookPipelineResources, webhookPostEvent } from '../../helpers/webhook-fixtures';
import { createSigningKeyResolver } from '../../../src/webhooks/signing-keys';
import { loadWebhookSources } from '../../../src/webhooks/sources';
import { sqsMessageSender } from '../../../src/webhooks/sqs-sender';
import { deliveriesTable } from '../../helpers/deliveries-table';
import { startEmulators, type Emulators } from '../../helpers/emulators';

jest.setTimeout(60_000);

const lambdaContext = {
  awsRequestId: 'req',
  functionName: 'webhook-process',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
let aws: Emulators;
const maxReceiveCount = 2;
const resources = webhookPipelineResources({ visibilityTimeoutSeconds: 1, maxReceiveCount });
const historyTable = 'intake-test-deliveries';
const history = () => dynamoDbDeliveryHistory({ tableName: historyTable, client: aws.dynamodb });
const queueUrl = () => aws.queue(resources.queue).url;
const dlqUrl = () => aws.queue(resources.deadLetterQueue).url;
const invocations: { target: string; event: WebhookDownstreamEvent }[] = [];
let failingTargets = new Set<string>();

beforeAll(async () => {
  aws = await startEmulators();
  await aws.provision({ ...resources.declared, DeliveriesTable: deliveriesTable(historyTable) });
});
afterAll(async () => {
  await aws?.stop();
});
beforeEach(() => {
  invocations.length = 0;
  failingTargets = new Set();
});

const githubSecret = 'pipeline-github-secret';
const stripeSecret = 'whsec_pipeline-stripe-secret';

const receiveHandler = (maxMessageBytes?: number) =>
  httpHandler(
    createWebhookReceiver({
      sources: loadWebhookSources({
        WEBHOOK_SECRET_GITHUB: githubSecret,
        WEBHOOK_SECRET_STRIPE: stripeSecret,
      }),
      signingKeys: createSigningKeyResolver(),
      nowMs: Date.now,
      maxBodyBytes: 1024 * 1024,
      // Resolved per call: restarting the SQS emulator provisions the queue again.
      sendMessage: (text) => sqsMessageSender(aws.sqs, queueUrl())(text),
      storeClaim: (key, text) => s3TextStore(aws.s3, resources.bucket).put(key, text, 'text/plain'),
      history: history(),
      ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    }),
  );

const processHandler = () => {
  const attempts = deliveryAttemptRecorder({ history: history(), maxReceiveCount });
  return sqsBatchHandler(
    attempts.recording(
      createWebhookProcessor({
        bucket: resources.bucket,
        storage: s3TextStore(aws.s3, resources.bucket),
        routes: parseRoutes({
          routes: [
            { source: 'github', type: 'release', function: 'publisher' },
            { source: 'github', type: 'deployment', function: 'deployer' },
            { source: '*', type: '*', function: 'downstream' },
          ],
        }),
        dispatch: async (target, payload) => {
          if (failingTargets.has(target)) throw new Error(`${target} is failing`);
          invocations.push({ target, event: JSON.parse(payload) as WebhookDownstreamEvent });
        },
        guards: dynamoDbDeliveryGuards({ tableName: resources.table, client: aws.dynamodb }),
        onAttempt: attempts.onAttempt,
      }),
    ),
    { deadLetter: sqsDeadLetterQueue(aws.sqs, dlqUrl()) },
  );
};

/** The history record of the receipt of the delivery with this provider id (X-GitHub-Delivery). */
async function historyOf(providerId: string) {
  const { items } = await history().list({ source: 'github' }, { limit: 100 });
  return items.filter((record) => record.providerId === providerId);
}

function githubPost(deliveryId: string, body: string, eventType = 'push'): APIGatewayProxyEventV2 {
  const headers = {
    'content-type': 'application/json',
    'x-github-event': eventType,
    'x-github-delivery': deliveryId,
    ...signGithub(githubSecret, body),
  };
  return webhookPostEvent('github', headers, body, `api-${deliveryId}`);
}

/** The id a GitHub body is deduplicated, archived and dispatched under (X-GitHub-Delivery is not signed). */
const githubId = (body: string) => contentDeliveryId('github', body);

/**
 * Runs the webhooks queue through the local stack's event-source mapping until it is empty, waiting out
 * visibility timeouts: a copy of a delivery in the same batch finds the first in progress, fails, and
 * comes back after the (1 s) visibility timeout; a delivery that keeps failing moves to the DLQ.
 */
async function drainAll(): Promise<void> {
  // One batch at a time: the tests say which of several copies in one batch wins.
  const mapping = aws.mapQueue({
    queue: aws.queue(resources.queue),
    createHandler: processHandler,
    concurrency: 1,
  });
  try {
    await mapping.drained();
  } finally {
    await mapping.stop();
  }
}

async function archived(key: string) {
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: key }));
  return parseWebhookArchive(await object.Body!.transformToString());
}

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '/');

describe('webhook pipeline on emulated SQS, S3 and DynamoDB', () => {
  it('signed POST → 202 → queued → archived in S3 and dispatched once', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', note: 'ünïcödé 🚀' });
    const answer = await receiveHandler()(githubPost('delivery-1', body), lambdaContext);
    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body!)).toEqual({ id: githubId(body) });
    await drainAll();
    const archive = await archived(`events/github/${today()}/${githubId(body)}.json`);
    expect(archive).toMatchObject({
      source: 'github',
      type: 'push',
      id: githubId(body),
      providerId: 'delivery-1',
    });
    // fauxqs refuses characters beyond U+FFFF (SQS accepts them): the receiver then queues the body base64-encoded.
    expect(Buffer.from(archive!.body, archive!.encoding).toString('utf8')).toBe(body);
    expect(archive!.headers['x-hub-signature-256']).toBeUndefined();
    expect(invocations).toHaveLength(1);
    const downstream = invocations[0]!.event;
    expect(downstream).toMatchObject({
      id: githubId(body),
      providerId: 'delivery-1',
      archive: { bucket: resources.bucket, key: `events/github/${today()}/${githubId(body)}.json` },
    });
    expect(Buffer.from(downstream.body!, downstream.encoding).toString('utf8')).toBe(body);
    // The delivery history: one record for this receipt, processed in one attempt, its target invoked.
    const [record, ...others] = await historyOf('delivery-1');
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      source: 'github',
      type: 'push',
      id: githubId(body),
      status: 'processed',
      targets: { downstream: 'invoked' },
      archiveKey: `events/github/${today()}/${githubId(body)}.json`,
    });
    expect(record!.attempts).toEqual([
      expect.objectContaining({ outcome: 'processed', receiveCount: 1, durationMs: expect.any(Number) }),
    ]);
  });

  it('the same delivery sent twice is archived and dispatched once (DynamoDB idempotency)', async () => {
    const body = '{"twice":true}';
    expect((await receiveHandler()(githubPost('delivery-dup', body), lambdaContext)).statusCode).toBe(202);
    expect((await receiveHandler()(githubPost('delivery-dup', body), lambdaContext)).statusCode).toBe(202);
    await drainAll();
    expect(invocations.filter(({ event }) => event.id === githubId(body))).toHaveLength(1);
    expect(await aws.depth(queueUrl())).toBe(0);
    // Two receipts of one delivery: one did the work, the other found it done.
    const statuses = (await historyOf('delivery-dup')).map((record) => record.status);
    expect(statuses.sort()).toEqual(['duplicate', 'processed']);
  });

  // The attack: one signed body sent four times with new X-GitHub-Delivery ids and other X-GitHub-Event
  // values (neither header is signed) was accepted four times and dispatched as push, release and deployment.
  it('a copy of a delivery still in progress fails as a routine, retryable DuplicateInFlightError', async () => {
    const guards = dynamoDbDeliveryGuards({ tableName: resources.table, client: aws.dynamodb });
    const key = { source: 'github', id: `in-flight-${Date.now()}` };
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = guards.deliveryOnce(key, async () => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return { done: true, key: 'events/first.json', pending: [] };
    });
    await running;
    const copy = guards.deliveryOnce(key, async () => ({ done: true, key: 'events/copy.json', pending: [] }));
    await expect(copy).rejects.toBeInstanceOf(DuplicateInFlightError);
    await expect(copy).rejects.toMatchObject({ code: 'DUPLICATE_IN_FLIGHT', retryable: true, routine: true });
    release();
    await expect(first).resolves.toMatchObject({ key: 'events/first.json' });
    await expect(
      guards.deliveryOnce(key, async () => ({ done: true, key: 'x', pending: [] })),
    ).resolves.toMatchObject({
      key: 'events/first.json',
    });
  });

  it('a signed GitHub body replayed with new delivery ids and other event types is accepted, then processed and dispatched as one delivery only', async () => {
    const body = JSON.stringify({ ref: 'refs/tags/v1.0.0', after: `c0ffee${Date.now().toString(16)}` });
    const replays = ['push', 'release', 'deployment', 'release'].map((eventType) => ({
      eventType,
      deliveryId: `${Math.random().toString(16).slice(2)}-${eventType}`,
    }));
    for (const { eventType, deliveryId } of replays) {
      const answer = await receiveHandler()(githubPost(deliveryId, body, eventType), lambdaContext);
      expect(answer.statusCode).toBe(202);
      expect(JSON.parse(answer.body!)).toEqual({ id: githubId(body) });
    }
    await drainAll();
    expect(await aws.depth(queueUrl())).toBe(0);
    expect(await aws.depth(dlqUrl())).toBe(0);
    // A standard queue keeps no order: the copy processed first is the delivery, the others its duplicates.
    const winner = replays.find(({ deliveryId }) => deliveryId === invocations[0]?.event.providerId)!;
    expect(winner).toBeDefined();
    const targets = {
      push: ['downstream'],
      release: ['publisher', 'downstream'],
      deployment: ['deployer', 'downstream'],
    };
    expect(invocations.map(({ target, event }) => [target, event.type, event.id, event.providerId])).toEqual(
      targets[winner.eventType as keyof typeof targets].map((target) => [
        target,
        winner.eventType,
        githubId(body),
        winner.deliveryId,
      ]),
    );
    const archives = await aws.s3.send(
      new ListObjectsV2Command({
        Bucket: resources.bucket,
        Prefix: `events/github/${today()}/${githubId(body)}`,
      }),
    );
    expect(archives.KeyCount).toBe(1);
    expect(await archived(`events/github/${today()}/${githubId(body)}.json`)).toMatchObject({
      type: winner.eventType,
      providerId: winner.deliveryId,
    });
  });

  it('a Stripe event over the queue limit is claimed to S3 and processed with its full body', async () => {
    const post = receiveHandler(4096);
    const body = JSON.stringify({
      id: 'evt_large',
      object: 'event',
      data: { blob: 'x'.repeat(10_000) },
      type: 'invoice.paid',
    });
    const event = {
      ...githubPost('unused', body),
      pathParameters: { source: 'stripe' },
      headers: {
        'content-type': 'application/json',
        ...signStripe(stripeSecret, body, Math.floor(Date.now() / 1000)),
      },
    };
    const answer = await post(event, lambdaContext);
    expect(JSON.parse(answer.body!)).toEqual({ id: 'evt_large' });
    const claims = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: resources.bucket, Prefix: 'events/_claims/stripe/' }),
    );
    expect(claims.KeyCount).toBe(1);
    await drainAll();
    expect((await archived(`events/stripe/${today()}/evt_large.json`))?.body).toBe(body);
    expect(invocations.find(({ event: downstream }) => downstream.id === 'evt_large')?.event.body).toBe(body);
  });

  it('queue down → 503 (nothing acknowledged), queue back → the retry gets 202 and is processed', async () => {
    await aws.stopService('sqs');
    const down = await receiveHandler()(githubPost('delivery-outage', '{"outage":1}'), lambdaContext);
    expect(down.statusCode).toBe(503);
    expect(JSON.parse(down.body!).error.code).toBe('SERVICE_UNAVAILABLE');
    await aws.restart('sqs');
    const retry = await receiveHandler()(githubPost('delivery-outage', '{"outage":1}'), lambdaContext);
    expect(retry.statusCode).toBe(202);
    await drainAll();
    expect(invocations.map(({ event }) => event.providerId)).toEqual(['delivery-outage']);
  });

  it('a delivery whose processing keeps failing lands in the DLQ; once fixed, redrive gets it processed', async () => {
    failingTargets.add('downstream');
    expect(
      (await receiveHandler()(githubPost('delivery-poison', '{"poison":1}'), lambdaContext)).statusCode,
    ).toBe(202);
    // maxReceiveCount 2, visibility 1 s: fail twice, then the emulator moves it to the DLQ on the next receive.
    await drainAll();
    expect(await aws.depth(dlqUrl())).toBe(1);
    expect(invocations).toHaveLength(0);
    // Failed while the queue gives it back, dead-lettered on the last receive it allows. (A receive the
    // harness's stopping poller made and never handled counts too, as in SQS: so "while".)
    const [failing] = await historyOf('delivery-poison');
    expect(failing).toMatchObject({ status: 'dead-lettered', targets: { downstream: 'failed' } });
    expect(failing!.attempts.at(-1)).toMatchObject({
      outcome: 'dead-lettered',
      errorCode: 'INTERNAL',
      receiveCount: maxReceiveCount,
    });
    expect(failing!.attempts.slice(0, -1).every(({ outcome }) => outcome === 'failed')).toBe(true);

    failingTargets.clear();
    const moved = await redriveDeadLetters({
      sqs: aws.sqs,
      sourceQueueUrl: queueUrl(),
      dlqUrl: dlqUrl(),
      mode: 'send-then-delete',
    });
    expect(moved).toBe(1);
    expect(await aws.depth(dlqUrl())).toBe(0);
    await drainAll();
    expect(invocations.map(({ event }) => event.providerId)).toEqual(['delivery-poison']);
    // Redriven, the same receipt's next attempt moves its status on.
    const [redriven] = await historyOf('delivery-poison');
    expect(redriven).toMatchObject({ status: 'processed', targets: { downstream: 'invoked' } });
    expect(redriven!.attempts.map(({ outcome }) => outcome).slice(-2)).toEqual([
      'dead-lettered',
      'processed',
    ]);
  });

  it('replay re-enqueues archived deliveries, processed again once per replay run', async () => {
    expect(
      (await receiveHandler()(githubPost('delivery-replay', '{"replay":1}'), lambdaContext)).statusCode,
    ).toBe(202);
    await drainAll();
    invocations.length = 0;
    const storage = new S3ObjectStorage({ bucket: resources.bucket, client: aws.s3 });
    const enqueue = {
      sendMessage: sqsMessageSender(aws.sqs, queueUrl()),
      storeClaim: async () => undefined,
    };
    const dryRun = await replayArchivedDeliveries({
      source: 'github',
      id: githubId('{"replay":1}'),
      storage,
      enqueue,
      history: history(),
      dryRun: true,
      replayId: 'r1',
    });
    expect(dryRun).toMatchObject({ matched: 1, enqueued: 0 });
    const run = await replayArchivedDeliveries({
      source: 'github',
      since: new Date(Date.now() - 60_000),
      id: githubId('{"replay":1}'),
      storage,
      enqueue,
      history: history(),
      dryRun: false,
      replayId: 'r1',
    });
    expect(run).toMatchObject({ matched: 1, enqueued: 1 });
    // The same run's message delivered twice (a queue redelivery) is still processed once.
    const [message] =
      (
        await aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
        )
      ).Messages ?? [];
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: message!.Body! }));
    await drainAll();
    expect(invocations.map(({ event }) => event.providerId)).toEqual(['delivery-replay']);
    // The replayed copy has its own receipt, queued by the replay, then processed as `replayed`.
    const records = await historyOf('delivery-replay');
    expect(records.map(({ replay }) => replay ?? 'original').sort()).toEqual(['original', 'r1']);
    const copy = records.find(({ replay }) => replay === 'r1')!;
    expect(copy.status === 'replayed' || copy.status === 'duplicate').toBe(true);
    expect(copy.attempts.map(({ outcome }) => outcome)).toContain('replayed');
    const future = await replayArchivedDeliveries({
      source: 'github',
      since: new Date(Date.now() + 86_400_000),
      storage,
      enqueue,
      history: history(),
      dryRun: true,
      replayId: 'r2',
    });
    expect(future.matched).toBe(0);
    // A source the archive never held is named, not reported as "0 replayed"; nothing is sent.
    const unknown = replayArchivedDeliveries({
      source: 'nope',
      storage,
      enqueue: { ...enqueue, sendMessage: () => Promise.reject(new Error('nothing may be sent')) },
      history: history(),
      dryRun: false,
      replayId: 'r3',
    });
    await expect(unknown).rejects.toBeInstanceOf(UnknownReplaySourceError);
    await expect(unknown).rejects.toThrow('No delivery of source "nope" was ever archived');
  });
});
