import type { Config } from '../config';
import type { HealthSettings } from './health-report';

/** The variables the integration checks read: the health function's, and the console's health view's. */
export const HEALTH_VARIABLES = [
  'DOCUMENTS_BUCKET',
  'WEBHOOKS_QUEUE_URL',
  'WEBHOOKS_DLQ_URL',
  'DOCUMENTS_QUEUE_URL',
  'DOCUMENTS_DLQ_URL',
  'IDEMPOTENCY_TABLE',
  'HEALTH_CHECK_TIMEOUT_MS',
  'HEALTH_LAMBDA_FUNCTIONS',
] as const;

/** What checkIntegrations checks, from those variables: one builder, so both report the same integrations. */
export function healthSettings(config: Config<(typeof HEALTH_VARIABLES)[number]>): HealthSettings {
  return {
    bucket: config.DOCUMENTS_BUCKET,
    queues: {
      webhooks: { queueUrl: config.WEBHOOKS_QUEUE_URL, dlqUrl: config.WEBHOOKS_DLQ_URL },
      documents: { queueUrl: config.DOCUMENTS_QUEUE_URL, dlqUrl: config.DOCUMENTS_DLQ_URL },
    },
    tableName: config.IDEMPOTENCY_TABLE,
    lambdaFunctions: config.HEALTH_LAMBDA_FUNCTIONS,
    timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
  };
}
