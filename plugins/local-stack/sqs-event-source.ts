import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Invoker } from './invoker';
import type { LocalLog } from './log';
import { buildSqsEvent, readBatchItemFailures } from './sqs-event';

/** One function's `sqs` event from serverless.yml, resolved to a local queue. */
export interface SqsMapping {
  functionKey: string;
  functionName: string;
  queueArn: string;
  queueUrl: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  /** Batches invoked at once (the event's `maximumConcurrency` / `scalingConfig.maximumConcurrency`). */
  maximumConcurrency?: number;
}

export interface SqsEventSourceOptions {
  client: SQSClient;
  invoke: Invoker;
  region: string;
  log: LocalLog;
  /** Long-poll wait while the queue is empty (seconds, AWS's maximum is 20). */
  waitTimeSeconds?: number;
  /** Pause after a failed receive before polling again. */
  errorBackoffMs?: number;
  /** Batches in flight at once when the mapping sets no maximumConcurrency. */
  concurrency?: number;
}

/**
 * AWS starts five pollers per SQS mapping and invokes their batches concurrently; a local stack that
 * invoked one batch at a time would make every consumer look five times slower than it is.
 */
export const DEFAULT_SQS_CONCURRENCY = 5;

const MAX_RECEIVE = 10;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Emulates a Lambda event-source mapping on an SQS queue: long-polls, gathers up to `batchSize`
 * messages within the batching window, invokes the function and deletes only what succeeded. Failed
 * messages stay invisible until the queue's visibility timeout, so the queue's redrive policy moves
 * them to the DLQ after maxReceiveCount, exactly as with AWS. Up to `maximumConcurrency` batches (default
 * DEFAULT_SQS_CONCURRENCY) are invoked at once; one collector gathers them, and receives a batch only when
 * a slot is free, so no received message waits for an invoke while its visibility timeout runs.
 */
export class SqsEventSource {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private consecutiveErrors = 0;
  private consecutiveDeliveryErrors = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Set when a batch could not be delivered: the collector backs off as after a failed receive. */
  private deliveryFailed = false;

  constructor(
    readonly mapping: SqsMapping,
    private readonly options: SqsEventSourceOptions,
  ) {}

  /** Starts polling (no-op when the mapping is disabled or already running). */
  start(): void {
    if (!this.mapping.enabled || this.loop) return;
    this.loop = this.run();
  }

  /** Stops polling: aborts the long poll in flight and waits for the batches being delivered to finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private get concurrency(): number {
    return Math.max(
      1,
      this.mapping.maximumConcurrency ?? this.options.concurrency ?? DEFAULT_SQS_CONCURRENCY,
    );
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      if (this.inFlight.size >= this.concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (this.deliveryFailed) {
        this.deliveryFailed = false;
        await sleep(this.options.errorBackoffMs ?? 1_000, signal);
        continue;
      }
      try {
        const batch = await this.collectBatch();
        this.consecutiveErrors = 0;
        if (batch.length > 0) this.track(this.deliver(batch));
      } catch (error) {
        if (signal.aborted) break;
        this.report(error, this.consecutiveErrors++);
        await sleep(this.options.errorBackoffMs ?? 1_000, signal);
      }
    }
    await Promise.all(this.inFlight);
  }

  /** Keeps a delivery in the in-flight set until it settles; its failure is reported, never thrown. */
  private track(delivery: Promise<void>): void {
    const tracked: Promise<void> = delivery
      .then(
        () => {
          this.consecutiveDeliveryErrors = 0;
        },
        (error: unknown) => {
          this.deliveryFailed = true;
          this.report(error, this.consecutiveDeliveryErrors++);
        },
      )
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** A dead emulator or function fails every poll: say so once, then now and then, not every second. */
  private report(error: unknown, consecutive: number): void {
    if (consecutive % 30 === 0) {
      this.options.log.warning(`SQS → ${this.mapping.functionName}: ${String(error)}`);
    }
  }

  private async receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const response = await this.options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.mapping.queueUrl,
        MaxNumberOfMessages: Math.min(MAX_RECEIVE, maxMessages),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return response.Messages ?? [];
  }

  /** Waits for a first message, then fills the batch until it is full or the window has passed. */
  private async collectBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    const batch = await this.receive(batchSize, this.options.waitTimeSeconds ?? 20);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + maximumBatchingWindowSeconds * 1_000;
    while (batch.length < batchSize && !this.abort.signal.aborted) {
      const remainingMs = deadline - Date.now();
      const more = await this.receive(batchSize - batch.length, Math.max(0, Math.floor(remainingMs / 1_000)));
      batch.push(...more);
      if (more.length > 0) continue;
      if (remainingMs <= 0) break;
      await sleep(Math.min(50, remainingMs), this.abort.signal);
    }
    return batch;
  }

  private async deliver(batch: Message[]): Promise<void> {
    const { functionName, queueArn, reportBatchItemFailures } = this.mapping;
    const event = buildSqsEvent(batch, queueArn, this.options.region);
    const result = await this.options.invoke(functionName, event);
    if (result.functionError) {
      this.options.log.warning(
        `${functionName} failed a batch of ${batch.length}: the messages return after the visibility timeout`,
      );
      return;
    }
    const ids = batch.map((message) => message.MessageId!);
    const outcome = reportBatchItemFailures
      ? readBatchItemFailures(result.payload, ids)
      : { allFailed: false as const, failedIds: new Set<string>() };
    if (outcome.allFailed) {
      this.options.log.warning(
        `${functionName} returned malformed batchItemFailures: the whole batch failed`,
      );
      return;
    }
    const succeeded = batch.filter((message) => !outcome.failedIds.has(message.MessageId!));
    await this.deleteMessages(succeeded);
  }

  private async deleteMessages(messages: Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += MAX_RECEIVE) {
      const chunk = messages.slice(start, start + MAX_RECEIVE);
      const response = await this.options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.mapping.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle!,
          })),
        }),
      );
      for (const failure of response.Failed ?? []) {
        this.options.log.warning(
          `could not delete a message from ${this.mapping.queueUrl}: ${failure.Message}`,
        );
      }
    }
  }
}
