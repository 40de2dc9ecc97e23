import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** Converts SQS API message attributes into the camel-cased shape Lambda delivers. */
function toRecordAttributes(attributes: Record<string, MessageAttributeValue> = {}): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
          : {}),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
      },
    ]),
  ) as SQSMessageAttributes;
}

/** Builds the SQSEvent Lambda's event-source mapping delivers for messages received from `queueArn`. */
export function buildSqsEvent(messages: Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'LOCAL',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        ...(message.Attributes as Partial<SQSRecord['attributes']>),
      },
      messageAttributes: toRecordAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

/** Which messages of a batch failed: all of them, or the listed message ids. */
export type BatchOutcome = { allFailed: true } | { allFailed: false; failedIds: Set<string> };

/**
 * Reads a `ReportBatchItemFailures` response as Lambda does: a missing or empty response or list means
 * every message succeeded; a list of `itemIdentifier`s names the failures; anything malformed (not an
 * object, a list that is not a list, an empty, null or unknown identifier) fails the whole batch.
 */
export function readBatchItemFailures(response: unknown, messageIds: readonly string[]): BatchOutcome {
  if (response === null || response === undefined || response === '')
    return { allFailed: false, failedIds: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) return { allFailed: true };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { allFailed: false, failedIds: new Set() };
  if (!Array.isArray(failures)) return { allFailed: true };
  const known = new Set(messageIds);
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) return { allFailed: true };
    failedIds.add(id);
  }
  return { allFailed: false, failedIds };
}
