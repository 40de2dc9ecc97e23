import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { toIntegrationError } from '../../aws/error-mapping';

export interface RedriveMessageOptions {
  readonly sqs: SQSClient;
  readonly sourceQueueUrl: string;
  readonly dlqUrl: string;
  /** SQS's MessageId of the dead letter to move. */
  readonly messageId: string;
  /** Receives (10 messages each) before giving up: bounds the search to 10 × this many messages. */
  readonly maxReceives?: number;
}

/**
 * Moves ONE message, found by its MessageId, from the DLQ back to the source queue: receive (10 at a time,
 * hidden while searched), send the match (body and attributes) to the source queue, then delete it from the
 * DLQ — a move, as redriveDeadLetters' send-then-delete, so a crash may duplicate but never lose it. The
 * messages received on the way are made visible again at once (ChangeMessageVisibilityBatch to 0).
 * Resolves true when moved, false when not found within `maxReceives`. Errors are mapped IntegrationErrors.
 */
export async function redriveDeadLetter(options: RedriveMessageOptions): Promise<boolean> {
  const { sqs, dlqUrl } = options;
  const searched: Message[] = [];
  try {
    let emptyReceives = 0;
    for (let receive = 0; receive < (options.maxReceives ?? 10) && emptyReceives < 2; receive++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 30,
          MessageAttributeNames: ['All'],
        }),
      );
      emptyReceives = Messages.length === 0 ? emptyReceives + 1 : 0;
      const match = Messages.find((message) => message.MessageId === options.messageId);
      searched.push(...Messages.filter((message) => message !== match));
      if (match !== undefined) {
        await moveMessage(options, match);
        return true;
      }
    }
    return false;
  } catch (error) {
    throw toIntegrationError(error, { service: 'SQS', operation: 'Redrive', resource: dlqUrl });
  } finally {
    await release(sqs, dlqUrl, searched);
  }
}

async function moveMessage(options: RedriveMessageOptions, message: Message): Promise<void> {
  await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: options.sourceQueueUrl,
      MessageBody: message.Body ?? '',
      ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
        ? { MessageAttributes: message.MessageAttributes }
        : {}),
    }),
  );
  await options.sqs.send(
    new DeleteMessageCommand({ QueueUrl: options.dlqUrl, ReceiptHandle: message.ReceiptHandle ?? '' }),
  );
}

/** Makes the searched messages visible again; best effort (they reappear after 30 s anyway). */
async function release(sqs: SQSClient, dlqUrl: string, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: dlqUrl,
          Entries: messages.slice(start, start + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      )
      .catch(() => undefined);
  }
}
