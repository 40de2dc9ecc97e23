import type { Context, SQSRecord } from 'aws-lambda';
import { AppError, isRetryable } from '../../errors';
import type { SqsRecordHandler } from '../../middleware/sqs';
import { parseWebhookMessage, type WebhookMessageMeta } from '../message';
import type { AttemptReport } from '../processor';
import type { AttemptUpdate, DeliveryHistory } from './delivery-history';
import { receivedFacts, writeHistory } from './history-writes';

export interface AttemptRecorderOptions {
  readonly history: Pick<DeliveryHistory, 'recordAttempt'>;
  /** The queue's maxReceiveCount (WEBHOOKS_MAX_RECEIVE_COUNT): a failure on that receive is the last. */
  readonly maxReceiveCount: number;
  readonly now?: () => Date;
}

/** What one attempt at a record came to: a result, or the error the SQS edge will decide by. */
export type AttemptResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * The history's view of one attempt. A success is `duplicate` when nothing was redone, `replayed` for a
 * replayed copy, else `processed`. A failure is `dead-lettered` when it goes to the DLQ now: not retryable
 * (the SQS edge, src/middleware/sqs.ts, sends it there at once) or on the last receive the queue allows;
 * otherwise `failed` (it comes back after the visibility timeout). A delivery put back on the queue to wait
 * for a paused source or target stays `queued`, its attempt `paused`.
 */
export function attemptUpdate(options: {
  readonly result: AttemptResult;
  readonly meta: Pick<WebhookMessageMeta, 'replay'>;
  readonly report?: AttemptReport;
  readonly receiveCount?: number;
  readonly maxReceiveCount: number;
  readonly at: Date;
  readonly durationMs: number;
}): AttemptUpdate {
  const { result, report, receiveCount } = options;
  // Put back on the queue to wait for a paused source or target: still queued.
  const paused = result.ok && report?.paused === true;
  const status = paused
    ? 'queued'
    : result.ok
      ? report?.duplicate
        ? 'duplicate'
        : options.meta.replay === undefined
          ? 'processed'
          : 'replayed'
      : !isRetryable(result.error) || (receiveCount ?? 0) >= options.maxReceiveCount
        ? 'dead-lettered'
        : 'failed';
  return {
    status,
    attempt: {
      at: options.at.toISOString(),
      durationMs: options.durationMs,
      outcome: paused ? 'paused' : (status as Exclude<typeof status, 'queued'>),
      ...(result.ok ? {} : { errorCode: result.error instanceof AppError ? result.error.code : 'INTERNAL' }),
      ...(receiveCount === undefined ? {} : { receiveCount }),
    },
    ...(report === undefined ? {} : { targets: report.targets }),
    ...(report?.archiveKey === undefined ? {} : { archiveKey: report.archiveKey }),
  };
}

/** The metadata of a queued webhook, or undefined for a message that is none (poison: it has no record). */
function metaOf(record: SQSRecord): WebhookMessageMeta | undefined {
  try {
    return parseWebhookMessage(record.body).meta;
  } catch {
    return undefined;
  }
}

/**
 * Records every attempt of the webhook worker in the delivery history, one write per attempt:
 * `recording(handler)` wraps the worker's record handler, and `onAttempt` is given to the processor
 * (createWebhookProcessor's `onAttempt`) so the write names each routed target's outcome and the archive
 * key. The record is the message's receipt (`meta.receipt`, else the SQS message id). The handler's result
 * or error passes through unchanged: a failed history write is logged and counted, never a failed record.
 */
export function deliveryAttemptRecorder(options: AttemptRecorderOptions) {
  const now = options.now ?? (() => new Date());
  const reports = new WeakMap<SQSRecord, AttemptReport>();

  async function record(sqsRecord: SQSRecord, started: Date, result: AttemptResult): Promise<void> {
    const meta = metaOf(sqsRecord);
    if (meta === undefined) return;
    const facts = receivedFacts(meta, meta.receipt ?? sqsRecord.messageId);
    const receiveCount = Number(sqsRecord.attributes?.ApproximateReceiveCount);
    const update = attemptUpdate({
      result,
      meta,
      ...(reports.has(sqsRecord) ? { report: reports.get(sqsRecord)! } : {}),
      ...(Number.isInteger(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
      maxReceiveCount: options.maxReceiveCount,
      at: started,
      durationMs: now().getTime() - started.getTime(),
    });
    reports.delete(sqsRecord);
    await writeHistory(() => options.history.recordAttempt(facts, update), facts);
  }

  return {
    onAttempt: (sqsRecord: SQSRecord, report: AttemptReport): void => {
      reports.set(sqsRecord, report);
    },
    recording:
      (handler: SqsRecordHandler): SqsRecordHandler =>
      async (sqsRecord: SQSRecord, context: Context) => {
        const started = now();
        let result: unknown;
        try {
          result = await handler(sqsRecord, context);
        } catch (error) {
          await record(sqsRecord, started, { ok: false, error });
          throw error;
        }
        await record(sqsRecord, started, { ok: true });
        return result;
      },
  };
}
