import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppError } from '../errors';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { tracer } from '../observability/tracer';
import { middy } from './middy';

/** Handles one SQS record. Resolving marks it done (deleted); throwing marks it for retry (then the DLQ). */
export type SqsRecordHandler = (record: SQSRecord, context: Context) => Promise<unknown>;

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The SQS stack: logger, tracer, metrics, then Powertools' BatchProcessor with partial batch failures
 * (the function's event needs `functionResponseType: ReportBatchItemFailures`). Records run in parallel;
 * each failure is logged with its message id (a routine one, such as a duplicate in flight, at info and
 * without a stack) and reported in `batchItemFailures`, so only it comes back
 * after the visibility timeout and, after maxReceiveCount, lands in the DLQ. If every record fails the
 * invocation throws (Powertools' FullBatchFailureError) and the whole batch is retried. The Lambda
 * `context` is passed on, which the idempotency utility needs to expire in-progress records of a crash.
 */
export function sqsBatchHandler(recordHandler: SqsRecordHandler): SqsBatchHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord, context: Context): Promise<unknown> => {
    try {
      return await recordHandler(record, context);
    } catch (error) {
      if (error instanceof AppError && error.routine) {
        logger.info(`SQS record deferred: ${error.message}; it will be retried`, {
          messageId: record.messageId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          code: error.code,
        });
        throw error;
      }
      logger.warn('SQS record failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        code: error instanceof AppError ? error.code : 'INTERNAL',
        retryable: error instanceof AppError ? error.retryable : undefined,
        error: error as Error,
      });
      throw error;
    }
  };
  const handler: SqsBatchHandler = async (event, context) => {
    // One record: its message id is the natural correlation id. Several: each failure log names its own.
    if (event.Records.length === 1) logger.setCorrelationId(event.Records[0]?.messageId);
    return processPartialResponse(event, handleRecord, processor, { context });
  };
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
