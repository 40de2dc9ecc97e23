/**
 * Reads the delivery history (one record per receipt: each accepted POST, each replayed copy), newest first.
 *
 *   npm run deliveries -- [--source github] [--type push] [--status failed] [--since <iso>] [--until <iso>]
 *                         [--limit 20] [--cursor <from the previous page>] [--json]
 *   npm run deliveries -- --receipt <receipt>          # one record with its attempts
 *   npm run deliveries -- --stage dev …                # AWS (the table intake-<stage>-deliveries)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoDbClient } from '../src/aws/clients';
import { dynamoDbDeliveryHistory } from '../src/webhooks/history/dynamodb-delivery-history';
import { deliveriesRequest, deliveryDetail, deliveryLines } from './lib/deliveries-cli';
import { clientEnvironment, clientOverrides } from './lib/ops-cli';
import { resolveOpsTarget } from './lib/ops-target';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      receipt: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      json: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'local' },
    },
  });
  const request = deliveriesRequest(values);
  const target = resolveOpsTarget(values.stage, process.env, join(__dirname, '..'));
  const dynamodb = createDynamoDbClient(clientOverrides(target), clientEnvironment(target, process.env));
  const history = dynamoDbDeliveryHistory({ tableName: target.deliveriesTable, client: dynamodb });
  try {
    if (request.kind === 'one') {
      const record = await history.get(request.receipt);
      if (record === undefined) throw new Error(`No delivery record has receipt ${request.receipt}`);
      console.log(values.json ? JSON.stringify(record, null, 2) : deliveryDetail(record).join('\n'));
      return;
    }
    const page = await history.list(request.filter, {
      limit: request.limit,
      ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
    });
    if (values.json) {
      console.log(JSON.stringify(page, null, 2));
      return;
    }
    const lines = deliveryLines(page.items);
    console.log(lines.length > 0 ? lines.join('\n') : 'No deliveries match.');
    if (page.cursor !== undefined) console.log(`More: add --cursor ${page.cursor}`);
  } finally {
    dynamodb.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`deliveries failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
