import { getDynamoDbClient, getS3Client, getSqsClient } from '../src/aws/clients';
import { loadConfig } from '../src/config';
import { httpHandler } from '../src/middleware/http';
import { dynamoDbDeliveryWrites } from '../src/webhooks/history/dynamodb-delivery-writes';
import { createWebhookReceiver } from '../src/webhooks/receiver';
import { s3TextStore } from '../src/webhooks/s3-text';
import { createSigningKeyResolver, createSourceSettingResolver } from '../src/webhooks/signing-keys';
import { loadWebhookSettings } from '../src/webhooks/settings';
import { loadWebhookSources } from '../src/webhooks/sources';
import { sqsMessageSender } from '../src/webhooks/sqs-sender';

// At module scope: a misconfigured deployment fails at init, naming every bad variable.
const config = loadConfig(['DOCUMENTS_BUCKET', 'WEBHOOKS_QUEUE_URL', 'DELIVERIES_TABLE']);
const settings = loadWebhookSettings();
const objects = s3TextStore(getS3Client(), config.DOCUMENTS_BUCKET);

/**
 * POST /webhooks/{source}: verify on the raw body, enqueue, 202 {"id"}; GET and signed POST handshakes are
 * answered at once (see src/webhooks/receiver.ts).
 */
export const handler = httpHandler(
  createWebhookReceiver({
    sources: loadWebhookSources(),
    signingKeys: createSigningKeyResolver({ maxAgeSeconds: settings.WEBHOOK_SECRET_CACHE_SECONDS }),
    sourceSetting: createSourceSettingResolver({ maxAgeSeconds: settings.WEBHOOK_SECRET_CACHE_SECONDS }),
    nowMs: Date.now,
    maxBodyBytes: settings.WEBHOOK_MAX_BODY_BYTES,
    sendMessage: sqsMessageSender(getSqsClient(), config.WEBHOOKS_QUEUE_URL),
    storeClaim: (key, text) => objects.put(key, text, 'text/plain; charset=utf-8'),
    history: dynamoDbDeliveryWrites({
      tableName: config.DELIVERIES_TABLE,
      client: getDynamoDbClient(),
      ttlDays: settings.WEBHOOK_HISTORY_TTL_DAYS,
    }),
  }),
);
