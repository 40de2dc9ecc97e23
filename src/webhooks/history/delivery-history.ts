/**
 * The delivery history: one record per receipt of a webhook (each accepted POST, each replayed copy), kept up
 * to date by the receiver (`queued`) and by the worker (one write per attempt). The console and the CLI read
 * it. This file is the port; `dynamodb-delivery-history.ts` is its adapter.
 */

/** What became of a receipt, as of its last write. */
export const deliveryStatuses = [
  'queued',
  'processed',
  'failed',
  'dead-lettered',
  'replayed',
  'duplicate',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** What one attempt (one SQS receive of the message by the worker) ended in. */
export type AttemptOutcome = 'processed' | 'duplicate' | 'replayed' | 'failed' | 'dead-lettered' | 'paused';

export interface DeliveryAttempt {
  /** ISO-8601 time the attempt started. */
  readonly at: string;
  readonly durationMs: number;
  readonly outcome: AttemptOutcome;
  /** The AppError code of a failed attempt (`INTERNAL` when untyped). */
  readonly errorCode?: string;
  /** SQS's ApproximateReceiveCount of the message on this attempt. */
  readonly receiveCount?: number;
}

/** A routed target's state: invoked (accepted by Lambda), failed (to be retried), or waiting (paused route). */
export type TargetOutcome = 'invoked' | 'failed' | 'paused';

/** The facts the receiver (or the replay tool) knows when it queues a delivery. */
export interface ReceivedDeliveryFacts {
  /** Unique per receipt: the receiver's own id for this accepted POST (or replayed copy). */
  readonly receipt: string;
  readonly source: string;
  readonly type: string;
  /** The delivery id (what deliveries are deduplicated by). */
  readonly id: string;
  readonly providerId?: string;
  /** ISO-8601 time the receiver accepted the delivery. */
  readonly receivedAt: string;
  /** The replay run that queued this copy, if any. */
  readonly replay?: string;
}

export interface DeliveryRecord extends ReceivedDeliveryFacts {
  readonly status: DeliveryStatus;
  /** Oldest first. */
  readonly attempts: readonly DeliveryAttempt[];
  readonly targets: Readonly<Record<string, TargetOutcome>>;
  readonly archiveKey?: string;
  /** ISO-8601 time of the last write. */
  readonly updatedAt: string;
}

/** What the worker writes after one attempt (one write per attempt). */
export interface AttemptUpdate {
  readonly status: DeliveryStatus;
  readonly attempt: DeliveryAttempt;
  readonly targets?: Readonly<Record<string, TargetOutcome>>;
  readonly archiveKey?: string;
}

export interface DeliveryFilter {
  readonly source?: string;
  readonly type?: string;
  readonly status?: DeliveryStatus;
  /** Inclusive lower bound on receivedAt. */
  readonly since?: Date;
  /** Exclusive upper bound on receivedAt. */
  readonly until?: Date;
}

export interface DeliveryPage {
  /** Newest first. */
  readonly items: readonly DeliveryRecord[];
  /** Opaque; pass back to get the next (older) page. Absent on the last page. */
  readonly cursor?: string;
}

export interface MinuteCount {
  /** ISO-8601 start of the minute (UTC). */
  readonly minute: string;
  readonly deliveries: number;
  /** Receipts of that minute whose status is `failed` or `dead-lettered`. */
  readonly failures: number;
}

export interface DeliveryHistory {
  /** Records a queued receipt; never moves a record that the worker already wrote back to `queued`. */
  recordReceived(facts: ReceivedDeliveryFacts): Promise<void>;
  /** Records one worker attempt on a receipt (creates the record if the receiver's write is not there yet). */
  recordAttempt(facts: ReceivedDeliveryFacts, update: AttemptUpdate): Promise<void>;
  get(receipt: string): Promise<DeliveryRecord | undefined>;
  list(
    filter: DeliveryFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<DeliveryPage>;
  /**
   * Receipts and failures per minute over [since, until). Rejects with TooManyToCountError when the span
   * holds more receipts than one call may read (counting reads every receipt of the span).
   */
  countsPerMinute(since: Date, until: Date): Promise<MinuteCount[]>;
}
