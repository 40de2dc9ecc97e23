import { getDynamoDbClient, getLambdaClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { sqsDeadLetterQueue } from '../src/aws/sqs-dead-letter';
import { sqsRequeue } from '../src/aws/sqs-requeue';
import { loadConfig } from '../src/config';
import { sqsBatchHandler } from '../src/middleware/sqs';
import { cachedPauses } from '../src/webhooks/controls/cached-pauses';
import { dynamoDbWebhookControls } from '../src/webhooks/controls/dynamodb-webhook-controls';
import { dynamoDbDeliveryWrites } from '../src/webhooks/history/dynamodb-delivery-writes';
import { deliveryAttemptRecorder } from '../src/webhooks/history/recording-attempts';
import { dynamoDbDeliveryGuards } from '../src/webhooks/idempotency';
import { lambdaDispatcher } from '../src/webhooks/lambda-dispatcher';
import { createWebhookProcessor } from '../src/webhooks/processor';
import { parseRoutes } from '../src/webhooks/routes';
import { s3TextStore } from '../src/webhooks/s3-text';
import { loadWebhookSettings } from '../src/webhooks/settings';
import routesDocument from '../src/webhooks/webhook-routes.json';

// At module scope: a misconfigured deployment (variables or routes) fails at init.
const config = loadConfig([
  'DOCUMENTS_BUCKET',
  'IDEMPOTENCY_TABLE',
  'WEBHOOKS_DLQ_URL',
  'WEBHOOKS_QUEUE_URL',
  'WEBHOOK_CONTROLS_TABLE',
  'DELIVERIES_TABLE',
  'WEBHOOKS_MAX_RECEIVE_COUNT',
]);
const settings = loadWebhookSettings();
// One history write per attempt (src/webhooks/history/recording-attempts.ts).
const attempts = deliveryAttemptRecorder({
  history: dynamoDbDeliveryWrites({
    tableName: config.DELIVERIES_TABLE,
    client: getDynamoDbClient(),
    ttlDays: settings.WEBHOOK_HISTORY_TTL_DAYS,
  }),
  maxReceiveCount: config.WEBHOOKS_MAX_RECEIVE_COUNT,
});

/** SQS consumer of the webhooks queue: archive + route each delivery once (see src/webhooks/processor.ts). */
export const handler = sqsBatchHandler(
  attempts.recording(
    createWebhookProcessor({
      bucket: config.DOCUMENTS_BUCKET,
      storage: s3TextStore(getS3Client(), config.DOCUMENTS_BUCKET),
      routes: parseRoutes(routesDocument),
      dispatch: lambdaDispatcher(getLambdaClient(), settings.WEBHOOK_FUNCTION_PREFIX),
      guards: dynamoDbDeliveryGuards({ tableName: config.IDEMPOTENCY_TABLE, client: getDynamoDbClient() }),
      pauses: cachedPauses(
        dynamoDbWebhookControls({ tableName: config.WEBHOOK_CONTROLS_TABLE, client: getDynamoDbClient() }),
        { maxAgeMs: settings.WEBHOOK_CONTROLS_CACHE_SECONDS * 1000 },
      ),
      requeue: sqsRequeue(getSqsClient(), config.WEBHOOKS_QUEUE_URL, settings.WEBHOOK_PAUSE_RECHECK_SECONDS),
      onAttempt: attempts.onAttempt,
    }),
  ),
  { deadLetter: sqsDeadLetterQueue(getSqsClient(), config.WEBHOOKS_DLQ_URL) },
);
