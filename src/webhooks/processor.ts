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
 * and, after maxReceiveCount, sits in the DLQ), then archive it to
 * `events/<source>/<yyyy>/<mm>/<dd>/<id>.json` and async-invoke every routed function — each of these a
 * step done once per (source, delivery id), so a duplicate does nothing and a retry after a partial failure
 * redoes only the failed steps. Throwing fails only this record (partial batch failure).
 */
export function createWebhookProcessor(deps: WebhookProcessorDependencies) {
  const now = deps.now ?? (() => new Date());
  return async (record: SQSRecord, context: Context): Promise<DeliveryOutcome> => {
    deps.guards.registerContext(context);
    const { meta, body: inlineBody } = parseWebhookMessage(record.body);
    const delivery = {
      source: meta.source,
      id: meta.id,
      ...(meta.replay === undefined ? {} : { replay: meta.replay }),
    };
    let body: Promise<string> | undefined;
    // Read a claimed body only if some step still needs it (not for a duplicate).
    const bodyText = () =>
      (body ??= meta.claim === undefined ? Promise.resolve(inlineBody) : deps.storage.get(meta.claim.key));
    let worked = false;
    let key = archiveKey(meta.source, meta.id, meta.receivedAt);
    // A replay comes from the archive: it is there already. A duplicate keeps the first copy's key (its date).
    if (meta.replay === undefined) {
      const archived = await deps.guards.stepOnce({ ...delivery, step: 'archive' }, async () => {
        worked = true;
        await deps.storage.put(
          key,
          JSON.stringify(webhookArchive(meta, await bodyText(), now())),
          'application/json',
        );
        return { done: true, key };
      });
      key = archived.key ?? key;
    }
    const targets = routeTargets(deps.routes, meta.source, meta.type);
    if (targets.length === 0) {
      metrics.addMetric('WebhookUnrouted', MetricUnit.Count, 1);
      logger.warn('No route matches this webhook: archived only', {
        source: meta.source,
        eventType: meta.type,
        deliveryId: meta.id,
      });
    }
    const results = await Promise.allSettled(
      targets.map((target) =>
        deps.guards.stepOnce({ ...delivery, step: `invoke:${target}` }, async () => {
          worked = true;
          await deps.dispatch(
            target,
            downstreamPayload(meta, await bodyText(), { bucket: deps.bucket, key }),
          );
          return { done: true };
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
    if (worked) metrics.addMetric('WebhookProcessed', MetricUnit.Count, 1);
    else {
      metrics.addMetric('WebhookDuplicate', MetricUnit.Count, 1);
      logger.info('Duplicate webhook delivery skipped', { source: meta.source, deliveryId: meta.id });
    }
    return { archiveKey: key, targets };
  };
}
