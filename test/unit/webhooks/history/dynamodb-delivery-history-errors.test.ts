/**
 * The failures of dynamoDbDeliveryHistory that the local emulator cannot produce (throttled batch reads,
 * an outage between the two writes of an attempt past the bound), with a mocked client. Its behaviour on a
 * working store is tested against the emulator (test/integration/history).
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError, ThrottledError } from '../../../../src/errors';
import { dynamoDbDeliveryHistory } from '../../../../src/webhooks/history/dynamodb-delivery-history';

const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
});
const dynamodb = mockClient(client);
const history = dynamoDbDeliveryHistory({ tableName: 'deliveries', client });
const facts = {
  receipt: 'r1',
  source: 'github',
  type: 'push',
  id: 'd1',
  receivedAt: '2026-12-06T10:00:00.000Z',
};
const unavailable = () =>
  new DynamoDBServiceException({
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
    message: 'internal error',
  });
const oneReceipt = {
  Items: [{ receipt: { S: 'r1' }, day: { S: '2026-12-06' }, dayOrder: { S: '2026-12-06T10:00:00.000Z#r1' } }],
};

beforeEach(() => dynamodb.reset());

describe('dynamoDbDeliveryHistory when DynamoDB fails', () => {
  it('gives up with ThrottledError (retryable) when a page read stays unprocessed', async () => {
    dynamodb.on(QueryCommand).resolves(oneReceipt);
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { deliveries: [] },
      UnprocessedKeys: { deliveries: { Keys: [{ receipt: { S: 'r1' } }] } },
    });
    const error = await history.list({}, { limit: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(dynamodb.commandCalls(BatchGetItemCommand)).toHaveLength(5);
  });

  it('maps a failed page read to ServiceUnavailableError', async () => {
    dynamodb.on(QueryCommand).resolves(oneReceipt);
    dynamodb.on(BatchGetItemCommand).rejects(unavailable());
    await expect(history.list({}, { limit: 1 })).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('maps a failure of the second write of an attempt past the bound, which rewrites the attempts', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({
          $metadata: {},
          message: 'The conditional request failed',
          Item: { attempts: { L: [] } },
        }),
      )
      .rejects(unavailable());
    await expect(
      history.recordAttempt(facts, {
        status: 'failed',
        attempt: { at: facts.receivedAt, durationMs: 1, outcome: 'failed' },
      }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });
});
