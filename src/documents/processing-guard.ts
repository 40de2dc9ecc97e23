import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

/** One version of one uploaded object: S3 may deliver its ObjectCreated event more than once. */
export interface UploadVersion {
  bucket: string;
  key: string;
  /** The versionId, or (unversioned buckets, the local S3) the ETag plus the event sequencer. */
  version: string;
}

/** Runs `work` once per upload version; a repeat delivery gets the first run's result. */
export interface ProcessingGuard {
  once<R extends object>(upload: UploadVersion, work: () => Promise<R>): Promise<R>;
  registerContext(context: Context): void;
}

/** A week: S3 redelivers within hours at most; the table's TTL purges records after. */
export const PROCESSING_RECORD_SECONDS = 7 * 24 * 60 * 60;

/**
 * Powertools Idempotency over the DynamoDB table, keyed by the hashed (bucket, key, version) under the
 * `document-process` prefix: two deliveries of the same upload run the processing once, and a concurrent
 * duplicate fails as "in progress" (the async invoke retries it later, then finds it done).
 */
export function dynamoDbProcessingGuard(options: {
  tableName: string;
  client: DynamoDBClient;
}): ProcessingGuard {
  const config = new IdempotencyConfig({ expiresAfterSeconds: PROCESSING_RECORD_SECONDS });
  const run = makeIdempotent(async (_upload: UploadVersion, work: () => Promise<object>) => work(), {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      awsSdkV3Client: options.client,
    }),
    config,
    keyPrefix: 'document-process',
    dataIndexArgument: 0,
  });
  return {
    once: <R extends object>(upload: UploadVersion, work: () => Promise<R>) =>
      run({ bucket: upload.bucket, key: upload.key, version: upload.version }, work) as Promise<R>,
    registerContext: (context) => config.registerLambdaContext(context),
  };
}

/** The version an S3 event names: versionId when the bucket is versioned, else ETag + sequencer. */
export function uploadVersionOf(object: {
  versionId?: string | undefined;
  eTag?: string | undefined;
  sequencer?: string | undefined;
}): string {
  return object.versionId ?? `${object.eTag ?? 'no-etag'}:${object.sequencer ?? 'no-sequencer'}`;
}
