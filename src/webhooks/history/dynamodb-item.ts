import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/*
 * The layout of a delivery history item in DynamoDB (the table DeliveriesTable of serverless/resources.yml),
 * shared by the writes (dynamodb-delivery-writes.ts) and the reads (dynamodb-delivery-history.ts): hash key
 * `receipt`; TTL on `expiresAt` (epoch seconds); the index `byDay` lists receipts newest first across sources,
 * partition `day` (UTC YYYY-MM-DD of receivedAt), sort `dayOrder` (`<receivedAt>#<receipt>`), projecting only
 * what listing filters on and counting reads (source, type, status, receivedAt).
 *
 * The plain DynamoDB client with the few attribute values written here by hand, not lib-dynamodb:
 * lib-dynamodb brings every DynamoDB command into a bundle, and the receiver, which was free of DynamoDB,
 * writes here on its hot path.
 */

/** The GSI that lists receipts by day, newest first (serverless/resources.yml declares the same). */
export const DELIVERIES_BY_DAY_INDEX = 'byDay';

/** Every attribute name goes through a placeholder (`status`, `type`, `source`, `day` are reserved words). */
export const attributeNames = {
  '#receipt': 'receipt',
  '#source': 'source',
  '#type': 'type',
  '#id': 'id',
  '#providerId': 'providerId',
  '#receivedAt': 'receivedAt',
  '#replay': 'replay',
  '#day': 'day',
  '#dayOrder': 'dayOrder',
  '#status': 'status',
  '#attempts': 'attempts',
  '#targets': 'targets',
  '#archiveKey': 'archiveKey',
  '#updatedAt': 'updatedAt',
  '#expiresAt': 'expiresAt',
} as const;
export type Placeholder = keyof typeof attributeNames;

/** The ExpressionAttributeNames of an expression: exactly the placeholders it uses (DynamoDB refuses unused ones). */
export function namesIn(...expressions: (string | undefined)[]): Record<string, string> {
  const text = expressions.join(' ');
  return Object.fromEntries(
    Object.entries(attributeNames).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
  );
}

export type Item = Record<string, AttributeValue>;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

/** `receivedAt` normalised to the 24-character ISO form, so that index sort keys compare as times. */
export function isoTime(value: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

export const dayOf = (iso: string) => iso.slice(0, 10);
