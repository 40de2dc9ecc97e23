/**
 * Operator controls of webhook processing: pause and resume a source or a routed target, list the pauses
 * and the targets' concurrency caps. See scripts/lib/webhook-controls-cli.ts for the commands.
 *
 *   npm run webhooks -- pause --source github --reason "provider incident"
 *   npm run webhooks -- resume --source github
 *   npm run webhooks -- pauses --stage prod
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoDbClient } from '../src/aws/clients';
import { dynamoDbWebhookControls } from '../src/webhooks/controls/dynamodb-webhook-controls';
import { routeTargetSettings } from '../src/webhooks/routes';
import routesDocument from '../src/webhooks/webhook-routes.json';
import { clientEnvironment, clientOverrides } from './lib/ops-cli';
import { resolveOpsTarget } from './lib/ops-target';
import { runWebhooksCommand } from './lib/webhook-controls-cli';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, strict: false, options: { stage: { type: 'string' } } });
  const stage = typeof values.stage === 'string' ? values.stage : 'local';
  const result = await runWebhooksCommand(argv, {
    targets: routeTargetSettings(routesDocument),
    by: `cli:${userInfo().username}`,
    controls: () => {
      const target = resolveOpsTarget(stage, process.env, join(__dirname, '..'));
      const client = createDynamoDbClient(clientOverrides(target), clientEnvironment(target, process.env));
      return dynamoDbWebhookControls({ client, tableName: target.webhookControlsTable });
    },
  });
  for (const line of result.lines) (result.exitCode === 0 ? console.log : console.error)(line);
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
