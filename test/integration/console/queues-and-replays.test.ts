import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStorage } from '../../../src/aws/storage/s3-object-storage';
import { FAILURE_CODE_ATTRIBUTE } from '../../../src/aws/sqs-dead-letter';
import {
  peekDeadLetters,
  queueDepths,
  redriveQueue,
  type ConsoleQueue,
} from '../../../src/console/api/queues';
import { parseWebhookMessage, serialiseWebhookMessage } from '../../../src/webhooks/message';
import { newReplayId, replayArchives } from '../../../src/webhooks/ops/replay-archives';
import { sqsMessageSender } from '../../../src/webhooks/sqs-sender';
import { startEmulators, type Emulators } from '../../helpers/emulators';
import { memoryHistory } from '../../unit/console/fakes';

jest.setTimeout(60_000);

const bucket = 'intake-test-console';
let aws: Emulators;
let queue: ConsoleQueue;

beforeAll(async () => {
  aws = await startEmulators();
  await aws.provision({
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucket } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'intake-test-console-webhooks' } },
    DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'intake-test-console-webhooks-dlq' } },
  });
  queue = { name: 'webhooks', queueUrl: aws.queue('Queue').url, dlqUrl: aws.queue('DeadLetters').url };
});
afterAll(async () => {
  await aws?.stop();
});

const delivery = (id: string) =>
  serialiseWebhookMessage({
    meta: {
      v: 1,
      source: 'github',
      type: 'push',
      id,
      receivedAt: '2026-12-06T09:00:00.000Z',
      encoding: 'utf8',
      headers: {},
    },
    body: '{"password":"hunter2"}',
  });

async function send(queueUrl: string, body: string, failureCode?: string): Promise<string> {
  const { MessageId } = await aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      ...(failureCode
        ? {
            MessageAttributes: { [FAILURE_CODE_ATTRIBUTE]: { DataType: 'String', StringValue: failureCode } },
          }
        : {}),
    }),
  );
  return MessageId!;
}

async function visible(queueUrl: string): Promise<number> {
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
}

describe('queues and dead letters against SQS', () => {
  it('shows depths, peeks at dead letters without hiding them, redrives one by id, then all', async () => {
    await send(queue.queueUrl, 'waiting');
    const poisonId = await send(queue.dlqUrl, '{"api_key":"k","note":"not a delivery"}');
    const deliveryId = await send(queue.dlqUrl, delivery('d-1'), 'INVALID_JSON');
    await send(queue.dlqUrl, delivery('d-2'));

    expect(await queueDepths(aws.sqs, [queue])).toEqual({
      queues: [{ name: 'webhooks', visible: 1, inFlight: 0, deadLetters: 3 }],
    });

    const peek = await peekDeadLetters(aws.sqs, queue, 10);
    expect(peek.queue).toBe('webhooks');
    expect(peek.messages).toHaveLength(3);
    const byId = new Map(peek.messages.map((message) => [message.messageId, message]));
    expect(byId.get(deliveryId)).toMatchObject({
      failureCode: 'INVALID_JSON',
      summary: { source: 'github', type: 'push', id: 'd-1', receivedAt: '2026-12-06T09:00:00.000Z' },
      preview: '',
      sentAt: expect.stringMatching(/^\d{4}-/),
      receiveCount: expect.any(Number),
    });
    expect(JSON.parse(byId.get(poisonId)!.preview)).toEqual({
      api_key: '[redacted]',
      note: 'not a delivery',
    });
    // The peek hid nothing: another look at once sees every dead letter again. (fauxqs counts a message
    // received with VisibilityTimeout 0 as in flight until its next receive; AWS as visible at once.)
    expect((await peekDeadLetters(aws.sqs, queue, 10)).messages).toHaveLength(3);
    expect((await queueDepths(aws.sqs, [queue])).queues[0]!.deadLetters).toBe(3);
    expect((await peekDeadLetters(aws.sqs, queue, 1)).messages).toHaveLength(1);

    expect(await redriveQueue(aws.sqs, queue, deliveryId)).toEqual({ moved: 1, failed: 0 });
    expect(await visible(queue.dlqUrl)).toBe(2);
    expect(await visible(queue.queueUrl)).toBe(2);

    await expect(redriveQueue(aws.sqs, queue, 'no-such-message')).rejects.toMatchObject({
      statusCode: 404,
      code: 'MESSAGE_NOT_FOUND',
    });
    // The messages searched on the way are visible again at once, not after their 30 s.
    expect(await visible(queue.dlqUrl)).toBe(2);

    expect(await redriveQueue(aws.sqs, queue)).toEqual({ moved: 2, failed: 0 });
    expect(await visible(queue.dlqUrl)).toBe(0);
    const moved = await drain(queue.queueUrl);
    expect(moved.sort()).toEqual(
      ['waiting', delivery('d-1'), delivery('d-2'), '{"api_key":"k","note":"not a delivery"}'].sort(),
    );
  });

  it('redrives all once: a poison the worker dead-letters again at once is not moved again in the same run', async () => {
    await drain(queue.queueUrl);
    await drain(queue.dlqUrl);
    await send(queue.dlqUrl, delivery('poison'), 'SIGNATURE_INVALID');
    // The worker's part: every message of the queue goes straight back to the DLQ, as a non-retryable
    // failure does (src/aws/sqs-dead-letter.ts), about as fast as the worker's poller takes it.
    let working = true;
    const worker = (async () => {
      while (working) {
        const { Messages = [] } = await aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        for (const message of Messages) {
          await send(queue.dlqUrl, message.Body!, 'SIGNATURE_INVALID');
          await aws.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle! }),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      expect(await redriveQueue(aws.sqs, queue)).toEqual({ moved: 1, failed: 0 });
    } finally {
      working = false;
      await worker;
    }
  });

  it('answers a dead-letter queue that is gone as a typed 404 error', async () => {
    const gone = { ...queue, dlqUrl: `${queue.dlqUrl}-gone` };
    await expect(peekDeadLetters(aws.sqs, gone, 10)).rejects.toMatchObject({ statusCode: 404 });
    await expect(queueDepths(aws.sqs, [gone])).rejects.toMatchObject({ statusCode: 404 });
    await expect(redriveQueue(aws.sqs, gone, 'x')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('replayArchives against S3 and SQS', () => {
  it('leaves a copy too large for one message to a caller that may write claim checks', async () => {
    await drain(queue.queueUrl);
    const key = 'events/github/2026/12/06/big.json';
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify({
          source: 'github',
          type: 'push',
          id: 'big',
          receivedAt: '2026-12-06T09:00:00.000Z',
          archivedAt: '2026-12-06T09:00:01.000Z',
          headers: {},
          encoding: 'utf8',
          body: 'x'.repeat(300 * 1024),
        }),
      }),
    );
    const result = await replayArchives({
      keys: [key],
      storage: new S3ObjectStorage({ bucket, client: aws.s3 }),
      enqueue: { sendMessage: sqsMessageSender(aws.sqs, queue.queueUrl) },
      replayId: 'replay-big',
      history: memoryHistory(),
    });
    expect(result).toEqual({ enqueued: 0, missing: [], tooLarge: [key] });
    expect(await drain(queue.queueUrl)).toEqual([]);
  });

  it('re-enqueues each named archive once with the run id, and reports the archives that are gone', async () => {
    await drain(queue.queueUrl);
    const key = 'events/github/2026/12/06/d-9.json';
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify({
          source: 'github',
          type: 'push',
          id: 'd-9',
          receivedAt: '2026-12-06T09:00:00.000Z',
          archivedAt: '2026-12-06T09:00:01.000Z',
          headers: { 'content-type': 'application/json' },
          encoding: 'utf8',
          body: '{"a":1}',
        }),
      }),
    );
    const replayId = newReplayId(new Date('2026-12-06T10:11:12Z'));
    const history = memoryHistory();
    expect(replayId).toMatch(/^replay-20261206101112-[0-9a-f]{8}$/);
    const result = await replayArchives({
      keys: [key, key, 'events/github/2026/12/06/gone.json'],
      storage: new S3ObjectStorage({ bucket, client: aws.s3 }),
      enqueue: { sendMessage: sqsMessageSender(aws.sqs, queue.queueUrl), storeClaim: async () => undefined },
      replayId,
      history,
      newReceipt: () => 'copy-receipt',
      now: () => new Date('2026-12-06T10:11:13Z'),
    });
    expect(result).toEqual({ enqueued: 1, missing: ['events/github/2026/12/06/gone.json'], tooLarge: [] });
    // The copy has a receipt of its own, recorded queued when it was queued again.
    expect(history.received).toEqual([
      {
        receipt: 'copy-receipt',
        source: 'github',
        type: 'push',
        id: 'd-9',
        receivedAt: '2026-12-06T10:11:13.000Z',
        replay: replayId,
      },
    ]);
    const [queued, ...more] = await drain(queue.queueUrl);
    expect(more).toEqual([]);
    expect(parseWebhookMessage(queued!)).toMatchObject({
      meta: { id: 'd-9', replay: replayId, receipt: 'copy-receipt' },
      body: '{"a":1}',
    });
  });
});
