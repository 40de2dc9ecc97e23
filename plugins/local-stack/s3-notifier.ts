import type { AsyncInvokePolicy } from './async-invoke';
import { invokeAsync } from './async-invoke';
import type { Invoker } from './invoker';
import type { LocalLog } from './log';
import type { S3ObjectChange, S3Subscription } from './s3-event';
import { buildS3Event, subscriptionMatches } from './s3-event';

export interface S3NotifierOptions {
  subscriptions: S3Subscription[];
  invoke: Invoker;
  region: string;
  /** The async-invoke policy of each subscribed function, by function key. */
  policyFor: (functionKey: string) => AsyncInvokePolicy;
  log: LocalLog;
}

/**
 * Delivers S3 object changes to the functions subscribed to them, as S3 event notifications do:
 * asynchronously, one event per change and function, retried on failure.
 */
export class S3Notifier {
  private readonly pending = new Set<Promise<boolean>>();

  constructor(private readonly options: S3NotifierOptions) {}

  /** Starts delivering `change` to every matching subscription; returns how many it matched. */
  notify(change: S3ObjectChange): number {
    const matching = this.options.subscriptions.filter((subscription) =>
      subscriptionMatches(subscription, change),
    );
    for (const subscription of matching) {
      const event = buildS3Event(
        change,
        this.options.region,
        subscription.configurationId ?? `${subscription.functionKey}-s3`,
      );
      const delivery = invokeAsync(
        this.options.invoke,
        event,
        this.options.policyFor(subscription.functionKey),
        this.options.log,
      );
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
    return matching.length;
  }

  /** Resolves once every delivery started so far has finished (retries included). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
