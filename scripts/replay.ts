/**
 * Re-enqueues archived webhook deliveries (events/<source>/<yyyy>/<mm>/<dd>/<id>.json) so the worker
 * processes them again — once per replay run — then prints a summary.
 *
 *   npm run replay -- --source github --since 2026-11-01T00:00:00Z [--until <iso>] [--id <delivery id>] [--dry-run]
 *   npm run replay -- --source stripe --stage dev     # AWS (DOCUMENTS_BUCKET must name the bucket)
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../src/aws/clients';
import { S3ObjectStorage } from '../src/aws/storage/s3-object-storage';
import { loadConfig } from '../src/config';
import { isValidDeliveryId } from '../src/webhooks/delivery';
import { bar, clientEnvironment, clientOverrides, progressLine } from './lib/ops-cli';
import { dynamoDbDeliveryWrites } from '../src/webhooks/history/dynamodb-delivery-writes';
import { queueUrlByName } from '../src/webhooks/ops/redrive';
import { replayArchivedDeliveries } from '../src/webhooks/ops/replay';
import { resolveOpsTarget } from './lib/ops-target';
import { s3TextStore } from '../src/webhooks/s3-text';
import { normaliseSourceName } from '../src/webhooks/sources';
import { sqsMessageSender } from '../src/webhooks/sqs-sender';

function date(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (Number.isNaN(value.getTime()))
    throw new Error(`--${name} must be an ISO-8601 date or time, e.g. 2026-11-01T00:00:00Z`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      id: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      stage: { type: 'string', default: 'local' },
    },
  });
  const source = values.source === undefined ? undefined : normaliseSourceName(values.source);
  if (source === undefined) throw new Error('--source <name> is required ([a-z0-9-]+)');
  if (values.id !== undefined && !isValidDeliveryId(values.id)) throw new Error('--id is not a delivery id');
  const since = date('since', values.since);
  const until = date('until', values.until);
  const target = resolveOpsTarget(values.stage, process.env, join(__dirname, '..'));
  if (target.bucket === undefined) throw new Error('The archive bucket is unknown: set DOCUMENTS_BUCKET');
  const env = clientEnvironment(target, process.env);
  const s3 = createS3Client(clientOverrides(target), env);
  const sqs = createSqsClient(clientOverrides(target), env);
  const dynamodb = createDynamoDbClient(clientOverrides(target), env);
  const queueUrl = target.queueUrl ?? (await queueUrlByName(sqs, target.queueName));
  const objects = s3TextStore(s3, target.bucket);
  const replayId = `replay-${new Date()
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  const progress = progressLine();
  const result = await replayArchivedDeliveries({
    source,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(values.id ? { id: values.id } : {}),
    dryRun: values['dry-run'],
    replayId,
    storage: new S3ObjectStorage({ bucket: target.bucket, client: s3 }),
    history: dynamoDbDeliveryWrites({
      tableName: target.deliveriesTable,
      client: dynamodb,
      ttlDays: loadConfig(['WEBHOOK_HISTORY_TTL_DAYS']).WEBHOOK_HISTORY_TTL_DAYS,
    }),
    enqueue: {
      sendMessage: sqsMessageSender(sqs, queueUrl),
      storeClaim: (key, text) => objects.put(key, text, 'text/plain; charset=utf-8'),
    },
    onProgress: (now) =>
      progress.update(
        `replay ${source} ${bar(now.enqueued, now.matched)} listed ${now.listed}, matched ${now.matched}, enqueued ${now.enqueued}`,
      ),
  });
  progress.done();
  console.log(
    `${values['dry-run'] ? 'Dry run: would replay' : `Replay ${replayId}: enqueued`} ${values['dry-run'] ? result.matched : result.enqueued} of ${result.listed} archived ${source} deliveries` +
      ` (${result.matched} matched the filters${result.skipped ? `, ${result.skipped} unreadable skipped` : ''}).`,
  );
  s3.destroy();
  dynamodb.destroy();
  sqs.destroy();
}

main().catch((error: unknown) => {
  console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
