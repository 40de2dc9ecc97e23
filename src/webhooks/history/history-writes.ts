import { logger } from '../../observability/logger';
import { MetricUnit, metrics } from '../../observability/metrics';
import type { WebhookMessageMeta } from '../message';
import type { ReceivedDeliveryFacts } from './delivery-history';

/**
 * What the history knows of a queued delivery, from its message metadata. `receipt` defaults to the
 * message's own; a message queued before receipts were kept passes its SQS message id.
 */
export function receivedFacts(
  meta: WebhookMessageMeta,
  receipt: string = meta.receipt ?? '',
): ReceivedDeliveryFacts {
  return {
    receipt,
    source: meta.source,
    type: meta.type,
    id: meta.id,
    receivedAt: meta.receivedAt,
    ...(meta.providerId === undefined ? {} : { providerId: meta.providerId }),
    ...(meta.replay === undefined ? {} : { replay: meta.replay }),
  };
}

/**
 * Runs one history write and never lets it fail its caller: the queue, not the history, is the truth of
 * what was accepted and processed, so a failed write is a warning and a `DeliveryHistoryWriteFailed`
 * metric, and the delivery goes on.
 */
export async function writeHistory(
  write: () => Promise<void>,
  facts: Pick<ReceivedDeliveryFacts, 'receipt' | 'source' | 'id'>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    metrics.addMetric('DeliveryHistoryWriteFailed', MetricUnit.Count, 1);
    logger.warn('Delivery history write failed; the delivery itself is unaffected', {
      receipt: facts.receipt,
      source: facts.source,
      deliveryId: facts.id,
      error: error as Error,
    });
  }
}
