import type { MiddlewareObj } from './middy';
import { metrics as defaultMetrics } from '../observability/metrics';

export const defaults = { metrics: defaultMetrics };

/**
 * Publishes what an invocation recorded as one CloudWatch EMF line after it (and after a failure), and the
 * `ColdStart` metric on the first invocation, as Powertools' `logMetrics(metrics, { captureColdStartMetric:
 * true })` does, with one difference: an invocation that recorded nothing publishes nothing. Powertools
 * would serialise an empty set (ten reads of `process.env` by its stores, then nothing printed), clear the
 * empty stores and log "No application metrics to publish", all on every such invocation. Metrics with
 * dimensions or metadata of their own are not used in intake: a recorded metric is what there is to publish.
 */
export function publishMetrics(opts: Partial<typeof defaults> = {}): MiddlewareObj {
  const { metrics } = { ...defaults, ...opts };
  const publish = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request) => {
      metrics.captureColdStartMetric((request.context as { functionName?: string }).functionName);
    },
    after: publish,
    onError: publish,
  };
}
