import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedError,
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../../src/errors';
import { dynamoDbDeliveryGuards } from '../../../src/webhooks/idempotency';

// DynamoDB mocked: dynalite can be made neither to throttle, nor to fail with a 5xx, nor to deny access.
// The guards' behaviour on a working table is covered on dynalite by the webhook pipeline test.
const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const dynamoDb = mockClient(client);
const context = { awsRequestId: 'unit', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const serviceError = (name: string, status: number, fault: 'client' | 'server') =>
  new DynamoDBServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });

function guards() {
  const built = dynamoDbDeliveryGuards({ tableName: 'intake-unit-idempotency', client });
  built.registerContext(context);
  return built;
}

const work = async () => ({ done: true as const, key: 'events/x.json', pending: [] });

afterEach(() => dynamoDb.reset());

describe('dynamoDbDeliveryGuards: the DynamoDB edge types its failures', () => {
  it.each([
    [
      'throttling',
      serviceError('ProvisionedThroughputExceededException', 400, 'client'),
      ThrottledError,
      true,
    ],
    ['a 5xx', serviceError('InternalServerError', 500, 'server'), ServiceUnavailableError, true],
    ['access denied', serviceError('AccessDeniedException', 400, 'client'), AccessDeniedError, false],
    ['a missing table', serviceError('ResourceNotFoundException', 400, 'client'), NotFoundError, false],
  ])(
    'a record write failing with %s becomes a typed error with its retryable flag',
    async (_name, sdkError, type, retryable) => {
      dynamoDb.on(PutItemCommand).rejects(sdkError);
      const failure = await guards()
        .deliveryOnce({ source: 'github', id: 'd-1' }, work)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(type);
      expect(failure).toMatchObject({ retryable, service: 'DynamoDB', resource: 'intake-unit-idempotency' });
    },
  );

  it('types a failure to save the result after the work succeeded (the retry redoes the work)', async () => {
    dynamoDb.on(PutItemCommand).resolves({});
    dynamoDb.on(UpdateItemCommand).rejects(serviceError('ThrottlingException', 400, 'client'));
    await expect(
      guards().stepOnce({ source: 'github', id: 'd-2', step: 'archive' }, async () => ({ done: true })),
    ).rejects.toBeInstanceOf(ThrottledError);
  });

  it('types a failure to read the existing record of a duplicate (Powertools does not wrap that one)', async () => {
    dynamoDb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamoDb.on(GetItemCommand).rejects(serviceError('InternalServerError', 500, 'server'));
    await expect(guards().deliveryOnce({ source: 'github', id: 'd-5' }, work)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it('reports a copy whose record is still in progress as a retryable DuplicateInFlightError', async () => {
    const later = Math.floor(Date.now() / 1000) + 3600;
    dynamoDb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'exists',
        $metadata: {},
        Item: {
          id: { S: 'whatever' },
          status: { S: 'INPROGRESS' },
          expiration: { N: String(later) },
          in_progress_expiration: { N: String(later * 1000) },
        },
      }),
    );
    await expect(guards().deliveryOnce({ source: 'github', id: 'd-6' }, work)).rejects.toMatchObject({
      code: 'DUPLICATE_IN_FLIGHT',
      retryable: true,
    });
  });

  it("passes the work's own failure through unchanged, typed or not", async () => {
    dynamoDb.on(PutItemCommand).resolves({});
    dynamoDb.on(DeleteItemCommand).resolves({});
    const bug = new Error('a bug in the work');
    await expect(
      guards().deliveryOnce({ source: 'github', id: 'd-3' }, async () => Promise.reject(bug)),
    ).rejects.toBe(bug);
    const invalid = new BadRequestError('not a delivery');
    await expect(
      guards().deliveryOnce({ source: 'github', id: 'd-4' }, async () => Promise.reject(invalid)),
    ).rejects.toBe(invalid);
  });
});
