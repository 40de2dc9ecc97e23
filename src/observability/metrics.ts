import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The one Metrics (CloudWatch EMF) instance of a function: namespace from POWERTOOLS_METRICS_NAMESPACE,
 * service from POWERTOOLS_SERVICE_NAME. The middleware publishes them after each invocation and adds the
 * ColdStart metric on the first one.
 */
export const metrics = new Metrics();

export { MetricUnit } from '@aws-lambda-powertools/metrics';
