import { getDynamoDbClient, getLambdaClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { loadConfig } from '../src/config';
import { createHealthHttpHandler } from '../src/health/health-http';
import { checkIntegrations } from '../src/health/health-report';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig([
  'DOCUMENTS_BUCKET',
  'WEBHOOKS_QUEUE_URL',
  'WEBHOOKS_DLQ_URL',
  'DOCUMENTS_QUEUE_URL',
  'DOCUMENTS_DLQ_URL',
  'IDEMPOTENCY_TABLE',
  'HEALTH_CHECK_TIMEOUT_MS',
  'HEALTH_LAMBDA_FUNCTIONS',
  'HEALTH_CACHE_SECONDS',
]);

const settings = {
  bucket: config.DOCUMENTS_BUCKET,
  queues: {
    webhooks: { queueUrl: config.WEBHOOKS_QUEUE_URL, dlqUrl: config.WEBHOOKS_DLQ_URL },
    documents: { queueUrl: config.DOCUMENTS_QUEUE_URL, dlqUrl: config.DOCUMENTS_DLQ_URL },
  },
  tableName: config.IDEMPOTENCY_TABLE,
  lambdaFunctions: config.HEALTH_LAMBDA_FUNCTIONS,
  timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
};

/** GET /health (liveness) and GET /health/integrations/aws (admin scope): see src/health/health-http.ts. */
export const handler = createHealthHttpHandler({
  checkIntegrations: () =>
    checkIntegrations(
      { s3: getS3Client(), sqs: getSqsClient(), dynamoDb: getDynamoDbClient(), lambda: getLambdaClient() },
      settings,
    ),
  cacheSeconds: config.HEALTH_CACHE_SECONDS,
});
