import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** An API Gateway HTTP API (payload v2) event as serverless-offline and AWS send it. */
export function httpEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /things/{id}',
    rawPath: '/things/42',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.com',
      domainPrefix: 'example',
      http: {
        method: 'POST',
        path: '/things/42',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: 'gateway-request-id',
      routeKey: 'POST /things/{id}',
      stage: '$default',
      time: '23/Nov/2026:14:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...overrides,
  };
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'intake-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:intake-test-fn',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-id',
    logGroupName: '/aws/lambda/intake-test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

export function bodyOf(response: { body?: string }): unknown {
  return JSON.parse(response.body ?? 'null');
}

/** What a test sends to a route: path and query parameters, a JSON body, and the verified claims (null: none). */
export interface RouteRequest {
  readonly path?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly claims?: object | null;
}

/**
 * The HTTP API event of `routeKey` (`GET /console/api/deliveries/{receipt}`) for `request`, as API Gateway
 * passes it after its JWT authorizer: the claims under `requestContext.authorizer.jwt` (none when null).
 */
export function routeEvent(
  routeKey: string,
  request: RouteRequest,
  defaultClaims: object,
): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ');
  const claims = request.claims === undefined ? defaultClaims : request.claims;
  const base = httpEvent();
  return {
    ...base,
    routeKey,
    rawPath: path!,
    headers: { 'content-type': 'application/json' },
    ...(request.path ? { pathParameters: request.path } : {}),
    ...(request.query ? { queryStringParameters: request.query } : {}),
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    requestContext: {
      ...base.requestContext,
      routeKey,
      http: { ...base.requestContext.http, method: method!, path: path! },
      ...(claims === null ? {} : { authorizer: { jwt: { claims, scopes: [] } } }),
    } as APIGatewayProxyEventV2['requestContext'],
  };
}
