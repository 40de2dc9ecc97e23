import { getDynamoDbClient, getLambdaClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { loadConfig } from '../src/config';
import { checkIntegrations } from '../src/health/health-report';
import { httpHandler } from '../src/middleware/http';

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

/** GET /health and GET /health/integrations/aws: 200 when every integration answers, else 503 naming the failing ones. */
export const handler = httpHandler(async () => {
  const deps = {
    s3: getS3Client(),
    sqs: getSqsClient(),
    dynamoDb: getDynamoDbClient(),
    lambda: getLambdaClient(),
  };
  const report = await checkIntegrations(deps, settings);
  return {
    statusCode: report.status === 'ok' ? 200 : 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(report),
  };
});
