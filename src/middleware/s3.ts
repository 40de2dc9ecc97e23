import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { AsyncFailureDestination } from '../aws/async-failure-destination';
import { AppError, BadRequestError, isRetryable } from '../errors';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { invocationTracing } from '../observability/tracer';
import { publishMetrics } from './publish-metrics';
import { middy } from './middy';

/** One object of an S3 notification, with its key already decoded. */
export interface S3ObjectEvent {
  eventName: string;
  bucket: string;
  /** The object key as stored (decoded from the notification's URL encoding, `+` = space). */
  key: string;
  /** Absent in ObjectRemoved events. */
  size: number | undefined;
  eTag: string | undefined;
  versionId: string | undefined;
  sequencer: string | undefined;
  record: S3EventRecord;
}

/**
 * Handles one S3 object. Throwing a retryable error (or an untyped one) fails the invocation, which
 * Lambda's async invoke retries; throwing a non-retryable AppError sends the record to the on-failure
 * destination at once.
 */
export type S3RecordHandler = (object: S3ObjectEvent, context: Context) => Promise<void>;

export type S3Handler = (event: S3Event, context: Context) => Promise<void>;

export interface S3EventHandlerOptions {
  /** Where a record that must not be retried goes: the function's own on-failure destination. */
  failureDestination: AsyncFailureDestination;
}

/** Decodes a key from an S3 notification: URL-encoded with `+` for spaces (`a+b%2B.txt` → `a b+.txt`). */
export function decodeS3Key(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
}

/** The parts of an S3 notification record the handlers rely on. */
const objectRecordSchema = z.object({
  eventName: z.string().check(z.minLength(1)),
  s3: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(1)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number()),
      eTag: z.optional(z.string()),
      versionId: z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});

/**
 * The S3 notification stack: logger, tracer, metrics, then each record, checked against its schema, with
 * its decoded key. Every record is attempted. This is the one place that decides what a failure becomes,
 * from the errors' `retryable` flags:
 * - any failure retryable (throttling, 5xx, anything untyped): each is logged and the invocation throws
 *   the first retryable one, so the asynchronous invoke is retried (record handlers must therefore be
 *   idempotent), and after Lambda's retries the event goes to the on-failure destination;
 * - every failure non-retryable (a record failing its schema, a ConfigError, access denied): each record
 *   goes to the on-failure destination at once, with its error, and the invocation succeeds, so no retry
 *   is spent on it; if the destination refuses, the invocation throws and Lambda's retries take over.
 */
export function s3EventHandler(recordHandler: S3RecordHandler, options: S3EventHandlerOptions): S3Handler {
  const handler: S3Handler = async (event, context) => {
    // An event that is not an S3 notification at all is one record failing its schema.
    const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [event];
    const results = await Promise.allSettled(
      records.map(async (record) => recordHandler(toObjectEvent(record), context)),
    );
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ reason: result.reason as unknown, record: records[index] }] : [],
    );
    if (failures.length === 0) return;
    const retried = failures.find(({ reason }) => isRetryable(reason));
    if (retried === undefined && (await sentToFailureDestination(failures, context))) return;
    for (const { reason, record } of failures) {
      logger.error('S3 object failed; the invocation will be retried', {
        ...objectFacts(record, reason),
        error: reason as Error,
      });
    }
    throw (retried ?? failures[0]!).reason;
  };

  /** Sends each failure to the destination; false (logged) when the destination refused one. */
  async function sentToFailureDestination(
    failures: readonly { reason: unknown; record: unknown }[],
    context: Context,
  ): Promise<boolean> {
    try {
      for (const { reason, record } of failures) {
        await options.failureDestination({
          event: { Records: [record] },
          failure: reason as AppError,
          context,
        });
      }
    } catch (destinationError) {
      logger.error('S3 object failed and is not retryable, but the failure destination refused it', {
        error: destinationError as Error,
      });
      return false;
    }
    for (const { reason, record } of failures) {
      metrics.addMetric('RecordDeadLettered', MetricUnit.Count, 1);
      logger.error('S3 object failed and is not retryable: sent to the failure destination', {
        ...objectFacts(record, reason),
        error: reason as Error,
      });
    }
    return true;
  }

  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(invocationTracing() ?? [])
    .use(publishMetrics());
}

/** What the logs say of a failed record: bucket, (encoded) key and the error's code. */
function objectFacts(record: unknown, reason: unknown) {
  const s3 = (record as Partial<S3EventRecord> | undefined)?.s3;
  return {
    bucket: s3?.bucket?.name,
    key: s3?.object?.key,
    code: reason instanceof AppError ? reason.code : 'INTERNAL',
  };
}

/** The record as the handler sees it; throws BadRequestError (not retryable) when it fails its schema. */
function toObjectEvent(record: unknown): S3ObjectEvent {
  const parsed = objectRecordSchema.safeParse(record);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(record)').join(', ');
    throw new BadRequestError(`The S3 notification record is not valid at: ${where}`);
  }
  const { eventName, s3 } = parsed.data;
  let key: string;
  try {
    key = decodeS3Key(s3.object.key);
  } catch {
    throw new BadRequestError('The S3 notification record has a key that is not URL-encoded');
  }
  return {
    eventName,
    bucket: s3.bucket.name,
    key,
    size: s3.object.size,
    eTag: s3.object.eTag,
    versionId: s3.object.versionId,
    sequencer: s3.object.sequencer,
    record: record as S3EventRecord,
  };
}
