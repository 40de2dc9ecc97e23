import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { AppError } from '../errors';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { tracer } from '../observability/tracer';
import { middy } from './middy';

/** One object of an S3 notification, with its key already decoded. */
export interface S3ObjectEvent {
  eventName: string;
  bucket: string;
  /** The object key as stored (decoded from the notification's URL encoding, `+` = space). */
  key: string;
  size: number;
  eTag: string | undefined;
  versionId: string | undefined;
  sequencer: string | undefined;
  record: S3EventRecord;
}

/** Handles one S3 object. Throwing fails the invocation, which Lambda's async invoke retries. */
export type S3RecordHandler = (object: S3ObjectEvent, context: Context) => Promise<void>;

export type S3Handler = (event: S3Event, context: Context) => Promise<void>;

/** Decodes a key from an S3 notification: URL-encoded with `+` for spaces (`a+b%2B.txt` → `a b+.txt`). */
export function decodeS3Key(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
}

/**
 * The S3 notification stack: logger, tracer, metrics, then each record with its decoded key. Every record
 * is attempted; if any failed, the invocation throws the first failure after logging all of them, so the
 * asynchronous invoke is retried (record handlers must therefore be idempotent).
 */
export function s3EventHandler(recordHandler: S3RecordHandler): S3Handler {
  const handler: S3Handler = async (event, context) => {
    const results = await Promise.allSettled(
      event.Records.map((record) => recordHandler(toObjectEvent(record), context)),
    );
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected'
        ? [{ reason: result.reason as unknown, record: event.Records[index] }]
        : [],
    );
    for (const { reason, record } of failures) {
      logger.error('S3 object failed; the invocation will be retried', {
        bucket: record?.s3.bucket.name,
        key: record?.s3.object.key,
        code: reason instanceof AppError ? reason.code : 'INTERNAL',
        error: reason as Error,
      });
    }
    if (failures.length > 0) throw failures[0]?.reason;
  };
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

function toObjectEvent(record: S3EventRecord): S3ObjectEvent {
  const { object, bucket } = record.s3;
  return {
    eventName: record.eventName,
    bucket: bucket.name,
    key: decodeS3Key(object.key),
    size: object.size,
    eTag: object.eTag,
    versionId: object.versionId,
    sequencer: object.sequencer,
    record,
  };
}
