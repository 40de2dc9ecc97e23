import { UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toIntegrationError } from '../../aws/error-mapping';
import type { DeliveryAttempt, DeliveryHistory, ReceivedDeliveryFacts } from './delivery-history';
import { N, S, dayOf, isoTime, namesIn, type Item, type Placeholder } from './dynamodb-item';

export interface DynamoDbDeliveryWritesOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Days a record is kept after its last write (WEBHOOK_HISTORY_TTL_DAYS; default 30). */
  readonly ttlDays?: number;
  /** Attempts kept per record, newest last (default 25). */
  readonly maxAttempts?: number;
  readonly now?: () => Date;
}

export const DEFAULT_HISTORY_TTL_DAYS = 30;
export const DEFAULT_MAX_ATTEMPTS = 25;

function encodeAttempt(attempt: DeliveryAttempt): AttributeValue {
  return {
    M: {
      at: S(attempt.at),
      durationMs: N(attempt.durationMs),
      outcome: S(attempt.outcome),
      ...(attempt.errorCode === undefined ? {} : { errorCode: S(attempt.errorCode) }),
      ...(attempt.receiveCount === undefined ? {} : { receiveCount: N(attempt.receiveCount) }),
    },
  };
}

/**
 * The writing half of the DeliveryHistory port over DynamoDB (all the receiver and the worker need, and all
 * their bundles carry): `recordReceived` and `recordAttempt` are one UpdateItem each (an attempt past
 * `maxAttempts` costs one more, see recordAttempt). Failures are thrown as IntegrationErrors
 * (src/aws/error-mapping.ts).
 */
export function dynamoDbDeliveryWrites(
  options: DynamoDbDeliveryWritesOptions,
): Pick<DeliveryHistory, 'recordReceived' | 'recordAttempt'> {
  const { tableName, client } = options;
  const ttlDays = options.ttlDays ?? DEFAULT_HISTORY_TTL_DAYS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const now = options.now ?? (() => new Date());

  const failure = (operation: string, error: unknown) =>
    toIntegrationError(error, { service: 'DynamoDB', operation, resource: tableName });

  /** The facts' attribute values, placeholders `:source` …, and the index keys derived from them. */
  function factValues(facts: ReceivedDeliveryFacts): Item {
    const receivedAt = isoTime(facts.receivedAt);
    return {
      ':source': S(facts.source),
      ':type': S(facts.type),
      ':id': S(facts.id),
      ':receivedAt': S(receivedAt),
      ':day': S(dayOf(receivedAt)),
      ':dayOrder': S(`${receivedAt}#${facts.receipt}`),
      ...(facts.providerId === undefined ? {} : { ':providerId': S(facts.providerId) }),
      ...(facts.replay === undefined ? {} : { ':replay': S(facts.replay) }),
    };
  }

  /** `SET` clauses writing each fact (`keepExisting`: only where the item has none yet). */
  function factClauses(values: Item, keepExisting: boolean): string[] {
    return Object.keys(values).map((value) => {
      const placeholder = `#${value.slice(1)}` as Placeholder;
      return keepExisting
        ? `${placeholder} = if_not_exists(${placeholder}, ${value})`
        : `${placeholder} = ${value}`;
    });
  }

  function lifetime(at: Date): Item {
    return {
      ':now': S(at.toISOString()),
      ':expiresAt': N(Math.floor(at.getTime() / 1000) + ttlDays * 24 * 60 * 60),
    };
  }

  async function update(facts: ReceivedDeliveryFacts, expression: string, values: Item, condition?: string) {
    return client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { receipt: S(facts.receipt) },
        UpdateExpression: expression,
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ExpressionAttributeNames: namesIn(expression, condition),
        ExpressionAttributeValues: values,
        ...(condition === undefined ? {} : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
      }),
    );
  }

  return {
    async recordReceived(facts) {
      const identity = factValues(facts);
      const values = { ...identity, ...lifetime(now()), ':queued': S('queued') };
      const expression =
        `SET ${factClauses(identity, false).join(', ')}, #expiresAt = :expiresAt, ` +
        // A worker's write that got here first keeps its status (and its time).
        '#status = if_not_exists(#status, :queued), #updatedAt = if_not_exists(#updatedAt, :now)';
      try {
        await update(facts, expression, values);
      } catch (error) {
        throw failure('UpdateItem', error);
      }
    },

    /**
     * One UpdateItem that appends the attempt, on condition that fewer than `maxAttempts` are kept. When
     * that condition fails (only a receipt redriven many times gets there), DynamoDB returns the item
     * as it was, and one more UpdateItem writes the last `maxAttempts` attempts whole.
     */
    async recordAttempt(facts, attemptUpdate) {
      const identity = factValues(facts);
      const values: Item = {
        ...identity,
        ...lifetime(now()),
        ':status': S(attemptUpdate.status),
        ...(attemptUpdate.targets === undefined
          ? {}
          : {
              ':targets': {
                M: Object.fromEntries(
                  Object.entries(attemptUpdate.targets).map(([target, outcome]) => [target, S(outcome)]),
                ),
              },
            }),
        ...(attemptUpdate.archiveKey === undefined ? {} : { ':archiveKey': S(attemptUpdate.archiveKey) }),
      };
      const sets = [
        ...factClauses(identity, true),
        '#status = :status',
        '#updatedAt = :now',
        '#expiresAt = :expiresAt',
        ...(':targets' in values ? ['#targets = :targets'] : []),
        ...(':archiveKey' in values ? ['#archiveKey = :archiveKey'] : []),
      ];
      const attempt = encodeAttempt(attemptUpdate.attempt);
      try {
        await update(
          facts,
          `SET ${[...sets, '#attempts = list_append(if_not_exists(#attempts, :none), :attempt)'].join(', ')}`,
          { ...values, ':none': { L: [] }, ':attempt': { L: [attempt] }, ':max': N(maxAttempts) },
          'attribute_not_exists(#attempts) OR size(#attempts) < :max',
        );
        return;
      } catch (error) {
        if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException')
          throw failure('UpdateItem', error);
        const kept = [...((error as { Item?: Item }).Item?.attempts?.L ?? [])];
        try {
          await update(facts, `SET ${[...sets, '#attempts = :attempts'].join(', ')}`, {
            ...values,
            ':attempts': { L: [...kept, attempt].slice(-maxAttempts) },
          });
        } catch (retryError) {
          throw failure('UpdateItem', retryError);
        }
      }
    },
  };
}
