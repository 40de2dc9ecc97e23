import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toIntegrationError } from '../aws/error-mapping';
import { PayloadTooLargeError, QuotaExceededError } from '../errors';
import { ownerSegment } from './document-keys';

/** How much one owner may request per UTC day. */
export interface UploadQuotaLimits {
  uploadsPerDay: number;
  bytesPerDay: number;
}

/** Reserves upload forms against an owner's daily allowance before they are signed. */
export interface UploadQuota {
  /**
   * Counts one form of `bytes` against `owner`'s day. Throws QuotaExceededError (429, with the seconds
   * until the day ends) when the forms or bytes of the day would go over, PayloadTooLargeError (413) when
   * `bytes` alone is more than a day allows, an IntegrationError when the store fails.
   */
  reserve(owner: string, bytes: number): Promise<void>;
}

const SECONDS_PER_DAY = 86_400;

/** `2026-12-04`, and the whole seconds from `now` to the next UTC midnight (at least 1). */
export function quotaDay(now: Date): { day: string; secondsLeft: number; endsAtSeconds: number } {
  const startOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const endsAtSeconds = startOfDay / 1000 + SECONDS_PER_DAY;
  return {
    day: new Date(startOfDay).toISOString().slice(0, 10),
    secondsLeft: Math.max(1, Math.ceil(endsAtSeconds - now.getTime() / 1000)),
    endsAtSeconds,
  };
}

/**
 * The quota in DynamoDB: one item per owner and UTC day (`upload-quota#<owner>#<day>`), counted with one
 * conditional UpdateItem, so concurrent requests can never together go over. Items expire (TTL
 * `expiresAt`) a day after their day ends.
 */
export function dynamoDbUploadQuota(options: {
  client: DynamoDBClient;
  tableName: string;
  limits: UploadQuotaLimits;
  now?: () => Date;
}): UploadQuota {
  const { client, tableName, limits } = options;
  const now = options.now ?? (() => new Date());
  return {
    async reserve(owner, bytes) {
      if (bytes > limits.bytesPerDay) {
        throw new PayloadTooLargeError(
          `size ${bytes} exceeds the daily upload quota of ${limits.bytesPerDay} bytes`,
        );
      }
      const { day, secondsLeft, endsAtSeconds } = quotaDay(now());
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { id: { S: `upload-quota#${ownerSegment(owner)}#${day}` } },
            UpdateExpression:
              'ADD #uploads :one, #bytes :bytes SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
            ConditionExpression:
              '(attribute_not_exists(#uploads) OR #uploads < :maxUploads) AND ' +
              '(attribute_not_exists(#bytes) OR #bytes <= :bytesBefore)',
            ExpressionAttributeNames: { '#uploads': 'uploads', '#bytes': 'bytes' },
            ExpressionAttributeValues: {
              ':one': { N: '1' },
              ':bytes': { N: String(bytes) },
              ':maxUploads': { N: String(limits.uploadsPerDay) },
              ':bytesBefore': { N: String(limits.bytesPerDay - bytes) },
              ':expiresAt': { N: String(endsAtSeconds + SECONDS_PER_DAY) },
            },
          }),
        );
      } catch (error) {
        if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
          throw new QuotaExceededError(
            `The daily upload quota (${limits.uploadsPerDay} forms, ${limits.bytesPerDay} bytes) is used up; it renews at 00:00 UTC`,
            { retryAfterSeconds: secondsLeft },
          );
        }
        throw toIntegrationError(error, {
          service: 'DynamoDB',
          operation: 'UpdateItem',
          resource: tableName,
        });
      }
    },
  };
}
