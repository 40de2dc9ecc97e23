import { getDynamoDbClient, getLambdaClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { S3ObjectStorage } from '../src/aws/storage/s3-object-storage';
import { loadConfig } from '../src/config';
import { createConsoleHttpHandler } from '../src/console/console-http';
import { estimateMonthlyCost } from '../src/cost/cost-model';
import { cachedReport } from '../src/health/health-http';
import { checkIntegrations } from '../src/health/health-report';
import { HEALTH_VARIABLES, healthSettings } from '../src/health/health-settings';
import { dynamoDbWebhookControls } from '../src/webhooks/controls/dynamodb-webhook-controls';
import { dynamoDbDeliveryHistory } from '../src/webhooks/history/dynamodb-delivery-history';
import { newReplayId, replayArchives } from '../src/webhooks/ops/replay-archives';
import { routeTargetSettings } from '../src/webhooks/routes';
import { sqsMessageSender } from '../src/webhooks/sqs-sender';
import routesDocument from '../src/webhooks/webhook-routes.json';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig([
  ...HEALTH_VARIABLES,
  'HEALTH_CACHE_SECONDS',
  'SCAN_RESULTS_QUEUE_URL',
  'SCAN_RESULTS_DLQ_URL',
  'DELIVERIES_TABLE',
  'WEBHOOK_CONTROLS_TABLE',
]);
const storage = new S3ObjectStorage({ bucket: config.DOCUMENTS_BUCKET, client: getS3Client() });
const history = dynamoDbDeliveryHistory({ tableName: config.DELIVERIES_TABLE, client: getDynamoDbClient() });
const health = cachedReport(
  () =>
    checkIntegrations(
      { s3: getS3Client(), sqs: getSqsClient(), dynamoDb: getDynamoDbClient(), lambda: getLambdaClient() },
      healthSettings(config),
    ),
  config.HEALTH_CACHE_SECONDS * 1000,
);

/** The console's API, `/console/api/*` (admin scope): see src/console/console-http.ts and docs/console.md (its API section). */
export const handler = createConsoleHttpHandler({
  history,
  controls: dynamoDbWebhookControls({
    tableName: config.WEBHOOK_CONTROLS_TABLE,
    client: getDynamoDbClient(),
  }),
  storage,
  sqs: getSqsClient(),
  queues: [
    { name: 'webhooks', queueUrl: config.WEBHOOKS_QUEUE_URL, dlqUrl: config.WEBHOOKS_DLQ_URL },
    { name: 'documents', queueUrl: config.DOCUMENTS_QUEUE_URL, dlqUrl: config.DOCUMENTS_DLQ_URL },
    { name: 'scan-results', queueUrl: config.SCAN_RESULTS_QUEUE_URL, dlqUrl: config.SCAN_RESULTS_DLQ_URL },
  ],
  replay: (keys, replayId) =>
    replayArchives({
      keys,
      storage,
      replayId,
      history,
      // No claim checks: only webhook-receive writes them (scripts/check-template.ts); a copy too large
      // for one message is left to npm run replay.
      enqueue: { sendMessage: sqsMessageSender(getSqsClient(), config.WEBHOOKS_QUEUE_URL) },
    }),
  newReplayId: () => newReplayId(),
  health: async () => {
    const { status, checks } = await health();
    return { status, checks };
  },
  targets: routeTargetSettings(routesDocument),
  estimate: (traffic) => estimateMonthlyCost(traffic),
});
