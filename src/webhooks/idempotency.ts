import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

/** Identifies a delivery for deduplication: the same (source, id) is processed once. */
export interface DeliveryKey {
  readonly source: string;
  readonly id: string;
  /** A replay run id: a replayed delivery is processed again, once per run. */
  readonly replay?: string;
}

/** Runs `work` once per key within the expiry; a later call returns the first call's stored result. */
export type Once<K, R> = (key: K, work: () => Promise<R>) => Promise<R>;

export interface DeliveryGuards {
  /** Once per delivery: archive + dispatch of a (source, id). */
  readonly deliveryOnce: Once<DeliveryKey, DeliveryOutcome>;
  /** Once per (delivery, target function): a retry after a partial failure skips the targets already invoked. */
  readonly dispatchOnce: Once<DeliveryKey & { readonly target: string }, { readonly dispatched: true }>;
  /** Lets in-progress records expire with the invocation (so a crash does not block retries for long). */
  registerContext(context: Context): void;
}

/** Exactly the fields that identify a delivery (a replay run only when present), whatever else the caller passed. */
function hashedKey(key: DeliveryKey): DeliveryKey {
  return key.replay === undefined
    ? { source: key.source, id: key.id }
    : { source: key.source, id: key.id, replay: key.replay };
}

/** What processing a delivery did (stored as the idempotency record's result). */
export interface DeliveryOutcome {
  readonly archiveKey: string;
  readonly targets: readonly string[];
}

/**
 * Stripe retries a delivery for up to 3 days and GitHub redeliveries are manual, so deduplicate for 7
 * days (the issue asks for at least 24 h). The table's TTL attribute `expiration` purges records after.
 */
export const deduplicationSeconds = 7 * 24 * 60 * 60;

/**
 * Powertools Idempotency guards over the DynamoDB table (one persistence layer per guard: Powertools
 * ignores a second config on a shared one). Keys are the hashed (source, id[, target]) under stable
 * prefixes, so they do not depend on the function's name or on the SQS message id — a provider's resend
 * and a queue redelivery are both recognised.
 */
export function dynamoDbDeliveryGuards(options: {
  tableName: string;
  client: DynamoDBClient;
  expiresAfterSeconds?: number;
}): DeliveryGuards {
  const expiresAfterSeconds = options.expiresAfterSeconds ?? deduplicationSeconds;
  const deliveryConfig = new IdempotencyConfig({ expiresAfterSeconds });
  const dispatchConfig = new IdempotencyConfig({ expiresAfterSeconds });
  const layer = () =>
    new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const deliveryOnce = makeIdempotent(
    async (_key: DeliveryKey, work: () => Promise<DeliveryOutcome>) => work(),
    {
      persistenceStore: layer(),
      config: deliveryConfig,
      keyPrefix: 'webhook-delivery',
      dataIndexArgument: 0,
    },
  );
  const dispatchOnce = makeIdempotent(
    async (_key: DeliveryKey & { target: string }, work: () => Promise<{ dispatched: true }>) => work(),
    {
      persistenceStore: layer(),
      config: dispatchConfig,
      keyPrefix: 'webhook-dispatch',
      dataIndexArgument: 0,
    },
  );
  return {
    deliveryOnce: (key, work) => deliveryOnce(hashedKey(key), work),
    dispatchOnce: (key, work) => dispatchOnce({ ...hashedKey(key), target: key.target }, work),
    registerContext: (context) => {
      deliveryConfig.registerLambdaContext(context);
      dispatchConfig.registerLambdaContext(context);
    },
  };
}
