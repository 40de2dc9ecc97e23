import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { AppError } from '../errors';
import { toIntegrationError } from './error-mapping';

/**
 * Stores a record that must not be retried in its queue's dead-letter queue, then resolves: the caller
 * may report the record done (SQS deletes it from the source queue). Rejects when the DLQ did not take
 * it, so the caller keeps it a batch item failure and the redrive policy still gets it there.
 */
export type SqsDeadLetter = (record: SQSRecord, failure: AppError) => Promise<void>;

/** The message attribute naming why a record was dead-lettered without retries (the AppError code). */
export const FAILURE_CODE_ATTRIBUTE = 'intake-failure-code';

/** SQS allows 10 message attributes: the failure code is added only when the message leaves room. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * An SqsDeadLetter that sends the record's body and message attributes to `queueUrl` (a standard queue,
 * as the DLQ of every queue here is), with the failure's code as one more attribute. The same move the
 * redrive policy makes after maxReceiveCount, without the retries that cannot help: Powertools for Java's
 * `nonRetryableExceptions` does the same. Needs `sqs:SendMessage` on the DLQ.
 */
export function sqsDeadLetterQueue(client: SQSClient, queueUrl: string): SqsDeadLetter {
  return async (record, failure) => {
    const attributes = messageAttributesOf(record);
    if (Object.keys(attributes).length < MAX_MESSAGE_ATTRIBUTES)
      attributes[FAILURE_CODE_ATTRIBUTE] = { DataType: 'String', StringValue: failure.code };
    try {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      throw toIntegrationError(error, { service: 'SQS', operation: 'SendMessage', resource: queueUrl });
    }
  };
}

/** The record's message attributes as SendMessage takes them (Lambda gives binary values in base64). */
export function messageAttributesOf(record: SQSRecord): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    attributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
      ...(value.binaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.binaryValue, 'base64') }),
    };
  }
  return attributes;
}
