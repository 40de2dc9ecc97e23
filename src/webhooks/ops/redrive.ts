import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { toIntegrationError } from '../../aws/error-mapping';

/** How messages leave the DLQ; see RedriveOptions.mode. */
export type RedriveMode = 'move-task' | 'send-then-delete';

/** Every mode, as the CLI spells them. */
export const REDRIVE_MODES: readonly RedriveMode[] = ['move-task', 'send-then-delete'];

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly sourceQueueUrl: string;
  readonly dlqUrl: string;
  /**
   * `move-task`: SQS StartMessageMoveTask (AWS; messages keep their attributes, SQS paces the move).
   * `send-then-delete`: receive from the DLQ, send to the source queue, then delete from the DLQ (a move,
   * not a copy): a bounded redrive (`limit`), and SQS endpoints that do not implement message move tasks.
   */
  readonly mode: RedriveMode;
  /** Progress callback: messages moved so far. */
  readonly onProgress?: (moved: number) => void;
  /** Polling interval of the move task's status (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Stop after this many messages (send-then-delete mode; default: all). */
  readonly limit?: number;
}

/** Resolves a queue URL by name (GetQueueUrl). */
export async function queueUrlByName(sqs: SQSClient, name: string): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`Queue ${name} has no URL`);
    return QueueUrl;
  } catch (error) {
    throw toIntegrationError(error, { service: 'SQS', operation: 'GetQueueUrl', resource: name });
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`Queue ${url} reports no ARN`);
  return Attributes.QueueArn;
}

/**
 * Moves every message of the DLQ back to the source queue and resolves with how many moved. In
 * send-then-delete mode a message is deleted from the DLQ only after the send succeeded, so a crash can duplicate
 * (the worker is idempotent) but never lose a message. Errors are mapped IntegrationErrors.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<number> {
  try {
    return options.mode === 'move-task' ? await moveTask(options) : await sendThenDelete(options);
  } catch (error) {
    throw toIntegrationError(error, {
      service: 'SQS',
      operation: options.mode === 'move-task' ? 'StartMessageMoveTask' : 'Redrive',
    });
  }
}

async function moveTask({
  sqs,
  sourceQueueUrl,
  dlqUrl,
  onProgress,
  pollIntervalMs = 2000,
}: RedriveOptions): Promise<number> {
  const [sourceArn, destinationArn] = await Promise.all([
    queueArn(sqs, dlqUrl),
    queueArn(sqs, sourceQueueUrl),
  ]);
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
  );
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    const { Results } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
    );
    const task = Results?.find((result) => result.TaskHandle === TaskHandle) ?? Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    onProgress?.(moved);
    if (task?.Status === 'COMPLETED') return moved;
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      throw new Error(
        `The message move task ended ${task.Status}${task.FailureReason ? `: ${task.FailureReason}` : ''}`,
      );
    }
  }
}

async function sendThenDelete({
  sqs,
  sourceQueueUrl,
  dlqUrl,
  onProgress,
  limit = Infinity,
}: RedriveOptions): Promise<number> {
  let moved = 0;
  let emptyReceives = 0;
  // Only what was dead already: a message the worker dead-letters again during the run (a non-retryable
  // poison comes back within a second) is left for the next redrive, or one poison was moved until `limit`.
  const startedAt = Date.now();
  // Two empty receives in a row: SQS receives sample servers, one empty answer does not prove the queue is empty.
  while (moved < limit && emptyReceives < 2) {
    const { Messages: received = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    // Left hidden for the visibility timeout, so this run does not receive them again.
    const Messages = received.filter((message) => !(Number(message.Attributes?.SentTimestamp) > startedAt));
    if (Messages.length === 0) {
      emptyReceives++;
      continue;
    }
    emptyReceives = 0;
    for (const message of Messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: sourceQueueUrl,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
            ? { MessageAttributes: message.MessageAttributes }
            : {}),
        }),
      );
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
        })),
      }),
    );
    moved += Messages.length;
    onProgress?.(moved);
  }
  return moved;
}
