import { getDynamoDbClient, getLambdaClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { loadConfig } from '../src/config';
import { createHealthHttpHandler } from '../src/health/health-http';
import { checkIntegrations } from '../src/health/health-report';
import { HEALTH_VARIABLES, healthSettings } from '../src/health/health-settings';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig([...HEALTH_VARIABLES, 'HEALTH_CACHE_SECONDS']);
const settings = healthSettings(config);

/** GET /health (liveness) and GET /health/integrations/aws (admin scope): see src/health/health-http.ts. */
export const handler = createHealthHttpHandler({
  checkIntegrations: () =>
    checkIntegrations(
      { s3: getS3Client(), sqs: getSqsClient(), dynamoDb: getDynamoDbClient(), lambda: getLambdaClient() },
      settings,
    ),
  cacheSeconds: config.HEALTH_CACHE_SECONDS,
});
