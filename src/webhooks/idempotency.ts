import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { toIntegrationError } from '../aws/error-mapping';
import { DuplicateInFlightError } from '../errors';

/** Identifies a delivery for deduplication: the same (source, id) is processed once. */
export interface DeliveryKey {
  readonly source: string;
  readonly id: string;
  /** A replay run id: a replayed delivery is processed again, once per run. */
  readonly replay?: string;
}

/**
 * Runs `work` once per key within the expiry; a later call returns the first call's stored result. Throws
 * DuplicateInFlightError (retryable) while another call with the same key is still running, an
 * IntegrationError when the record store failed (throttled or 5xx: retryable; access denied, no such
 * table: not), and whatever `work` threw otherwise.
 */
export type Once<K, R> = (key: K, work: () => Promise<R>) => Promise<R>;

/** One side effect of processing a delivery: `archive`, or `invoke:<function>`. */
export type StepKey = DeliveryKey & { readonly step: string };

/** What a completed step stores. */
export interface StepResult {
  readonly done: true;
  readonly key?: string;
}

/**
 * What the first processing of a delivery stores: the archive key (a duplicate points to it, whatever its
 * own date), the event type it was routed by, and the side effects that failed then, which later
 * attempts redo one step at a time.
 */
export interface DeliveryResult {
  readonly done: true;
  readonly key: string;
  /**
   * The first copy's event type. Where the type is not signed (GitHub's `X-GitHub-Event`), a resend of
   * the same body under another type must not be routed by that type. Absent in records written before
   * it was kept.
   */
  readonly type?: string;
  readonly pending: readonly string[];
}

export interface DeliveryGuards {
  /**
   * Once per delivery: one record (two round trips) covers every side effect of the first attempt, the
   * common case. Its result lists what failed, for `stepOnce`.
   */
  readonly deliveryOnce: Once<DeliveryKey, DeliveryResult>;
  /**
   * Once per (delivery, step): only for the side effects a first attempt left pending, so a retry after a
   * partial failure redoes exactly those, and two concurrent retries do not both redo one.
   */
  readonly stepOnce: Once<StepKey, StepResult>;
  /** Lets in-progress records expire with the invocation (so a crash does not block retries for long). */
  registerContext(context: Context): void;
}

/**
 * What processing a delivery did: where it is archived and which functions it was routed to; `paused`
 * names the routed functions left waiting because they are paused (the delivery was put back on the queue
 * for them).
 */
export interface DeliveryOutcome {
  readonly archiveKey: string;
  readonly targets: readonly string[];
  readonly paused?: readonly string[];
}

/** A delivery of a paused source: untouched, and put back on the queue to wait. */
export interface PausedSourceOutcome {
  readonly pausedSource: string;
}

/**
 * Stripe retries a delivery for up to 3 days and GitHub redeliveries are manual, so deduplicate for 7
 * days (the issue asks for at least 24 h). The table's TTL attribute `expiration` purges records after.
 */
export const deduplicationSeconds = 7 * 24 * 60 * 60;

/**
 * Powertools Idempotency over the DynamoDB table: records keyed by the hash of (source, id[, replay]) under
 * the stable prefix `webhook-delivery`, and of (source, id[, replay], step) under `webhook-step`, so they
 * depend neither on the function's name nor on the SQS message id — a provider's resend and a queue
 * redelivery are both recognised.
 */
export function dynamoDbDeliveryGuards(options: {
  tableName: string;
  client: DynamoDBClient;
  expiresAfterSeconds?: number;
}): DeliveryGuards {
  const config = new IdempotencyConfig({
    expiresAfterSeconds: options.expiresAfterSeconds ?? deduplicationSeconds,
  });
  // One layer each: a layer holds its key prefix, which configure() overwrites on every call.
  const persistenceStore = () =>
    new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const deliveryOnce = makeIdempotent(
    async (_key: DeliveryKey, work: () => Promise<DeliveryResult>) => work(),
    { persistenceStore: persistenceStore(), config, keyPrefix: 'webhook-delivery', dataIndexArgument: 0 },
  );
  const stepOnce = makeIdempotent(async (_key: StepKey, work: () => Promise<StepResult>) => work(), {
    persistenceStore: persistenceStore(),
    config,
    keyPrefix: 'webhook-step',
    dataIndexArgument: 0,
  });
  return {
    deliveryOnce: (key, work) =>
      withTypedErrors(options.tableName, () =>
        deliveryOnce(
          { source: key.source, id: key.id, ...(key.replay === undefined ? {} : { replay: key.replay }) },
          work,
        ),
      ),
    // Exactly the identifying fields are hashed, whatever else the caller's object holds.
    stepOnce: (key, work) =>
      withTypedErrors(options.tableName, () =>
        stepOnce(
          {
            source: key.source,
            id: key.id,
            ...(key.replay === undefined ? {} : { replay: key.replay }),
            step: key.step,
          },
          work,
        ),
      ),
    registerContext: (context) => config.registerLambdaContext(context),
  };
}

/**
 * The DynamoDB edge of the guards, where their failures get their types (and so their `retryable`):
 * Powertools' "already in progress" is a duplicate in flight (retryable); a failed read or write of the
 * record store (Powertools wraps the SDK's error in an IdempotencyPersistenceLayerError, except when it
 * reads an existing record) is mapped like every SDK error. What `work` threw passes unchanged.
 */
async function withTypedErrors<R>(tableName: string, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IdempotencyAlreadyInProgressError)
      throw new DuplicateInFlightError(undefined, { cause: error });
    const storeError =
      error instanceof IdempotencyPersistenceLayerError ? error.cause : isSdkError(error) ? error : undefined;
    if (storeError !== undefined)
      throw toIntegrationError(storeError, {
        service: 'DynamoDB',
        operation: 'idempotency record',
        resource: tableName,
      });
    throw error;
  }
}

/** An SDK v3 service exception: they all carry `$metadata` (our typed errors never do). */
function isSdkError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}
