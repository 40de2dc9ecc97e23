import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '../middleware/http';
import { jsonResponse, type HttpResult } from '../middleware/http-types';
import { AppError } from '../errors';
import { logger } from '../observability/logger';
import { MetricUnit, metrics } from '../observability/metrics';
import { acceptWebhook, type AcceptDependencies } from './accept';
import { enqueueWebhook, type EnqueueDependencies } from './enqueue';
import type { DeliveryHistory } from './history/delivery-history';
import { receivedFacts, writeHistory } from './history/history-writes';
import { WebhookSourceMisconfiguredError } from './source-misconfigured';

export type WebhookReceiverDependencies = AcceptDependencies &
  EnqueueDependencies & {
    /** Where each accepted delivery is recorded `queued` (src/webhooks/history). */
    readonly history: Pick<DeliveryHistory, 'recordReceived'>;
    /** The id of each receipt (an accepted POST); default a random UUID. */
    readonly newReceipt?: () => string;
  };

/**
 * The `POST /webhooks/{source}` handler body (wrapped by httpHandler, which turns thrown AppErrors into
 * JSON answers): verify on the raw body, enqueue, then `202 {"id": <delivery id>}` — never before the
 * queue holds the delivery. A resent delivery is answered 202 too (providers retry anything else); the
 * worker processes each delivery id once. Errors: see acceptWebhook (404/413/400/401) and enqueueWebhook (503).
 * Each accepted POST gets its own receipt id, carried in the message, and once queued is recorded `queued`
 * in the delivery history; a failed history write is logged and counted, and the answer is still 202.
 */
export function createWebhookReceiver(deps: WebhookReceiverDependencies) {
  const newReceipt = deps.newReceipt ?? randomUUID;
  return async (event: HttpEvent): Promise<HttpResult> => {
    // Requests and 5xx answers feed the receiver's 5xx-rate alarm, deliveries refused because their
    // source is misconfigured its misconfiguration alarm (serverless/webhooks-resources.yml).
    metrics.addMetric('WebhookReceiveRequests', MetricUnit.Count, 1);
    try {
      return await receive(event);
    } catch (error) {
      // A misconfigured source is the operator's error, with its own alarm: it is not an outage.
      if (error instanceof WebhookSourceMisconfiguredError)
        metrics.addMetric('WebhookSourceMisconfigured', MetricUnit.Count, 1);
      else if (!(error instanceof AppError) || error.statusCode >= 500)
        metrics.addMetric('WebhookReceive5xx', MetricUnit.Count, 1);
      throw error;
    }
  };

  async function receive(event: HttpEvent): Promise<HttpResult> {
    const accepted = await acceptWebhook(
      {
        sourceParam: event.pathParameters?.source,
        headers: event.headers,
        body: event.body as string | undefined,
        isBase64Encoded: event.isBase64Encoded,
        method: event.requestContext?.http?.method,
        rawQueryString: event.rawQueryString,
      },
      deps,
    );
    if ('handshake' in accepted) {
      // A provider's handshake is answered here and now: nothing is queued or archived.
      metrics.addMetric('WebhookHandshakeAnswered', MetricUnit.Count, 1);
      const { statusCode, contentType, body, headers } = accepted.handshake;
      return { statusCode, headers: { ...headers, 'content-type': contentType }, body };
    }
    const { secretIndex } = accepted;
    const message = { ...accepted.message, meta: { ...accepted.message.meta, receipt: newReceipt() } };
    const { source, id, providerId, type } = message.meta;
    // An older secret still in use is the signal that a rotation can be finished (or has stalled).
    if (secretIndex > 0) metrics.addMetric('WebhookOlderSecretUsed', MetricUnit.Count, 1);
    await enqueueWebhook(message, deps);
    metrics.addMetric('WebhookAccepted', MetricUnit.Count, 1);
    const facts = receivedFacts(message.meta);
    await writeHistory(() => deps.history.recordReceived(facts), facts);
    // DEBUG, not INFO: an accepted delivery is already on record (the access log line of its request, the
    // WebhookAccepted metric, the 202 body the provider keeps, and its archive under events/ or its message in
    // the DLQ), and a line per request was a fifth of the receiver's CPU. Rejections and failures stay INFO+.
    logger.debug('Webhook accepted', {
      source,
      deliveryId: id,
      ...(providerId === undefined ? {} : { providerId }),
      eventType: type,
    });
    return jsonResponse(202, { id });
  }
}
