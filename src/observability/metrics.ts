import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';

/**
 * The one Metrics (CloudWatch EMF) instance of a function: namespace from POWERTOOLS_METRICS_NAMESPACE,
 * service from POWERTOOLS_SERVICE_NAME. The middleware publishes them after each invocation and adds the
 * ColdStart metric on the first one. Its own warnings (e.g. "No application metrics to publish", written on
 * every invocation that records none) go to our logger at DEBUG instead of stderr, so they do not flood logs.
 */
export const metrics = new Metrics({
  logger: {
    trace: (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) }),
    debug: (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) }),
    info: (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) }),
    warn: (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) }),
    error: (...args: unknown[]) => logger.error(String(args[0]), { args: args.slice(1) }),
  },
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';
