/**
 * Operator controls over webhook processing: pausing a source, or one routed target (for one source or for
 * all), so that its deliveries wait on the queue instead of being processed; nothing is dropped. Kept in
 * DynamoDB; the worker reads them (cached for a few seconds), the CLI (`npm run webhooks`) and the console
 * write them. This file is the port.
 */

/** What a pause covers: a whole source, or one target (a function key of the routes) of a source or of all. */
export interface PauseScope {
  /** A source name, or `*` for every source (only with a target). */
  readonly source: string;
  /** A routed function key; absent pauses the whole source. */
  readonly target?: string;
}

export interface Pause extends PauseScope {
  /** ISO-8601. */
  readonly pausedAt: string;
  /** Who paused it (the caller's subject, or `cli:<user>`). */
  readonly pausedBy: string;
  readonly reason?: string;
}

export interface WebhookControls {
  listPauses(): Promise<readonly Pause[]>;
  /** Idempotent: pausing a paused scope keeps the first pause's time. */
  pause(scope: PauseScope, by: string, reason?: string): Promise<Pause>;
  /** Idempotent: resuming a scope that is not paused does nothing. Returns whether it was paused. */
  resume(scope: PauseScope): Promise<boolean>;
}
