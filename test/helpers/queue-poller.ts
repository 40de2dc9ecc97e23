/* Test and benchmark infrastructure: never imported by a function. */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsBatchHandler } from '../../src/middleware/sqs';

/**
 * What Lambda's SQS event source mapping does, in-process: long-poll batches, invoke the handler, delete
 * every message not reported in `batchItemFailures` (none when the invocation throws). Failures come back
 * after the visibility timeout. Runs `pollers` loops until `stop()`; resolves `stopped` once they end.
 */
export function pollQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  /** One handler per poller, like one Lambda container each (a BatchProcessor holds per-batch state). */
  createHandler: () => SqsBatchHandler;
  pollers?: number;
  batchSize?: number;
}): { stop(): Promise<void>; handled(): number } {
  let running = true;
  let handled = 0;
  const context = {
    awsRequestId: 'poller',
    functionName: 'webhook-process',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
  const loop = async () => {
    const handler = options.createHandler();
    while (running) {
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: 1,
            AttributeNames: ['All'],
          }),
        ));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length === 0) continue;
      const event: SQSEvent = {
        Records: messages.map(
          (message) =>
            ({
              messageId: message.MessageId!,
              receiptHandle: message.ReceiptHandle!,
              body: message.Body ?? '',
              attributes: message.Attributes ?? {},
              messageAttributes: {},
              md5OfBody: message.MD5OfBody ?? '',
              eventSource: 'aws:sqs',
              eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local',
              awsRegion: 'us-east-1',
            }) as SQSRecord,
        ),
      };
      let failed: Set<string>;
      try {
        failed = new Set(
          (await handler(event, context)).batchItemFailures.map((failure) => failure.itemIdentifier),
        );
      } catch {
        failed = new Set(messages.map((message) => message.MessageId!));
      }
      const done = messages.filter((message) => !failed.has(message.MessageId!));
      handled += done.length;
      if (done.length > 0) {
        await options.sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle!,
              })),
            }),
          )
          .catch(() => undefined);
      }
    }
  };
  const loops = Array.from({ length: options.pollers ?? 4 }, () => loop());
  return {
    handled: () => handled,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
