import { ServiceUnavailableError } from '../errors';
import { fitsInBytes, serialiseWebhookMessage, type WebhookMessage } from './message';
import { claimKey } from './object-keys';

/** SQS's message size limit we design for (it rose to 1 MiB in 2025; 256 KiB works everywhere). */
export const queueMessageLimitBytes = 256 * 1024;

/** Sends one message text to the webhooks queue; rejects with the SDK's error or an IntegrationError. */
export type SendQueueMessage = (text: string) => Promise<void>;
/** Stores a claimed body (the text exactly as queued) under `key`. */
export type StoreClaim = (key: string, text: string) => Promise<void>;

export interface EnqueueDependencies {
  readonly sendMessage: SendQueueMessage;
  readonly storeClaim: StoreClaim;
  readonly maxMessageBytes?: number;
}

/**
 * Puts a verified delivery on the queue. A message over the limit has its body stored first and is
 * queued as metadata plus a claim reference. SQS refuses some characters (C0 controls, U+FFFE…) that a
 * text body may hold: then the body is re-sent base64-encoded, so any byte sequence gets through.
 * Resolves only once the queue holds the message; any failure is a ServiceUnavailableError (503), so
 * the sender retries and nothing acknowledged is ever lost.
 */
export async function enqueueWebhook(message: WebhookMessage, deps: EnqueueDependencies): Promise<void> {
  try {
    await deps.sendMessage(await fitted(message, deps));
  } catch (error) {
    if (!isInvalidMessageContents(error) || message.meta.encoding === 'base64') throw unavailable(error);
    const base64: WebhookMessage = {
      meta: { ...message.meta, encoding: 'base64' },
      body: Buffer.from(message.body, 'utf8').toString('base64'),
    };
    try {
      await deps.sendMessage(await fitted(base64, deps));
    } catch (retryError) {
      throw unavailable(retryError);
    }
  }
}

async function fitted(message: WebhookMessage, deps: EnqueueDependencies): Promise<string> {
  const text = serialiseWebhookMessage(message);
  if (fitsInBytes(text, deps.maxMessageBytes ?? queueMessageLimitBytes)) return text;
  const key = claimKey(message.meta.source, message.meta.id, message.meta.receivedAt);
  await deps.storeClaim(key, message.body);
  return serialiseWebhookMessage({
    meta: { ...message.meta, claim: { key, bytes: Buffer.byteLength(message.body, 'utf8') } },
    body: '',
  });
}

function isInvalidMessageContents(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const name = (cause as { name?: unknown } | undefined)?.name;
  return name === 'InvalidMessageContents' || name === 'AWS.SimpleQueueService.InvalidMessageContents';
}

function unavailable(error: unknown): ServiceUnavailableError {
  if (error instanceof ServiceUnavailableError) return error;
  return new ServiceUnavailableError('The webhook could not be queued; retry later', {
    service: 'SQS',
    operation: 'SendMessage',
    cause: error,
  });
}
