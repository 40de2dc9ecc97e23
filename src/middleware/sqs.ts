import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsDeadLetter } from '../aws/sqs-dead-letter';
import { AppError, isRetryable } from '../errors';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { invocationTracing } from '../observability/tracer';
import { publishMetrics } from './publish-metrics';
import { middy } from './middy';

/**
 * Handles one SQS record. Resolving marks it done (deleted). Throwing a retryable error (or an untyped
 * one) marks it for retry (then, after maxReceiveCount, the DLQ); throwing a non-retryable AppError
 * sends it to the DLQ at once.
 */
export type SqsRecordHandler = (record: SQSRecord, context: Context) => Promise<unknown>;

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface SqsBatchHandlerOptions {
  /** Where a record that must not be retried goes: the consumed queue's own DLQ. */
  deadLetter: SqsDeadLetter;
}

/**
 * The SQS stack: logger, tracer, metrics, then Powertools' BatchProcessor with partial batch failures
 * (the function's event needs `functionResponseType: ReportBatchItemFailures`). Records run in parallel.
 * This is the one place that decides what a failed record becomes, from the error's `retryable` flag:
 * - retryable (throttling, 5xx, a duplicate in flight, anything untyped): logged with its message id (a
 *   routine one at info, without a stack) and reported in `batchItemFailures`, so only it comes back after
 *   the visibility timeout and, after maxReceiveCount, lands in the DLQ;
 * - not retryable (a body failing its schema, a ConfigError, access denied, a missing object): sent to
 *   the DLQ at once by `deadLetter` and reported done, so it burns no retries; if the DLQ refuses it, it
 *   stays a batch item failure and the redrive policy moves it there later. Nothing is lost either way.
 * If every record is reported failed the invocation throws (Powertools' FullBatchFailureError) and the
 * whole batch is retried. The Lambda `context` is passed on, which the idempotency utility needs to
 * expire in-progress records of a crash.
 */
export function sqsBatchHandler(
  recordHandler: SqsRecordHandler,
  options: SqsBatchHandlerOptions,
): SqsBatchHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord, context: Context): Promise<unknown> => {
    try {
      return await recordHandler(record, context);
    } catch (error) {
      const facts = {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        code: error instanceof AppError ? error.code : 'INTERNAL',
      };
      if (isRetryable(error)) {
        if (error instanceof AppError && error.routine) {
          logger.info(`SQS record deferred: ${error.message}; it will be retried`, facts);
        } else {
          logger.warn('SQS record failed; it will be retried', { ...facts, error: error as Error });
        }
        throw error;
      }
      const failure = error as AppError;
      try {
        await options.deadLetter(record, failure);
      } catch (deadLetterError) {
        logger.error('SQS record failed and is not retryable, but the DLQ refused it; it will be retried', {
          ...facts,
          error: failure,
          deadLetterError: deadLetterError as Error,
        });
        throw failure;
      }
      metrics.addMetric('RecordDeadLettered', MetricUnit.Count, 1);
      logger.error('SQS record failed and is not retryable: sent to the DLQ', { ...facts, error: failure });
      return undefined;
    }
  };
  const handler: SqsBatchHandler = async (event, context) => {
    // One record: its message id is the natural correlation id. Several: each failure log names its own.
    if (event.Records.length === 1) logger.setCorrelationId(event.Records[0]?.messageId);
    return processPartialResponse(event, handleRecord, processor, { context });
  };
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(invocationTracing() ?? [])
    .use(publishMetrics());
}
