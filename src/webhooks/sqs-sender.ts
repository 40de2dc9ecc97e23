import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toIntegrationError } from '../aws/error-mapping';
import type { SendQueueMessage } from './enqueue';

/** A SendQueueMessage for `queueUrl`; SDK errors are mapped to IntegrationErrors (the original kept as `cause`). */
export function sqsMessageSender(client: SQSClient, queueUrl: string): SendQueueMessage {
  return async (text) => {
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text }));
    } catch (error) {
      throw toIntegrationError(error, { service: 'SQS', operation: 'SendMessage' });
    }
  };
}
