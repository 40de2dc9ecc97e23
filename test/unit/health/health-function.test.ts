import './health-env';
import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Sqs from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as ClientMock from 'aws-sdk-client-mock';
import { handler as notFoundHandler } from '../../../functions/not-found';
import type { HttpHandler } from '../../../src/middleware/http';
import healthTemplate from '../../../events/health.json';
import integrationsTemplate from '../../../events/health-integrations.json';
import { bodyOf, httpEvent, lambdaContext } from '../middleware/events';

type Mock = ReturnType<typeof ClientMock.mockClient>;
interface LoadedHealth {
  handler: HttpHandler;
  mocks: { s3: Mock; sqs: Mock; dynamoDb: Mock; lambda: Mock };
  /** Every AWS command the function has sent so far. */
  commands(): number;
  /** HeadBucket calls so far: one per round of integration checks. */
  rounds(): number;
  restore(): void;
}

/**
 * A fresh copy of functions/health (it reads its configuration and starts its report cache at module
 * scope), its SDK clients mocked in that copy's module registry: the function wiring is under test here;
 * test/integration/health.test.ts runs the checks against the emulators.
 */
function loadHealth(env: Record<string, string> = {}): LoadedHealth {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let loaded: LoadedHealth | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
      const s3 = require('@aws-sdk/client-s3') as typeof S3;
      const sqs = require('@aws-sdk/client-sqs') as typeof Sqs;
      const dynamoDb = require('@aws-sdk/client-dynamodb') as typeof DynamoDb;
      const lambda = require('@aws-sdk/client-lambda') as typeof Lambda;
      const mocks = {
        s3: mockClient(s3.S3Client),
        sqs: mockClient(sqs.SQSClient),
        dynamoDb: mockClient(dynamoDb.DynamoDBClient),
        lambda: mockClient(lambda.LambdaClient),
      };
      mocks.s3.on(s3.HeadBucketCommand).resolves({});
      mocks.sqs
        .on(sqs.GetQueueAttributesCommand)
        .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
      mocks.dynamoDb.on(dynamoDb.DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
      mocks.lambda.on(lambda.InvokeCommand).resolves({ StatusCode: 204 });
      const handler = (require('../../../functions/health') as { handler: HttpHandler }).handler;
      /* eslint-enable @typescript-eslint/no-require-imports */
      const all = Object.values(mocks);
      loaded = {
        handler,
        mocks,
        commands: () => all.reduce((sum, mock) => sum + mock.calls().length, 0),
        rounds: () => mocks.s3.commandCalls(s3.HeadBucketCommand).length,
        restore: () => all.forEach((mock) => mock.restore()),
      };
    });
    return loaded!;
  } finally {
    process.env = saved;
  }
}

const event = (template: unknown) => structuredClone(template) as APIGatewayProxyEventV2;
const admin = () => event(integrationsTemplate);
function withClaims(claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
  const request = admin();
  if (claims) (request.requestContext as unknown as { authorizer: unknown }).authorizer = { jwt: { claims } };
  else delete (request.requestContext as { authorizer?: unknown }).authorizer;
  return request;
}

describe('functions/health', () => {
  let health: LoadedHealth | undefined;
  let clock: number;
  beforeEach(() => {
    // The report cache reads Date.now: the spy is in place before the function loads.
    clock = Date.UTC(2026, 10, 23, 14, 0, 0);
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
  });
  afterEach(() => {
    health?.restore();
    health = undefined;
    jest.restoreAllMocks();
  });
  const load = (env: Record<string, string> = {}) => (health = loadHealth(env));

  it('fails at load, naming every missing variable, when misconfigured', () => {
    expect(() => loadHealth({ DOCUMENTS_BUCKET: '', IDEMPOTENCY_TABLE: '' })).toThrow(
      /DOCUMENTS_BUCKET is missing[\s\S]*IDEMPOTENCY_TABLE is missing/,
    );
  });

  it('fails at load for a HEALTH_CACHE_SECONDS out of range', () => {
    expect(() => loadHealth({ HEALTH_CACHE_SECONDS: '-1' })).toThrow(/HEALTH_CACHE_SECONDS is invalid/);
    expect(() => loadHealth({ HEALTH_CACHE_SECONDS: '301' })).toThrow(/HEALTH_CACHE_SECONDS is invalid/);
  });

  it('answers GET /health 200 {"status":"ok"} with the request id, sending no AWS command', async () => {
    const { handler, commands } = load();
    const response = await handler(httpEvent({ routeKey: 'GET /health', body: undefined }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-request-id': 'gateway-request-id',
    });
    expect(bodyOf(response)).toEqual({ status: 'ok' });
    expect((await handler(event(healthTemplate), lambdaContext())).statusCode).toBe(200);
    expect(commands()).toBe(0);
  });

  it('answers GET /health 200 even when every integration is failing', async () => {
    const { handler, mocks, commands } = load();
    for (const mock of Object.values(mocks)) mock.rejects(new Error('down'));
    expect((await handler(event(healthTemplate), lambdaContext())).statusCode).toBe(200);
    expect(commands()).toBe(0);
  });

  it('answers the integrations report 200 to a token with intake/admin, every check ok', async () => {
    const { handler, rounds } = load();
    const response = await handler(admin(), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-request-id': 'health-integrations-sample-request-id',
    });
    expect(bodyOf(response)).toMatchObject({
      status: 'ok',
      checks: { s3: { status: 'ok' }, sqs: { status: 'ok' }, dynamodb: { status: 'ok' } },
      checkedAt: '2026-11-23T14:00:00.000Z',
    });
    expect(rounds()).toBe(1);
  });

  it('answers 401 without verified claims and 403 without intake/admin, sending no AWS command', async () => {
    const { handler, commands } = load();
    const anonymous = await handler(withClaims(undefined), lambdaContext());
    expect(anonymous.statusCode).toBe(401);
    expect(bodyOf(anonymous)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const reader = await handler(
      withClaims({ sub: 'alice', scope: 'documents/read documents/write' }),
      lambdaContext(),
    );
    expect(reader.statusCode).toBe(403);
    expect(bodyOf(reader)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(commands()).toBe(0);
  });

  it('answers 503 naming the failing check', async () => {
    const { handler, mocks } = load();
    mocks.dynamoDb.rejects(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }));
    const response = await handler(admin(), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ status: 'error', failing: ['dynamodb'] });
  });

  it('reuses one report for HEALTH_CACHE_SECONDS (default 10): one round of AWS calls per TTL', async () => {
    const { handler, rounds, commands } = load();
    await handler(admin(), lambdaContext());
    const perRound = commands();
    expect(perRound).toBeGreaterThanOrEqual(6); // HeadBucket, 4 × GetQueueAttributes, DescribeTable
    clock += 9_999;
    expect((await handler(admin(), lambdaContext())).statusCode).toBe(200);
    expect(rounds()).toBe(1);
    expect(commands()).toBe(perRound);
    clock += 1;
    await handler(admin(), lambdaContext());
    expect(rounds()).toBe(2);
    expect(commands()).toBe(2 * perRound);
  });

  it('shares one round of AWS calls between concurrent calls', async () => {
    const { handler, rounds } = load();
    const responses = await Promise.all(Array.from({ length: 10 }, () => handler(admin(), lambdaContext())));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(10).fill(200));
    expect(rounds()).toBe(1);
  });

  it('honours HEALTH_CACHE_SECONDS', async () => {
    const { handler, rounds } = load({ HEALTH_CACHE_SECONDS: '2' });
    await handler(admin(), lambdaContext());
    clock += 1_999;
    await handler(admin(), lambdaContext());
    expect(rounds()).toBe(1);
    clock += 1;
    await handler(admin(), lambdaContext());
    expect(rounds()).toBe(2);
  });

  it('checks on every call with HEALTH_CACHE_SECONDS=0', async () => {
    const { handler, rounds } = load({ HEALTH_CACHE_SECONDS: '0' });
    await handler(admin(), lambdaContext());
    await handler(admin(), lambdaContext());
    await Promise.all([handler(admin(), lambdaContext()), handler(admin(), lambdaContext())]);
    expect(rounds()).toBe(4);
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
