import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getDynamoDbClient } from './clients';

/*
 * Kept apart from clients.ts on purpose: lib-dynamodb is not marked side-effect free, so any bundle that
 * imports it carries (and evaluates at init) every DynamoDB command. Only functions that use the document
 * client import this module; health and the HTTP functions never pay for it.
 */

let memo: { base: DynamoDBClient; document: DynamoDBDocumentClient } | undefined;

/** The process-wide DynamoDB document client over `getDynamoDbClient()`; undefined attributes are dropped. */
export function getDynamoDbDocumentClient(): DynamoDBDocumentClient {
  const base = getDynamoDbClient();
  if (memo?.base !== base) {
    memo = {
      base,
      document: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    };
  }
  return memo.document;
}
