import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toIntegrationError } from './error-mapping';
import { messageAttributesOf } from './sqs-dead-letter';

/**
 * Puts a copy of a record back on its own queue, hidden for a while, and resolves once the queue holds it;
 * the caller then reports the record done. Rejects (an IntegrationError) when the queue refused it, so the
 * record stays a failure and nothing is lost.
 */
export type SqsRequeue = (record: SQSRecord) => Promise<void>;

/** SQS's longest message delay. */
export const maxDelaySeconds = 900;

/**
 * An SqsRequeue that sends the record's body and attributes to `queueUrl` with `delaySeconds`. A copy, not
 * ChangeMessageVisibility: a message made visible again counts one more receive, and after the queue's
 * maxReceiveCount the redrive policy would move a merely waiting message to the DLQ. Needs
 * `sqs:SendMessage` on the queue.
 */
export function sqsRequeue(client: SQSClient, queueUrl: string, delaySeconds: number): SqsRequeue {
  const delay = Math.min(maxDelaySeconds, Math.max(0, Math.floor(delaySeconds)));
  return async (record) => {
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageAttributes: messageAttributesOf(record),
          DelaySeconds: delay,
        }),
      );
    } catch (error) {
      throw toIntegrationError(error, { service: 'SQS', operation: 'SendMessage', resource: queueUrl });
    }
  };
}
