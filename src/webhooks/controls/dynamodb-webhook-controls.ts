import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { toIntegrationError } from '../../aws/error-mapping';
import { validPauseScope } from './pause-scope';
import type { Pause, PauseScope, WebhookControls } from './webhook-controls';

/** A pause list is a handful of items; more pages than this means something else writes to the table. */
const MAX_SCAN_PAGES = 10;

/** The item key of a scope: `source:<name>` or `target:<source or *>:<function key>`. */
export function pauseKey(scope: PauseScope): string {
  return scope.target === undefined ? `source:${scope.source}` : `target:${scope.source}:${scope.target}`;
}

/**
 * WebhookControls in a DynamoDB table (hash key `scope`), one item per pause: pausing is a conditional
 * put (the first pause's time and author stay), resuming a delete. Store failures are IntegrationErrors.
 */
export function dynamoDbWebhookControls(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly now?: () => Date;
}): WebhookControls {
  const { client, tableName } = options;
  const now = options.now ?? (() => new Date());
  const failed = (operation: string, error: unknown) =>
    toIntegrationError(error, { service: 'DynamoDB', operation, resource: tableName });

  return {
    async listPauses() {
      const pauses: Pause[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      for (let page = 0; page < MAX_SCAN_PAGES; page += 1) {
        let answer;
        try {
          answer = await client.send(
            new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
          );
        } catch (error) {
          throw failed('Scan', error);
        }
        for (const item of answer.Items ?? []) {
          const pause = pauseFromItem(item);
          if (pause !== undefined) pauses.push(pause);
        }
        startKey = answer.LastEvaluatedKey;
        if (startKey === undefined) break;
      }
      return pauses.sort((a, b) => pauseKey(a).localeCompare(pauseKey(b)));
    },

    async pause(scope, by, reason) {
      const valid = validPauseScope(scope);
      const pause: Pause = {
        ...valid,
        pausedAt: now().toISOString(),
        pausedBy: by,
        ...(reason === undefined || reason === '' ? {} : { reason }),
      };
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: itemFromPause(pause),
            ConditionExpression: 'attribute_not_exists(#scope)',
            ExpressionAttributeNames: { '#scope': 'scope' },
          }),
        );
        return pause;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException')
          throw failed('PutItem', error);
      }
      // Already paused: the first pause stands.
      try {
        const answer = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { scope: { S: pauseKey(valid) } },
            ConsistentRead: true,
          }),
        );
        return (answer.Item && pauseFromItem(answer.Item)) ?? pause;
      } catch (error) {
        throw failed('GetItem', error);
      }
    },

    async resume(scope) {
      const valid = validPauseScope(scope);
      try {
        const answer = await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { scope: { S: pauseKey(valid) } },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return answer.Attributes !== undefined;
      } catch (error) {
        throw failed('DeleteItem', error);
      }
    },
  };
}

function itemFromPause(pause: Pause): Record<string, AttributeValue> {
  return {
    scope: { S: pauseKey(pause) },
    source: { S: pause.source },
    ...(pause.target === undefined ? {} : { target: { S: pause.target } }),
    pausedAt: { S: pause.pausedAt },
    pausedBy: { S: pause.pausedBy },
    ...(pause.reason === undefined ? {} : { reason: { S: pause.reason } }),
  };
}

/** An item read back; one that is not a pause (no source or time) is ignored. */
function pauseFromItem(item: Record<string, AttributeValue>): Pause | undefined {
  const source = item.source?.S;
  const pausedAt = item.pausedAt?.S;
  if (source === undefined || pausedAt === undefined) return undefined;
  return {
    source,
    ...(item.target?.S === undefined ? {} : { target: item.target.S }),
    pausedAt,
    pausedBy: item.pausedBy?.S ?? 'unknown',
    ...(item.reason?.S === undefined ? {} : { reason: item.reason.S }),
  };
}
