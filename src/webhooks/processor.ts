import type { Context, SQSRecord } from 'aws-lambda';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { webhookArchive } from './archive';
import { downstreamPayload } from './downstream-event';
import type { DeliveryGuards, DeliveryOutcome } from './idempotency';
import type { DispatchToFunction } from './lambda-dispatcher';
import { parseWebhookMessage } from './message';
import { archiveKey } from './object-keys';
import { routeTargets, type WebhookRoute } from './routes';
import type { TextObjectStore } from './s3-text';

export interface WebhookProcessorDependencies {
  readonly bucket: string;
  readonly storage: TextObjectStore;
  readonly routes: readonly WebhookRoute[];
  readonly dispatch: DispatchToFunction;
  readonly guards: DeliveryGuards;
  readonly now?: () => Date;
}

/**
 * The record handler of `webhook-process`: parse the queued delivery (a malformed one is poison: it throws
 * and, after maxReceiveCount, sits in the DLQ), then once per (source, delivery id) archive it to
 * `events/<source>/<yyyy>/<mm>/<dd>/<id>.json` and async-invoke every routed function, each target also
 * once, so a retry after a partial failure re-invokes only the targets that failed. Throwing fails only
 * this record (partial batch failure). A duplicate resolves with the first outcome and does nothing.
 */
export function createWebhookProcessor(deps: WebhookProcessorDependencies) {
  const now = deps.now ?? (() => new Date());
  return async (record: SQSRecord, context: Context): Promise<DeliveryOutcome> => {
    deps.guards.registerContext(context);
    const { meta, body: inlineBody } = parseWebhookMessage(record.body);
    let firstTime = false;
    const deliveryKey = {
      source: meta.source,
      id: meta.id,
      ...(meta.replay === undefined ? {} : { replay: meta.replay }),
    };
    const outcome = await deps.guards.deliveryOnce(deliveryKey, async () => {
      firstTime = true;
      const body = meta.claim === undefined ? inlineBody : await deps.storage.get(meta.claim.key);
      const key = archiveKey(meta.source, meta.id, meta.receivedAt);
      // A replay comes from the archive: it is there already.
      if (meta.replay === undefined)
        await deps.storage.put(key, JSON.stringify(webhookArchive(meta, body, now())), 'application/json');
      const targets = routeTargets(deps.routes, meta.source, meta.type);
      if (targets.length === 0) {
        metrics.addMetric('WebhookUnrouted', MetricUnit.Count, 1);
        logger.warn('No route matches this webhook: archived only', {
          source: meta.source,
          eventType: meta.type,
          deliveryId: meta.id,
        });
      }
      const payload = downstreamPayload(meta, body, { bucket: deps.bucket, key });
      const results = await Promise.allSettled(
        targets.map((target) =>
          deps.guards.dispatchOnce({ ...deliveryKey, target }, async () => {
            await deps.dispatch(target, payload);
            return { dispatched: true };
          }),
        ),
      );
      const failed = results.flatMap((result, index) =>
        result.status === 'rejected' ? [{ target: targets[index], error: result.reason as unknown }] : [],
      );
      if (failed.length > 0) {
        metrics.addMetric('WebhookDispatchFailed', MetricUnit.Count, failed.length);
        for (const { target, error } of failed)
          logger.warn('Downstream invoke failed', { target, deliveryId: meta.id, error: error as Error });
        throw failed[0]!.error;
      }
      return { archiveKey: key, targets };
    });
    if (firstTime) metrics.addMetric('WebhookProcessed', MetricUnit.Count, 1);
    else {
      metrics.addMetric('WebhookDuplicate', MetricUnit.Count, 1);
      logger.info('Duplicate webhook delivery skipped', { source: meta.source, deliveryId: meta.id });
    }
    return outcome;
  };
}
