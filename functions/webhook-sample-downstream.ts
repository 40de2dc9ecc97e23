import { logger } from '../src/observability/logger';
import { describeDownstreamEvent } from '../src/webhooks/sample-downstream';

/**
 * A sample downstream function: routed webhooks arrive here by async invoke. It records what it got and
 * never throws (a throwing async-invoked handler would make Lambda retry it — and locally, crash
 * serverless-offline). Copy it as the start of a real consumer.
 */
export const handler = async (event: unknown): Promise<void> => {
  const summary = describeDownstreamEvent(event, Date.now());
  logger.info('Webhook received downstream', summary);
  // One machine-readable line per delivery, so local tests and benchmarks can count invocations.
  process.stdout.write(`INTAKE_WEBHOOK_DOWNSTREAM ${JSON.stringify(summary)}\n`);
};
