import './health-env';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as healthHandler } from '../../../functions/health';
import { handler as notFoundHandler } from '../../../functions/not-found';
import type { HttpHandler } from '../../../src/middleware/http';
import { bodyOf, httpEvent, lambdaContext } from '../middleware/events';

// The entry points read their configuration at module scope: a misconfigured case loads a fresh copy.
function loadHandler(modulePath: string, env: Record<string, string>): HttpHandler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: HttpHandler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(modulePath) as { handler: HttpHandler }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

// Mocked clients: the function wiring is under test here; test/integration/health.test.ts uses the emulators.
describe('functions/health', () => {
  const s3 = mockClient(S3Client);
  const sqs = mockClient(SQSClient);
  const dynamoDb = mockClient(DynamoDBClient);
  afterAll(() => [s3, sqs, dynamoDb].forEach((mock) => mock.restore()));
  beforeEach(() => {
    s3.reset().on(HeadBucketCommand).resolves({});
    sqs
      .reset()
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    dynamoDb
      .reset()
      .on(DescribeTableCommand)
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
  });

  it('fails at load, naming every missing variable, when misconfigured', () => {
    expect(() =>
      loadHandler('../../../functions/health', { DOCUMENTS_BUCKET: '', IDEMPOTENCY_TABLE: '' }),
    ).toThrow(/DOCUMENTS_BUCKET is missing[\s\S]*IDEMPOTENCY_TABLE is missing/);
  });

  it('answers 200 with every check ok, uncached, with the request id', async () => {
    const handler = healthHandler;
    const response = await handler(httpEvent({ routeKey: 'GET /health', body: undefined }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-request-id': 'gateway-request-id',
    });
    expect(bodyOf(response)).toMatchObject({
      status: 'ok',
      checks: { s3: { status: 'ok' }, sqs: { status: 'ok' }, dynamodb: { status: 'ok' } },
    });
  });

  it('answers 503 naming the failing check', async () => {
    dynamoDb
      .on(DescribeTableCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }));
    const handler = healthHandler;
    const response = await handler(httpEvent({ body: undefined }), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ status: 'error', failing: ['dynamodb'] });
  });
});

describe('functions/not-found', () => {
  it('answers any route with 404 ROUTE_NOT_FOUND JSON and the request id', async () => {
    const handler = notFoundHandler;
    const response = await handler(httpEvent({ routeKey: '$default', rawPath: '/nope' }), lambdaContext());
    expect(response.statusCode).toBe(404);
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: 'No route matches this method and path',
        requestId: 'gateway-request-id',
      },
    });
  });
});
