import type { CfnResource } from '../../plugins/local-stack/provision';

/**
 * The delivery history table as serverless/resources.yml declares DeliveriesTable (hash key `receipt`,
 * index `byDay` on day + dayOrder), for the harness to provision under `tableName`. The e2e tests provision
 * the declaration itself through `npm start`.
 */
export const deliveriesTable = (tableName: string): CfnResource => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'receipt', AttributeType: 'S' },
      { AttributeName: 'day', AttributeType: 'S' },
      { AttributeName: 'dayOrder', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'receipt', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byDay',
        KeySchema: [
          { AttributeName: 'day', KeyType: 'HASH' },
          { AttributeName: 'dayOrder', KeyType: 'RANGE' },
        ],
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['source', 'type', 'status', 'receivedAt'],
        },
      },
    ],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  },
});
