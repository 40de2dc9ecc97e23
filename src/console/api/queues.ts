import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { toIntegrationError } from '../../aws/error-mapping';
import { FAILURE_CODE_ATTRIBUTE } from '../../aws/sqs-dead-letter';
import { parseWebhookMessage } from '../../webhooks/message';
import { redriveDeadLetters } from '../../webhooks/ops/redrive';
import { redriveDeadLetter } from '../../webhooks/ops/redrive-message';
import type { DeadLettersAnswer, QueuesAnswer, RedriveAnswer } from '../api-types';
import { cutUtf8, redactedText } from './archived-payload';
import { DeadLetterNotFoundError, QueueNotFoundError } from './errors';

/** A queue the console shows, with the DLQ its redrive policy (or the worker) sends failures to. */
export interface ConsoleQueue {
  readonly name: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** The most dead letters one peek shows. */
export const MAX_PEEK_MESSAGES = 50;
/** The most messages one "redrive all" moves: a bounded request; call again for the rest. */
export const MAX_REDRIVE_ALL = 500;
/** The start of a non-delivery message's body shown in a peek. */
export const PREVIEW_BYTES = 2048;

/** Every queue's depth and its DLQ's: two GetQueueAttributes per queue, all in parallel. */
export async function queueDepths(sqs: SQSClient, queues: readonly ConsoleQueue[]): Promise<QueuesAnswer> {
  return {
    queues: await Promise.all(
      queues.map(async (queue) => {
        const [main, dlq] = await Promise.all([
          attributes(sqs, queue.queueUrl),
          attributes(sqs, queue.dlqUrl),
        ]);
        return {
          name: queue.name,
          visible: count(main.ApproximateNumberOfMessages),
          inFlight: count(main.ApproximateNumberOfMessagesNotVisible),
          deadLetters:
            count(dlq.ApproximateNumberOfMessages) + count(dlq.ApproximateNumberOfMessagesNotVisible),
        };
      }),
    ),
  };
}

/** The queue named `name`, or QueueNotFoundError (404). */
export function queueNamed(queues: readonly ConsoleQueue[], name: string): ConsoleQueue {
  const queue = queues.find((candidate) => candidate.name === name);
  if (queue === undefined) throw new QueueNotFoundError(name);
  return queue;
}

/**
 * A look at up to `limit` dead letters that leaves them where they are: ReceiveMessage with
 * VisibilityTimeout 0 hides nothing (a redrive running at the same time still sees every message). Costs
 * one SQS request per 10 messages (at most ⌈limit/10⌉ + 1; billed as any receive) and raises each
 * message's ApproximateReceiveCount, which a DLQ (no redrive policy of its own) never acts on. SQS samples
 * its servers, so a peek may show fewer messages than the DLQ's depth.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  queue: ConsoleQueue,
  limit: number,
): Promise<DeadLettersAnswer> {
  const seen = new Map<string, DeadLettersAnswer['messages'][number]>();
  try {
    for (let receive = 0; receive <= Math.ceil(limit / 10) && seen.size < limit; receive++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.dlqUrl,
          MaxNumberOfMessages: Math.min(10, limit - seen.size),
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          MessageAttributeNames: [FAILURE_CODE_ATTRIBUTE],
        }),
      );
      const fresh = Messages.filter(
        (message) => message.MessageId !== undefined && !seen.has(message.MessageId),
      );
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId!, deadLetterOf(message));
    }
  } catch (error) {
    throw toIntegrationError(error, { service: 'SQS', operation: 'ReceiveMessage', resource: queue.dlqUrl });
  }
  return { queue: queue.name, messages: [...seen.values()] };
}

/**
 * Moves dead letters back to their queue: the one with `messageId` (DeadLetterNotFoundError, 404, when the
 * first 100 messages searched do not hold it), or up to MAX_REDRIVE_ALL of them (receive → send → delete,
 * as `npm run redrive -- --mode send-then-delete`; it works on every SQS endpoint, and stays within one
 * request's time). A message is deleted from the DLQ only once sent, so `failed` stays 0: a failure rejects.
 */
export async function redriveQueue(
  sqs: SQSClient,
  queue: ConsoleQueue,
  messageId?: string,
): Promise<RedriveAnswer> {
  const target = { sqs, sourceQueueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl };
  if (messageId !== undefined) {
    if (!(await redriveDeadLetter({ ...target, messageId }))) throw new DeadLetterNotFoundError(messageId);
    return { moved: 1, failed: 0 };
  }
  const moved = await redriveDeadLetters({ ...target, mode: 'send-then-delete', limit: MAX_REDRIVE_ALL });
  return { moved, failed: 0 };
}

function deadLetterOf(message: Message): DeadLettersAnswer['messages'][number] {
  const sent = Number(message.Attributes?.SentTimestamp);
  const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
  const failureCode = message.MessageAttributes?.[FAILURE_CODE_ATTRIBUTE]?.StringValue;
  const body = message.Body ?? '';
  const summary = deliverySummary(body);
  return {
    messageId: message.MessageId!,
    ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(receiveCount) ? { receiveCount } : {}),
    ...(failureCode === undefined ? {} : { failureCode }),
    // A delivery is named by its summary (its payload, redacted, is in the delivery view); any other
    // message shows its start, credential-like values hidden.
    ...(summary === undefined
      ? { preview: cutUtf8(redactedText(body, undefined), PREVIEW_BYTES).text }
      : { summary, preview: '' }),
  };
}

/** source, type, id, receivedAt (and receipt, replay when set) of a queued webhook; undefined for other messages. */
function deliverySummary(body: string): Record<string, string> | undefined {
  let meta: Record<string, unknown>;
  try {
    meta = { ...parseWebhookMessage(body).meta };
  } catch {
    return undefined;
  }
  const summary: Record<string, string> = {};
  for (const name of ['source', 'type', 'id', 'receipt', 'receivedAt', 'replay']) {
    const value = meta[name];
    if (typeof value === 'string') summary[name] = value;
  }
  return summary;
}

async function attributes(sqs: SQSClient, queueUrl: string): Promise<Record<string, string>> {
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes;
  } catch (error) {
    throw toIntegrationError(error, { service: 'SQS', operation: 'GetQueueAttributes', resource: queueUrl });
  }
}

function count(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}
