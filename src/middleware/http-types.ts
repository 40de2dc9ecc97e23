import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** What an HTTP handler returns: API Gateway HTTP API (payload v2) structured result. */
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/**
 * The request id a client sees in errors and `x-request-id`: API Gateway's, else the Lambda invocation's.
 * serverless-offline sends the same placeholder (`offlineContext_…`) for every request; locally the Lambda
 * request id, unique per invocation, is the useful one.
 */
export function requestIdOf(
  event: Partial<APIGatewayProxyEventV2> | undefined,
  context: Partial<Context>,
): string {
  const fromGateway = event?.requestContext?.requestId;
  if (
    typeof fromGateway === 'string' &&
    fromGateway.length > 0 &&
    !fromGateway.startsWith('offlineContext_')
  ) {
    return fromGateway;
  }
  return typeof context.awsRequestId === 'string' ? context.awsRequestId : 'unknown';
}

/**
 * A JSON response. Successful answers get `x-request-id` from the requestContext middleware; the error
 * path, where that middleware's `after` does not run, passes the request id itself.
 */
export function jsonResponse(statusCode: number, body: unknown, requestId?: string): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
    },
    body: JSON.stringify(body),
  };
}
