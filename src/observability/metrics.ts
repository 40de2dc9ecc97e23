import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';

const toDebug = (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) });

/**
 * Where Powertools Metrics writes its own diagnostics: our logger, at DEBUG except errors. Its "No
 * application metrics to publish" warning would come on every invocation that records none (publishMetrics
 * does not publish those); on stderr it would flood the logs.
 */
export const metricsDiagnostics = {
  trace: toDebug,
  debug: toDebug,
  info: toDebug,
  warn: toDebug,
  error: (...args: unknown[]) => logger.error(String(args[0]), { args: args.slice(1) }),
};

/**
 * The one Metrics (CloudWatch EMF) instance of a function: namespace from POWERTOOLS_METRICS_NAMESPACE,
 * service from POWERTOOLS_SERVICE_NAME, both read once, here. The stacks' publishMetrics middleware
 * publishes what an invocation recorded after it and adds the ColdStart metric on the first one.
 */
export const metrics = new Metrics({ logger: metricsDiagnostics });

export { MetricUnit } from '@aws-lambda-powertools/metrics';
